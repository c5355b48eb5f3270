#include "query/logql/parser.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"
#include "query/logql/go_units.h"
#include "query/logql/parser_internal.h"

namespace vigil::logql {

std::string FormatParseError(int line, int col, std::string_view msg) {
  if (line == 0 && col == 0) return absl::StrCat("parse error : ", AV(msg));
  return absl::StrFormat("parse error at line %d, col %d: %s", line, col, AV(msg));
}

namespace internal {
namespace {

// Binary operator precedence, lowest first, as Loki's %left/%right declarations.
int Precedence(Tok t) {
  switch (t) {
    case Tok::kOr:
      return 1;
    case Tok::kAnd:
    case Tok::kUnless:
      return 2;
    case Tok::kCmpEq:
    case Tok::kNeq:
    case Tok::kGt:
    case Tok::kGte:
    case Tok::kLt:
    case Tok::kLte:
      return 3;
    case Tok::kAdd:
    case Tok::kSub:
      return 4;
    case Tok::kMul:
    case Tok::kDiv:
    case Tok::kMod:
      return 5;
    case Tok::kPow:
      return 6;
    default:
      return 0;
  }
}

BinaryOp ToBinaryOp(Tok t) {
  switch (t) {
    case Tok::kOr:
      return BinaryOp::kOr;
    case Tok::kAnd:
      return BinaryOp::kAnd;
    case Tok::kUnless:
      return BinaryOp::kUnless;
    case Tok::kAdd:
      return BinaryOp::kAdd;
    case Tok::kSub:
      return BinaryOp::kSub;
    case Tok::kMul:
      return BinaryOp::kMul;
    case Tok::kDiv:
      return BinaryOp::kDiv;
    case Tok::kMod:
      return BinaryOp::kMod;
    case Tok::kPow:
      return BinaryOp::kPow;
    case Tok::kCmpEq:
      return BinaryOp::kEq;
    case Tok::kNeq:
      return BinaryOp::kNe;
    case Tok::kGt:
      return BinaryOp::kGt;
    case Tok::kGte:
      return BinaryOp::kGe;
    case Tok::kLt:
      return BinaryOp::kLt;
    default:
      return BinaryOp::kLe;
  }
}

std::optional<RangeOp> ToRangeOp(Tok t) {
  switch (t) {
    case Tok::kCountOverTime:
      return RangeOp::kCountOverTime;
    case Tok::kRate:
      return RangeOp::kRate;
    case Tok::kRateCounter:
      return RangeOp::kRateCounter;
    case Tok::kBytesOverTime:
      return RangeOp::kBytesOverTime;
    case Tok::kBytesRate:
      return RangeOp::kBytesRate;
    case Tok::kAvgOverTime:
      return RangeOp::kAvgOverTime;
    case Tok::kSumOverTime:
      return RangeOp::kSumOverTime;
    case Tok::kMinOverTime:
      return RangeOp::kMinOverTime;
    case Tok::kMaxOverTime:
      return RangeOp::kMaxOverTime;
    case Tok::kStdvarOverTime:
      return RangeOp::kStdvarOverTime;
    case Tok::kStddevOverTime:
      return RangeOp::kStddevOverTime;
    case Tok::kQuantileOverTime:
      return RangeOp::kQuantileOverTime;
    case Tok::kFirstOverTime:
      return RangeOp::kFirstOverTime;
    case Tok::kLastOverTime:
      return RangeOp::kLastOverTime;
    case Tok::kAbsentOverTime:
      return RangeOp::kAbsentOverTime;
    default:
      return std::nullopt;
  }
}

std::optional<VectorOp> ToVectorOp(Tok t) {
  switch (t) {
    case Tok::kSum:
      return VectorOp::kSum;
    case Tok::kAvg:
      return VectorOp::kAvg;
    case Tok::kMin:
      return VectorOp::kMin;
    case Tok::kMax:
      return VectorOp::kMax;
    case Tok::kCount:
      return VectorOp::kCount;
    case Tok::kStddev:
      return VectorOp::kStddev;
    case Tok::kStdvar:
      return VectorOp::kStdvar;
    case Tok::kTopk:
      return VectorOp::kTopk;
    case Tok::kBottomk:
      return VectorOp::kBottomk;
    case Tok::kSort:
      return VectorOp::kSort;
    case Tok::kSortDesc:
      return VectorOp::kSortDesc;
    default:
      return std::nullopt;
  }
}

double FoldBinary(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::kAdd:
      return a + b;
    case BinaryOp::kSub:
      return a - b;
    case BinaryOp::kMul:
      return a * b;
    case BinaryOp::kDiv:
      return b == 0 ? std::nan("") : a / b;
    case BinaryOp::kMod:
      return b == 0 ? std::nan("") : std::fmod(a, b);
    case BinaryOp::kPow:
      return std::pow(a, b);
    case BinaryOp::kEq:
      return a == b ? 1 : 0;
    case BinaryOp::kNe:
      return a != b ? 1 : 0;
    case BinaryOp::kGt:
      return a > b ? 1 : 0;
    case BinaryOp::kGe:
      return a >= b ? 1 : 0;
    case BinaryOp::kLt:
      return a < b ? 1 : 0;
    case BinaryOp::kLe:
      return a <= b ? 1 : 0;
    default:
      return 0;
  }
}

// Go's %T of a log query in Loki's messages.
std::string_view LogExprTypeName(const Expr& e) {
  return As<LogSelectorExpr>(e).stages.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
}

// Loki's validateMatchers: some matcher must not match the empty string.
absl::Status ValidateSelector(const LogSelectorExpr& s) {
  for (const Matcher& m : s.matchers) {
    if (!m.MatchesEmpty()) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(FormatParseError(0, 0, kAtLeastOneMatcherError));
}

absl::Status Validate(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLogSelector:
      return ValidateSelector(As<LogSelectorExpr>(e));
    case ExprKind::kRangeAggregation:
      return ValidateSelector(*As<RangeAggregationExpr>(e).selector);
    case ExprKind::kVectorAggregation:
      return Validate(*As<VectorAggregationExpr>(e).inner);
    case ExprKind::kLabelReplace:
      return Validate(*As<LabelReplaceExpr>(e).inner);
    case ExprKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      if (absl::Status s = Validate(*b.lhs); !s.ok()) return s;
      return Validate(*b.rhs);
    }
    case ExprKind::kLiteral:
    case ExprKind::kVector:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

Parser::Parser(std::string_view input, bool validate) : input_(input), validate_(validate) {
  Lexer lex(input);
  while (true) {
    Token t = lex.Next();
    const Tok type = t.type;
    tokens_.push_back(std::move(t));
    if (type == Tok::kEof || type == Tok::kError) break;
  }
}

const Token& Parser::Peek(size_t ahead) const {
  const size_t i = pos_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

Token Parser::Take() {
  Token t = Peek();
  if (pos_ < tokens_.size() - 1) ++pos_;
  return t;
}

bool Parser::Accept(Tok t) {
  if (PeekType() != t) return false;
  Take();
  return true;
}

absl::Status Parser::Unexpected(const Token& t, std::initializer_list<Tok> expecting) const {
  int line = 0;
  int col = 0;
  ErrorPosition(input_, t.pos, &line, &col);
  if (t.type == Tok::kError) return absl::InvalidArgumentError(FormatParseError(line, col, t.str));
  std::string msg = absl::StrCat("syntax error: unexpected ", AV(TokenName(t.type)));
  bool first = true;
  for (Tok e : expecting) {
    absl::StrAppend(&msg, first ? ", expecting " : " or ", AV(TokenName(e)));
    first = false;
  }
  return absl::InvalidArgumentError(FormatParseError(line, col, msg));
}

absl::Status Parser::Expect(Tok t, std::initializer_list<Tok> expecting) {
  if (PeekType() != t) return Unexpected(Peek(), expecting);
  Take();
  return absl::OkStatus();
}

absl::Status Parser::Semantic(std::string msg) const { return absl::InvalidArgumentError(FormatParseError(0, 0, msg)); }

absl::StatusOr<ExprPtr> Parser::ParseAll() {
  if (input_.size() >= kMaxQueryBytes) {
    return Semantic(absl::StrFormat("input size too long (%d > %d)", input_.size(), kMaxQueryBytes));
  }
  absl::StatusOr<ExprPtr> e = ParseBinary(0);
  if (!e.ok()) return e.status();
  if (PeekType() != Tok::kEof) return Unexpected(Peek());
  if (validate_) {
    if (absl::Status s = Validate(**e); !s.ok()) return s;
  }
  return e;
}

absl::StatusOr<double> Parser::NumberValue(const Token& t, bool negate) const {
  absl::StatusOr<double> v = ParseGoFloat(t.text);
  if (!v.ok()) return Semantic(absl::StrCat("unable to parse literal as a float: ", v.status().message()));
  return negate ? -*v : *v;
}

absl::StatusOr<ExprPtr> Parser::ParseBinary(int min_prec) {
  absl::StatusOr<ExprPtr> lhs = ParseUnary();
  if (!lhs.ok()) return lhs.status();
  ExprPtr left = *std::move(lhs);
  while (true) {
    const Tok op_tok = PeekType();
    const int prec = Precedence(op_tok);
    if (prec == 0 || prec < min_prec) break;
    Take();
    BinModifiers mods;
    mods.return_bool = Accept(Tok::kBool);
    if (PeekType() == Tok::kOn || PeekType() == Tok::kIgnoring) {
      mods.has_matching = true;
      mods.on = Take().type == Tok::kOn;
      absl::StatusOr<std::vector<std::string>> labels = ParseLabelList();
      if (!labels.ok()) return labels.status();
      mods.matching_labels = *std::move(labels);
      if (PeekType() == Tok::kGroupLeft || PeekType() == Tok::kGroupRight) {
        mods.card =
            Take().type == Tok::kGroupLeft ? VectorMatchCardinality::kManyToOne : VectorMatchCardinality::kOneToMany;
        if (PeekType() == Tok::kOpenParen) {
          absl::StatusOr<std::vector<std::string>> inc = ParseLabelList();
          if (!inc.ok()) return inc.status();
          mods.include = *std::move(inc);
        }
      }
    }
    // ^ is right-associative; everything else binds to the left.
    absl::StatusOr<ExprPtr> rhs = ParseBinary(op_tok == Tok::kPow ? prec : prec + 1);
    if (!rhs.ok()) return rhs.status();
    absl::StatusOr<ExprPtr> bin = MakeBinary(ToBinaryOp(op_tok), std::move(left), *std::move(rhs), std::move(mods));
    if (!bin.ok()) return bin.status();
    left = *std::move(bin);
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, BinModifiers mods) {
  const std::string_view name = BinaryOpString(op);
  if (!lhs->IsMetric()) {
    return Semantic(
        absl::StrCat("unexpected type for left leg of binary operation (", AV(name), "): ", AV(LogExprTypeName(*lhs))));
  }
  if (!rhs->IsMetric()) {
    return Semantic(absl::StrCat("unexpected type for right leg of binary operation (", AV(name),
                                 "): ", AV(LogExprTypeName(*rhs))));
  }
  const bool lit_l = lhs->kind == ExprKind::kLiteral;
  const bool lit_r = rhs->kind == ExprKind::kLiteral;
  if (IsSetBinaryOp(op)) {
    if (lit_l) {
      return Semantic(absl::StrFormat("unexpected literal for left leg of logical/set binary operation (%s): %f",
                                      AV(name), As<LiteralExpr>(*lhs).value));
    }
    if (lit_r) {
      return Semantic(absl::StrFormat("unexpected literal for right leg of logical/set binary operation (%s): %f",
                                      AV(name), As<LiteralExpr>(*rhs).value));
    }
  }
  if (lit_l && lit_r) {
    // Loki reduces literal arithmetic at parse time: `1 + 1` is the literal 2.
    auto lit = std::make_unique<LiteralExpr>();
    lit->value = FoldBinary(op, As<LiteralExpr>(*lhs).value, As<LiteralExpr>(*rhs).value);
    return ExprPtr(std::move(lit));
  }
  auto b = std::make_unique<BinaryExpr>();
  b->op = op;
  b->lhs = std::move(lhs);
  b->rhs = std::move(rhs);
  b->return_bool = mods.return_bool;
  b->has_matching = mods.has_matching;
  b->on = mods.on;
  b->matching_labels = std::move(mods.matching_labels);
  b->card = mods.card;
  b->include = std::move(mods.include);
  return ExprPtr(std::move(b));
}

absl::StatusOr<ExprPtr> Parser::ParseUnary() {
  const Token& t = Peek();
  switch (t.type) {
    case Tok::kOpenBrace: {
      absl::StatusOr<std::unique_ptr<LogSelectorExpr>> s = ParseSelectorAndPipeline();
      if (!s.ok()) return s.status();
      return ExprPtr(*std::move(s));
    }
    case Tok::kOpenParen: {
      Take();
      absl::StatusOr<ExprPtr> e = ParseBinary(0);
      if (!e.ok()) return e.status();
      if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
      return e;
    }
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub: {
      const bool negate = t.type == Tok::kSub;
      if (t.type != Tok::kNumber) {
        Take();
        if (PeekType() != Tok::kNumber) return Unexpected(Peek(), {Tok::kNumber});
      }
      const Token num = Take();
      absl::StatusOr<double> v = NumberValue(num, negate);
      if (!v.ok()) return v.status();
      auto lit = std::make_unique<LiteralExpr>();
      lit->value = *v;
      return ExprPtr(std::move(lit));
    }
    case Tok::kVector:
      return ParseVector();
    case Tok::kLabelReplace:
      return ParseLabelReplace();
    default:
      break;
  }
  if (ToRangeOp(t.type)) return ParseRangeAggregation();
  if (ToVectorOp(t.type)) return ParseVectorAggregation();
  return Unexpected(t);
}

absl::StatusOr<ExprPtr> Parser::ParseVector() {
  Take();
  if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
  if (PeekType() != Tok::kNumber) return Unexpected(Peek(), {Tok::kNumber});
  const Token num = Take();
  absl::StatusOr<double> v = ParseGoFloat(num.text);
  if (!v.ok()) return Semantic(absl::StrCat("unable to parse vectorExpr as a float: ", v.status().message()));
  if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
  auto e = std::make_unique<VectorExpr>();
  e->value = *v;
  return ExprPtr(std::move(e));
}

absl::StatusOr<ExprPtr> Parser::ParseLabelReplace() {
  Take();
  if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
  absl::StatusOr<ExprPtr> inner = ParseBinary(0);
  if (!inner.ok()) return inner.status();
  if (!(*inner)->IsMetric()) return Unexpected(Peek());
  std::string args[4];
  for (std::string& a : args) {
    if (absl::Status s = Expect(Tok::kComma, {Tok::kComma}); !s.ok()) return s;
    if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
    a = Take().str;
  }
  if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
  auto e = std::make_unique<LabelReplaceExpr>();
  e->inner = *std::move(inner);
  e->dst = std::move(args[0]);
  e->replacement = std::move(args[1]);
  e->src = std::move(args[2]);
  e->regex = std::move(args[3]);
  return ExprPtr(std::move(e));
}

absl::StatusOr<std::vector<std::string>> Parser::ParseLabelList() {
  if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
  std::vector<std::string> labels;
  if (Accept(Tok::kCloseParen)) return labels;
  while (true) {
    if (PeekType() != Tok::kIdentifier) {
      if (labels.empty()) return Unexpected(Peek(), {Tok::kIdentifier, Tok::kCloseParen});
      return Unexpected(Peek(), {Tok::kIdentifier});
    }
    labels.emplace_back(Take().text);
    if (Accept(Tok::kComma)) continue;
    if (absl::Status s = Expect(Tok::kCloseParen, {Tok::kCloseParen, Tok::kComma}); !s.ok()) return s;
    return labels;
  }
}

absl::StatusOr<Grouping> Parser::ParseGrouping() {
  Grouping g;
  g.without = Take().type == Tok::kWithout;
  absl::StatusOr<std::vector<std::string>> labels = ParseLabelList();
  if (!labels.ok()) return labels.status();
  g.labels = *std::move(labels);
  return g;
}

absl::StatusOr<ExprPtr> Parser::ParseRangeAggregation() {
  const RangeOp op = *ToRangeOp(Take().type);
  const std::string_view name = RangeOpString(op);
  if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
  auto e = std::make_unique<RangeAggregationExpr>();
  e->op = op;
  std::optional<std::string> param_text;
  if (PeekType() == Tok::kNumber) {
    param_text = std::string(Take().text);
    if (absl::Status s = Expect(Tok::kComma, {Tok::kComma}); !s.ok()) return s;
  } else if (PeekType() != Tok::kOpenBrace && PeekType() != Tok::kOpenParen) {
    return Unexpected(Peek(), {Tok::kNumber, Tok::kOpenBrace, Tok::kOpenParen});
  }
  absl::StatusOr<LogRange> r = ParseLogRange();
  if (!r.ok()) return r.status();
  if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
  if (PeekType() == Tok::kBy || PeekType() == Tok::kWithout) {
    absl::StatusOr<Grouping> g = ParseGrouping();
    if (!g.ok()) return g.status();
    e->grouping = *std::move(g);
  }
  e->selector = std::move(r->selector);
  e->unwrap = std::move(r->unwrap);
  e->range_ns = r->range_ns;
  e->offset_ns = r->offset_ns;
  // Loki's newRangeAggregationExpr and RangeAggregationExpr.validate, in their order.
  if (param_text) {
    if (op != RangeOp::kQuantileOverTime) {
      return Semantic(absl::StrCat("parameter ", *param_text, " not supported for operation ", AV(name)));
    }
    absl::StatusOr<double> v = ParseGoFloat(*param_text);
    if (!v.ok()) {
      return Semantic(absl::StrCat("invalid parameter for operation ", AV(name), ": ", v.status().message()));
    }
    e->param = *v;
  } else if (op == RangeOp::kQuantileOverTime) {
    return Semantic(absl::StrCat("parameter required for operation ", AV(name)));
  }
  if (e->grouping) {
    switch (op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        break;
      default:
        return Semantic(absl::StrCat("grouping not allowed for ", AV(name), " aggregation"));
    }
  }
  if (e->unwrap) {
    switch (op) {
      case RangeOp::kCountOverTime:
      case RangeOp::kBytesOverTime:
      case RangeOp::kBytesRate:
        return Semantic(absl::StrCat("invalid aggregation ", AV(name), " with unwrap"));
      default:
        break;
    }
  } else {
    switch (op) {
      case RangeOp::kBytesOverTime:
      case RangeOp::kBytesRate:
      case RangeOp::kCountOverTime:
      case RangeOp::kRate:
      case RangeOp::kAbsentOverTime:
        break;
      default:
        return Semantic(absl::StrCat("invalid aggregation ", AV(name), " without unwrap"));
    }
  }
  return ExprPtr(std::move(e));
}

absl::StatusOr<ExprPtr> Parser::ParseVectorAggregation() {
  const VectorOp op = *ToVectorOp(Take().type);
  const std::string_view name = VectorOpString(op);
  auto e = std::make_unique<VectorAggregationExpr>();
  e->op = op;
  if (PeekType() == Tok::kBy || PeekType() == Tok::kWithout) {
    absl::StatusOr<Grouping> g = ParseGrouping();
    if (!g.ok()) return g.status();
    e->grouping = *std::move(g);
    e->has_grouping = true;
  }
  if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
  std::optional<std::string> param_text;
  if (PeekType() == Tok::kNumber && PeekType(1) == Tok::kComma) {
    param_text = std::string(Take().text);
    Take();
  }
  absl::StatusOr<ExprPtr> inner = ParseBinary(0);
  if (!inner.ok()) return inner.status();
  // A log query cannot be aggregated: Loki's grammar fails on the token after the selector.
  if (!(*inner)->IsMetric()) return Unexpected(Peek());
  if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
  if (!e->has_grouping && (PeekType() == Tok::kBy || PeekType() == Tok::kWithout)) {
    absl::StatusOr<Grouping> g = ParseGrouping();
    if (!g.ok()) return g.status();
    e->grouping = *std::move(g);
    e->has_grouping = true;
  }
  e->inner = *std::move(inner);
  if (op == VectorOp::kTopk || op == VectorOp::kBottomk) {
    if (!param_text) return Semantic(absl::StrCat("parameter required for operation ", AV(name)));
    int64_t k = 0;
    if (!absl::SimpleAtoi(*param_text, &k)) {
      return Semantic(absl::StrCat("invalid parameter ", AV(name), "(", *param_text, ","));
    }
    if (k <= 0) {
      return Semantic(absl::StrCat("invalid parameter (must be greater than 0) ", AV(name), "(", *param_text));
    }
    e->param = k;
  } else if (param_text) {
    return Semantic(absl::StrCat("unsupported parameter for operation ", AV(name), "(", *param_text, ","));
  }
  if ((op == VectorOp::kSort || op == VectorOp::kSortDesc) && !e->grouping.labels.empty()) {
    return Semantic("sort and sort_desc doesn't allow grouping by ");
  }
  return ExprPtr(std::move(e));
}

}  // namespace internal

absl::StatusOr<ExprPtr> ParseExpr(std::string_view query) {
  internal::Parser p(query);
  return p.ParseAll();
}

absl::StatusOr<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view query) {
  absl::StatusOr<ExprPtr> e = ParseExpr(query);
  if (!e.ok()) return e.status();
  if ((*e)->IsMetric()) return absl::InvalidArgumentError("only log selector is supported");
  return std::unique_ptr<LogSelectorExpr>(static_cast<LogSelectorExpr*>(e->release()));
}

absl::StatusOr<std::vector<Matcher>> ParseMatchers(std::string_view query, bool validate) {
  internal::Parser p(query, validate);
  absl::StatusOr<ExprPtr> e = p.ParseAll();
  if (!e.ok()) return e.status();
  if ((*e)->IsMetric() || !As<LogSelectorExpr>(**e).stages.empty()) {
    return absl::InvalidArgumentError("only label matchers are supported");
  }
  return As<LogSelectorExpr>(**e).matchers;
}

}  // namespace vigil::logql
