#include "query/promql/parser.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/labels.h"
#include "query/promql/check.h"
#include "query/promql/functions.h"
#include "query/promql/grammar.h"
#include "query/promql/lexer.h"
#include "query/promql/literals.h"

namespace vigil::promql {
namespace {

// Deeper trees are refused so that recursive consumers (this parser, the checker, the printer, the engine)
// cannot exhaust the stack. Counts parentheses, calls, aggregations, unary and binary operators and subqueries.
constexpr int kMaxDepth = 500;

int32_t TokenEnd(const Token& t) { return t.pos + static_cast<int32_t>(t.text.size()); }

class Parser {
 public:
  explicit Parser(std::string_view query) : query_(query), lex_(query) {}

  absl::StatusOr<ExprPtr> ParseTop() {
    if (Peek().type == TokenType::kEof && !failed()) Fail(0, "no expression found in input");
    ExprPtr e;
    if (!failed()) e = ParseExpr(1);
    if (!failed() && Peek().type != TokenType::kEof) Unexpected();
    if (failed()) return MakeParseError(query_, err_pos_, err_msg_);
    absl::Status s = CheckAst(*e, query_);
    if (!s.ok()) return s;
    return e;
  }

  absl::StatusOr<std::vector<Matcher>> ParseSelectorTop() {
    ExprPtr e;
    const Token& t = Peek();
    if (!failed()) {
      if (t.type == TokenType::kLeftBrace) {
        e = ParseSelector(nullptr);
      } else if (IsMetricIdentifier(t.type)) {
        const Token name = Take();
        e = ParseSelector(&name);
      } else {
        Unexpected();
      }
    }
    if (!failed() && Peek().type != TokenType::kEof) Unexpected();
    if (failed()) return MakeParseError(query_, err_pos_, err_msg_);
    return std::move(static_cast<VectorSelector&>(*e).matchers);
  }

 private:
  bool failed() const { return failed_; }

  void Fail(int32_t pos, std::string msg) {
    if (failed_) return;
    failed_ = true;
    err_pos_ = pos;
    err_msg_ = std::move(msg);
  }

  // The lookahead token. A lexer error is recorded the moment it is read, as Prometheus does.
  const Token& Peek() {
    if (!has_tok_) {
      tok_ = lex_.Next();
      has_tok_ = true;
      if (tok_.type == TokenType::kError) Fail(tok_.pos, tok_.error);
    }
    return tok_;
  }

  Token Take() {
    Peek();
    has_tok_ = false;
    switch (tok_.type) {
      case TokenType::kRightParen:
      case TokenType::kRightBrace:
      case TokenType::kRightBracket:
      case TokenType::kNumber:
      case TokenType::kDuration:
        last_closing_ = TokenEnd(tok_);
        break;
      default:
        break;
    }
    return std::move(tok_);
  }

  // "unexpected <token>[ in <context>][, expected <expected>]" about the lookahead. Without a context, an error
  // inside an aggregation's arguments is reported "in aggregation", as Prometheus' error recovery does.
  void Unexpected(std::string_view context = "", std::string_view expected = "") {
    const Token& t = Peek();
    if (failed()) return;
    if (context.empty() && agg_depth_ > 0) context = "aggregation";
    std::string msg = absl::StrCat("unexpected ", DescribeToken(t));
    if (!context.empty()) absl::StrAppend(&msg, " in ", std::string(context));
    if (!expected.empty()) absl::StrAppend(&msg, ", expected ", std::string(expected));
    Fail(t.pos, std::move(msg));
  }

  bool Enter() {
    if (++depth_ > kMaxDepth) {
      Fail(Peek().pos, absl::StrCat("expression nested too deeply (more than ", kMaxDepth, " levels)"));
      return false;
    }
    return true;
  }

  // expr with binary operators of precedence >= min_prec.
  ExprPtr ParseExpr(int min_prec) {
    const int saved_depth = depth_;
    ExprPtr lhs;
    if (Enter()) lhs = ParseUnary();
    while (!failed()) {
      const TokenType type = Peek().type;
      const int prec = Precedence(type);
      if (failed() || prec == 0 || prec < min_prec) break;
      Take();
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = ToBinaryOp(type);
      ParseBinModifiers(*bin, *lhs);
      if (failed()) break;
      ExprPtr rhs = ParseExpr(type == TokenType::kPow ? prec : prec + 1);
      if (failed() || !Enter()) break;
      bin->pos = {lhs->pos.start, rhs->pos.end};
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      lhs = std::move(bin);
    }
    depth_ = saved_depth;
    return failed() ? nullptr : std::move(lhs);
  }

  // bool, on/ignoring(...), group_left/group_right(...) after a binary operator.
  void ParseBinModifiers(BinaryExpr& bin, const Expr& lhs) {
    VectorMatching vm;
    if (Peek().type == TokenType::kBool) {
      Take();
      bin.return_bool = true;
    }
    const TokenType t = Peek().type;
    if (t == TokenType::kOn || t == TokenType::kIgnoring) {
      Take();
      vm.on = t == TokenType::kOn;
      vm.matching_labels = ParseGroupingLabels();
      if (failed()) return;
      const TokenType g = Peek().type;
      if (g == TokenType::kGroupLeft || g == TokenType::kGroupRight) {
        Take();
        vm.card = g == TokenType::kGroupLeft ? VectorMatchCardinality::kManyToOne : VectorMatchCardinality::kOneToMany;
        if (Peek().type == TokenType::kLeftParen) vm.include = ParseGroupingLabels();
      }
    }
    if (failed()) return;
    const TokenType f = Peek().type;
    if (f == TokenType::kFill || f == TokenType::kFillLeft || f == TokenType::kFillRight) {
      Fail(lhs.pos.start, "binop fill modifiers are experimental and not enabled");
      return;
    }
    bin.matching = std::move(vm);
  }

  // ( label, ... ) of by/without/on/ignoring/group_left/group_right.
  std::vector<std::string> ParseGroupingLabels() {
    std::vector<std::string> labels;
    if (Peek().type != TokenType::kLeftParen) {
      Unexpected("grouping opts", "\"(\"");
      return labels;
    }
    Take();
    if (Peek().type == TokenType::kRightParen) {
      Take();
      return labels;
    }
    while (!failed()) {
      const Token& t = Peek();
      if (failed()) break;
      if (IsMaybeLabel(t.type)) {
        labels.emplace_back(Take().text);
      } else if (t.type == TokenType::kString) {
        const Token s = Take();
        absl::StatusOr<std::string> name = Unquote(s);
        if (!name.ok()) break;
        if (!IsValidUtf8LabelName(*name)) {
          Fail(s.pos, absl::StrCat("invalid label name for grouping: ", QuoteString(*name)));
          break;
        }
        labels.push_back(*std::move(name));
      } else {
        Unexpected("grouping opts", "label");
        break;
      }
      const TokenType next = Peek().type;
      if (next == TokenType::kComma) {
        Take();
        if (Peek().type == TokenType::kRightParen) {
          Take();
          break;
        }
      } else if (next == TokenType::kRightParen) {
        Take();
        break;
      } else {
        Unexpected("grouping opts", "\",\" or \")\"");
      }
    }
    return labels;
  }

  absl::StatusOr<std::string> Unquote(const Token& t) {
    absl::StatusOr<std::string> s = UnquoteStringToken(t.text);
    if (!s.ok()) {
      Fail(t.pos,
           absl::StrCat("error unquoting string ", QuoteString(t.text), ": ", std::string(s.status().message())));
    }
    return s;
  }

  // unary_op expr, which binds like `*`: only `^` and the postfix modifiers bind tighter.
  ExprPtr ParseUnary() {
    const TokenType t = Peek().type;
    if (failed()) return nullptr;
    if (t != TokenType::kAdd && t != TokenType::kSub) return ParsePostfix(ParsePrimary());
    const Token op = Take();
    ExprPtr operand = ParseExpr(Precedence(TokenType::kPow));
    if (failed()) return nullptr;
    if (operand->kind == ExprKind::kNumberLiteral) {
      auto& n = static_cast<NumberLiteral&>(*operand);
      if (op.type == TokenType::kSub) n.value = -n.value;
      n.pos.start = op.pos;
      return operand;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->op = op.type == TokenType::kSub ? BinaryOp::kSub : BinaryOp::kAdd;
    u->pos = {op.pos, operand->pos.end};
    u->expr = std::move(operand);
    return u;
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    if (failed()) return nullptr;
    switch (t.type) {
      case TokenType::kLeftParen: {
        const Token lp = Take();
        ExprPtr inner = ParseExpr(1);
        if (failed()) return nullptr;
        if (Peek().type != TokenType::kRightParen) {
          Unexpected();
          return nullptr;
        }
        const Token rp = Take();
        auto p = std::make_unique<ParenExpr>();
        p->pos = {lp.pos, TokenEnd(rp)};
        p->expr = std::move(inner);
        return p;
      }
      case TokenType::kNumber:
      case TokenType::kDuration:
        return ParseNumberLiteral(Take());
      case TokenType::kString: {
        const Token s = Take();
        absl::StatusOr<std::string> v = Unquote(s);
        if (!v.ok()) return nullptr;
        auto lit = std::make_unique<StringLiteral>();
        lit->pos = {s.pos, TokenEnd(s)};
        lit->value = *std::move(v);
        return lit;
      }
      case TokenType::kLeftBrace:
        return ParseSelector(nullptr);
      default:
        break;
    }
    if (IsAggregatorToken(t.type)) {
      const Token op = Take();
      const TokenType next = Peek().type;
      if (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout) {
        return ParseAggregate(op);
      }
      return ParseSelector(&op);
    }
    if (t.type == TokenType::kIdentifier || IsPreprocessorToken(t.type)) {
      const Token name = Take();
      if (Peek().type == TokenType::kLeftParen) return ParseCall(name);
      return ParseSelector(&name);
    }
    if (IsMetricIdentifier(t.type)) {
      const Token name = Take();
      return ParseSelector(&name);
    }
    Unexpected();
    return nullptr;
  }

  ExprPtr ParseNumberLiteral(const Token& t) {
    auto n = std::make_unique<NumberLiteral>();
    n->pos = {t.pos, TokenEnd(t)};
    if (t.type == TokenType::kNumber) {
      absl::StatusOr<double> v = ParseNumberToken(t.text);
      if (!v.ok()) {
        Fail(t.pos, absl::StrCat("error parsing number: ", std::string(v.status().message())));
        return nullptr;
      }
      n->value = *v;
    } else {
      absl::StatusOr<int64_t> ns = ParseDurationToken(t.text);
      if (!ns.ok()) {
        Fail(t.pos, std::string(ns.status().message()));
        return nullptr;
      }
      n->value = static_cast<double>(*ns) / 1e9;
      n->duration = true;
    }
    return n;
  }

  // Postfix modifiers: [range], [range:step], offset, @. They bind to the expression just before them.
  ExprPtr ParsePostfix(ExprPtr e) {
    const int saved_depth = depth_;
    while (!failed()) {
      const TokenType t = Peek().type;
      if (failed()) break;
      if (t == TokenType::kLeftBracket) {
        e = ParseRangeOrSubquery(std::move(e));
        if (!failed() && e->kind == ExprKind::kSubquery) Enter();
      } else if (t == TokenType::kOffset) {
        Take();
        ParseOffset(*e);
      } else if (t == TokenType::kAt) {
        Take();
        ParseAt(*e);
      } else if (t == TokenType::kAnchored || t == TokenType::kSmoothed) {
        Take();
        Fail(e->pos.start, absl::StrCat(t == TokenType::kAnchored ? "anchored" : "smoothed",
                                        " modifier is experimental and not enabled"));
      } else {
        break;
      }
    }
    depth_ = saved_depth;
    return failed() ? nullptr : std::move(e);
  }

  // A duration in a range, subquery step or offset: an optionally signed number (seconds) or duration.
  // Returns seconds; *start is the position of its first token. Duration arithmetic is not supported.
  std::optional<double> ParseDurationValue(std::string_view context, std::string_view expected, int32_t* start) {
    const Token& first = Peek();
    if (failed()) return std::nullopt;
    *start = first.pos;
    double sign = 1;
    bool signed_literal = false;
    int32_t sign_pos = first.pos;
    while (Peek().type == TokenType::kAdd || Peek().type == TokenType::kSub) {
      if (Take().type == TokenType::kSub) sign = -sign;
      signed_literal = true;
    }
    if (failed()) return std::nullopt;
    const Token& t = Peek();
    if (failed()) return std::nullopt;
    if (t.type == TokenType::kLeftParen || t.type == TokenType::kStep || t.type == TokenType::kRange ||
        t.type == TokenType::kMaxOf || t.type == TokenType::kMinOf) {
      if ((t.type == TokenType::kStep || t.type == TokenType::kRange)) {
        Take();
        if (Peek().type != TokenType::kLeftParen) {
          Unexpected(context, expected);
          return std::nullopt;
        }
      }
      Fail(*start, "experimental duration expression is not enabled");
      return std::nullopt;
    }
    if (t.type != TokenType::kNumber && t.type != TokenType::kDuration) {
      Unexpected(context, expected);
      return std::nullopt;
    }
    const Token lit_tok = Take();
    ExprPtr lit = ParseNumberLiteral(lit_tok);
    if (failed()) return std::nullopt;
    double v = static_cast<NumberLiteral&>(*lit).value;
    auto out_of_range = [](double x) { return x > 9223372036.854775807 || x < -9223372036.854775808; };
    if (out_of_range(v)) {
      Fail(lit_tok.pos, "duration out of range");
      return std::nullopt;
    }
    v *= sign;
    if (signed_literal && out_of_range(v)) {
      Fail(sign_pos, "duration out of range");
      return std::nullopt;
    }
    const TokenType next = Peek().type;
    if (next == TokenType::kAdd || next == TokenType::kSub || next == TokenType::kMul || next == TokenType::kDiv ||
        next == TokenType::kMod || next == TokenType::kPow) {
      // Inside brackets these start duration arithmetic; after `offset` they are ordinary binary operators.
      if (context != "offset") {
        Fail(*start, "experimental duration expression is not enabled");
        return std::nullopt;
      }
    }
    return v;
  }

  static int64_t SecondsToMs(double seconds) {
    const double ns = std::round(seconds * 1e9);
    if (ns >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max() / 1000000;
    if (ns <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min() / 1000000;
    return static_cast<int64_t>(ns) / 1000000;
  }

  // A positive duration of a range or subquery.
  std::optional<int64_t> ParsePositiveDuration(std::string_view context, std::string_view expected) {
    int32_t start = 0;
    std::optional<double> v = ParseDurationValue(context, expected, &start);
    if (!v) return std::nullopt;
    if (*v <= 0) {
      Fail(start, "duration must be greater than 0");
      return std::nullopt;
    }
    return SecondsToMs(*v);
  }

  ExprPtr ParseRangeOrSubquery(ExprPtr e) {
    const Token lb = Take();
    std::optional<int64_t> range =
        ParsePositiveDuration("subquery or range selector", "number, duration, step(), or range()");
    if (!range) return nullptr;
    const TokenType t = Peek().type;
    if (failed()) return nullptr;
    if (t == TokenType::kRightBracket) {
      const Token rb = Take();
      const char* err = nullptr;
      if (e->kind != ExprKind::kVectorSelector) {
        err = "ranges only allowed for vector selectors";
      } else if (static_cast<VectorSelector&>(*e).offset_ms != 0) {
        err = "no offset modifiers allowed before range";
      } else if (static_cast<VectorSelector&>(*e).at != AtModifier::kNone) {
        err = "no @ modifiers allowed before range";
      }
      if (err != nullptr) {
        Fail(lb.pos, err);
        return nullptr;
      }
      auto m = std::make_unique<MatrixSelector>();
      m->range_ms = *range;
      m->end_pos = TokenEnd(rb);
      m->pos = {e->pos.start, m->end_pos};
      m->vector_selector = std::move(e);
      return m;
    }
    if (t != TokenType::kColon) {
      Unexpected("subquery or range", "\":\" or \"]\"");
      return nullptr;
    }
    Take();
    int64_t step = 0;
    if (Peek().type != TokenType::kRightBracket) {
      std::optional<int64_t> s =
          ParsePositiveDuration("subquery selector", "number, duration, step(), range(), or \"]\"");
      if (!s) return nullptr;
      step = *s;
      if (Peek().type != TokenType::kRightBracket) {
        Unexpected("subquery selector", "\"]\"");
        return nullptr;
      }
    }
    if (failed()) return nullptr;
    const Token rb = Take();
    auto sq = std::make_unique<SubqueryExpr>();
    sq->range_ms = *range;
    sq->step_ms = step;
    sq->end_pos = rb.pos + 1;
    sq->pos = {e->pos.start, sq->end_pos};
    sq->expr = std::move(e);
    return sq;
  }

  void ParseOffset(Expr& e) {
    int32_t start = 0;
    std::optional<double> v = ParseDurationValue("offset", "number, duration, step(), or range()", &start);
    if (!v) return;
    int64_t* offset = nullptr;
    int32_t* end = &e.pos.end;
    switch (e.kind) {
      case ExprKind::kVectorSelector:
        offset = &static_cast<VectorSelector&>(e).offset_ms;
        break;
      case ExprKind::kMatrixSelector: {
        auto& m = static_cast<MatrixSelector&>(e);
        offset = &static_cast<VectorSelector&>(*m.vector_selector).offset_ms;
        m.end_pos = last_closing_;
        break;
      }
      case ExprKind::kSubquery: {
        auto& s = static_cast<SubqueryExpr&>(e);
        offset = &s.offset_ms;
        s.end_pos = last_closing_;
        break;
      }
      default:
        Fail(e.pos.start,
             "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        return;
    }
    if (*offset != 0) {
      Fail(e.pos.start, "offset may not be set multiple times");
      return;
    }
    *offset = SecondsToMs(*v);
    *end = last_closing_;
  }

  void ParseAt(Expr& e) {
    const Token& t = Peek();
    if (failed()) return;
    AtModifier kind = AtModifier::kTimestamp;
    double ts = 0;
    if (t.type == TokenType::kStart || t.type == TokenType::kEnd) {
      kind = t.type == TokenType::kStart ? AtModifier::kStart : AtModifier::kEnd;
      Take();
      if (Peek().type != TokenType::kLeftParen) return Unexpected("@", "timestamp");
      Take();
      if (Peek().type != TokenType::kRightParen) return Unexpected("@", "timestamp");
      Take();
    } else {
      double sign = 1;
      const TokenType first = t.type;
      if (first == TokenType::kAdd || first == TokenType::kSub) {
        Take();
        if (first == TokenType::kSub) sign = -1;
      }
      const TokenType nt = Peek().type;
      if (nt != TokenType::kNumber && nt != TokenType::kDuration) return Unexpected("@", "timestamp");
      ExprPtr lit = ParseNumberLiteral(Take());
      if (failed()) return;
      ts = sign * static_cast<NumberLiteral&>(*lit).value;
      if (std::isinf(ts) || std::isnan(ts) || ts >= 9.2233720368547758e18 || ts <= -9.2233720368547758e18) {
        Fail(e.pos.start, absl::StrCat("timestamp out of bounds for @ modifier: ", FormatFloatF(ts)));
        return;
      }
    }
    AtModifier* at = nullptr;
    TimestampMs* at_ms = nullptr;
    switch (e.kind) {
      case ExprKind::kVectorSelector: {
        auto& vs = static_cast<VectorSelector&>(e);
        at = &vs.at;
        at_ms = &vs.at_ms;
        break;
      }
      case ExprKind::kMatrixSelector: {
        auto& vs = static_cast<VectorSelector&>(*static_cast<MatrixSelector&>(e).vector_selector);
        at = &vs.at;
        at_ms = &vs.at_ms;
        break;
      }
      case ExprKind::kSubquery: {
        auto& s = static_cast<SubqueryExpr&>(e);
        at = &s.at;
        at_ms = &s.at_ms;
        break;
      }
      default:
        Fail(e.pos.start,
             "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        return;
    }
    if (*at != AtModifier::kNone) {
      Fail(e.pos.start, "@ <timestamp> may not be set multiple times");
      return;
    }
    *at = kind;
    if (kind == AtModifier::kTimestamp) {
      const double ms = std::round(ts * 1000);
      if (ms >= 9.2233720368547758e18) {
        *at_ms = std::numeric_limits<int64_t>::max();
      } else if (ms <= -9.2233720368547758e18) {
        *at_ms = std::numeric_limits<int64_t>::min();
      } else {
        *at_ms = static_cast<int64_t>(ms);
      }
    }
    if (e.kind == ExprKind::kMatrixSelector) static_cast<MatrixSelector&>(e).end_pos = last_closing_;
    if (e.kind == ExprKind::kSubquery) static_cast<SubqueryExpr&>(e).end_pos = last_closing_;
    e.pos.end = last_closing_;
  }

  // ( expr, ... ) of a call or aggregation; the lookahead is `(`.
  std::vector<ExprPtr> ParseCallBody() {
    std::vector<ExprPtr> args;
    Take();
    if (Peek().type == TokenType::kRightParen) {
      Take();
      return args;
    }
    while (!failed()) {
      ExprPtr arg = ParseExpr(1);
      if (failed()) break;
      args.push_back(std::move(arg));
      const TokenType t = Peek().type;
      if (t == TokenType::kComma) {
        const Token comma = Take();
        if (Peek().type == TokenType::kRightParen) {
          Fail(comma.pos, "trailing commas not allowed in function call args");
          break;
        }
      } else if (t == TokenType::kRightParen) {
        Take();
        break;
      } else {
        Unexpected();
      }
    }
    return args;
  }

  ExprPtr ParseCall(const Token& name) {
    const int saved = depth_;
    if (!Enter()) return nullptr;
    std::vector<ExprPtr> args = ParseCallBody();
    depth_ = saved;
    if (failed()) return nullptr;
    const FunctionInfo* f = LookupFunction(name.text);
    if (f == nullptr) {
      Fail(name.pos, absl::StrCat("unknown function with name ", QuoteString(name.text)));
      return nullptr;
    }
    auto call = std::make_unique<Call>();
    call->func = f;
    call->args = std::move(args);
    call->pos = {name.pos, last_closing_};
    return call;
  }

  ExprPtr ParseAggregate(const Token& op) {
    const int saved = depth_;
    if (!Enter()) return nullptr;
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = ToAggregateOp(op.type);
    ++agg_depth_;
    std::vector<ExprPtr> args;
    TokenType t = Peek().type;
    if (t == TokenType::kBy || t == TokenType::kWithout) {
      Take();
      agg->without = t == TokenType::kWithout;
      agg->grouping = ParseGroupingLabels();
      if (!failed() && Peek().type != TokenType::kLeftParen) Unexpected("aggregation");
      if (!failed()) args = ParseCallBody();
      --agg_depth_;
    } else {
      args = ParseCallBody();
      --agg_depth_;
      t = Peek().type;
      if (!failed() && (t == TokenType::kBy || t == TokenType::kWithout)) {
        Take();
        agg->without = t == TokenType::kWithout;
        agg->grouping = ParseGroupingLabels();
      }
    }
    depth_ = saved;
    if (failed()) return nullptr;
    agg->pos = {op.pos, last_closing_};
    if (args.empty()) {
      Fail(op.pos, "no arguments for aggregate expression provided");
      return nullptr;
    }
    const size_t want = AggregateTakesParam(agg->op) ? 2 : 1;
    if (args.size() != want) {
      Fail(op.pos, absl::StrFormat("wrong number of arguments for aggregate expression provided, expected %d, got %d",
                                   want, args.size()));
      return nullptr;
    }
    if (want == 2) agg->param = std::move(args[0]);
    agg->expr = std::move(args[want - 1]);
    return agg;
  }

  // name{matchers}, name, or {matchers} (name null, lookahead `{`).
  ExprPtr ParseSelector(const Token* name) {
    auto vs = std::make_unique<VectorSelector>();
    if (name != nullptr) {
      vs->name = std::string(name->text);
      vs->pos = {name->pos, TokenEnd(*name)};
      absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kEqual, "__name__", vs->name);
      if (!m.ok()) {
        Fail(name->pos, std::string(m.status().message()));
        return nullptr;
      }
      vs->matchers.push_back(*std::move(m));
      if (Peek().type != TokenType::kLeftBrace) return failed() ? nullptr : std::move(vs);
    }
    const Token lb = Take();
    if (name == nullptr) vs->pos.start = lb.pos;
    if (Peek().type == TokenType::kRightBrace) {
      vs->pos.end = TokenEnd(Take());
      return vs;
    }
    while (!failed()) {
      ParseMatcher(*vs);
      if (failed()) break;
      const TokenType t = Peek().type;
      if (t == TokenType::kComma) {
        Take();
        if (Peek().type == TokenType::kRightBrace) {
          vs->pos.end = TokenEnd(Take());
          break;
        }
      } else if (t == TokenType::kRightBrace) {
        vs->pos.end = TokenEnd(Take());
        break;
      } else {
        Unexpected("label matching", "\",\" or \"}\"");
      }
    }
    return failed() ? nullptr : std::move(vs);
  }

  void ParseMatcher(VectorSelector& vs) {
    const Token& t = Peek();
    if (failed()) return;
    if (t.type != TokenType::kIdentifier && t.type != TokenType::kString) {
      return Unexpected("label matching", "identifier or \"}\"");
    }
    const Token name_tok = Take();
    std::string name;
    if (name_tok.type == TokenType::kString) {
      absl::StatusOr<std::string> n = Unquote(name_tok);
      if (!n.ok()) return;
      name = *std::move(n);
    } else {
      name = std::string(name_tok.text);
    }
    const TokenType op = Peek().type;
    if (failed()) return;
    if (!IsMatchOp(op)) {
      if (name_tok.type == TokenType::kString) {
        // A quoted name alone is the metric name: {"my.metric"}.
        absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kEqual, "__name__", name);
        if (!m.ok()) return Fail(name_tok.pos, std::string(m.status().message()));
        vs.matchers.push_back(*std::move(m));
        return;
      }
      return Unexpected("label matching", "label matching operator");
    }
    Take();
    if (Peek().type != TokenType::kString) return Unexpected("label matching", "string");
    const Token value_tok = Take();
    absl::StatusOr<std::string> value = Unquote(value_tok);
    if (!value.ok()) return;
    absl::StatusOr<Matcher> m = Matcher::Create(ToMatchType(op), std::move(name), *std::move(value));
    if (!m.ok()) return Fail(name_tok.pos, std::string(m.status().message()));
    vs.matchers.push_back(*std::move(m));
  }

  std::string_view query_;
  Lexer lex_;
  Token tok_;
  bool has_tok_ = false;
  bool failed_ = false;
  int32_t err_pos_ = 0;
  std::string err_msg_;
  int32_t last_closing_ = 0;
  int depth_ = 0;
  int agg_depth_ = 0;
};

}  // namespace

absl::StatusOr<ExprPtr> ParseExpr(std::string_view query) {
  if (query.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2)) {
    return absl::InvalidArgumentError("query too long");
  }
  Parser p(query);
  return p.ParseTop();
}

absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view selector) {
  if (selector.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2)) {
    return absl::InvalidArgumentError("selector too long");
  }
  Parser p(selector);
  return p.ParseSelectorTop();
}

}  // namespace vigil::promql
