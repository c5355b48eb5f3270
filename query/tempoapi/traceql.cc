#include "query/tempoapi/traceql.h"

#include <cctype>
#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "base/strings/absl_view.h"
#include "re2/re2.h"

namespace vigil::tempoapi {

using traces::AttributeScope;
using traces::SpanSummary;

namespace {

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kRe, kNre };

struct Literal {
  enum class Type { kString, kInt, kFloat, kBool, kDuration, kNil, kKeyword };
  Type type = Type::kString;
  std::string text;  // strings and keywords
  int64_t i = 0;     // ints and durations (ns)
  double d = 0;
  bool b = false;
};

enum class Tok { kEnd, kLBrace, kRBrace, kLParen, kRParen, kAnd, kOr, kOp, kString, kNumber, kDuration, kIdent, kPipe };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // decoded string, identifier, number text, operator
  size_t pos = 0;
};

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':'; }

}  // namespace

struct TraceQLQuery::Node {
  enum class Kind { kAnd, kOr, kCompare };
  Kind kind = Kind::kCompare;
  std::unique_ptr<Node> left, right;
  TraceQLField field;
  Op op = Op::kEq;
  Literal literal;
  std::unique_ptr<RE2> re;
};

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::Status Error(size_t pos, std::string_view why) const {
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("parse error at line ", line, ", col ", pos - line_start + 1, ": ", AV(why)));
  }

  absl::Status Lex(std::vector<Token>* out) {
    size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      Token t;
      t.pos = i;
      if (i >= text_.size()) {
        out->push_back(t);
        return absl::OkStatus();
      }
      const char c = text_[i];
      auto two = [&](std::string_view s) { return text_.substr(i, 2) == s; };
      if (c == '{' || c == '}' || c == '(' || c == ')') {
        t.kind = c == '{' ? Tok::kLBrace : c == '}' ? Tok::kRBrace : c == '(' ? Tok::kLParen : Tok::kRParen;
        ++i;
      } else if (two("&&")) {
        t.kind = Tok::kAnd;
        i += 2;
      } else if (two("||")) {
        t.kind = Tok::kOr;
        i += 2;
      } else if (c == '|') {
        t.kind = Tok::kPipe;
        ++i;
      } else if (two("!=") || two("=~") || two("!~") || two("<=") || two(">=")) {
        t.kind = Tok::kOp;
        t.text = std::string(text_.substr(i, 2));
        i += 2;
      } else if (c == '=' || c == '<' || c == '>') {
        t.kind = Tok::kOp;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '"' || c == '`') {
        t.kind = Tok::kString;
        ++i;
        bool closed = false;
        while (i < text_.size()) {
          char d = text_[i++];
          if (d == c) {
            closed = true;
            break;
          }
          if (d == '\\' && c == '"') {
            if (i >= text_.size()) break;
            char e = text_[i++];
            switch (e) {
              case 'n':
                t.text.push_back('\n');
                break;
              case 't':
                t.text.push_back('\t');
                break;
              case '\\':
              case '"':
                t.text.push_back(e);
                break;
              default:
                return Error(i - 2, absl::StrCat("unknown escape \\", std::string(1, e), " in string"));
            }
            continue;
          }
          t.text.push_back(d);
        }
        if (!closed) return Error(t.pos, "unterminated string");
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t j = i + 1;
        while (j < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '.' ||
                                    text_.substr(j, 2) == "\xC2\xB5")) {
          j += text_.substr(j, 2) == "\xC2\xB5" ? 2 : 1;
        }
        t.text = std::string(text_.substr(i, j - i));
        bool has_unit = false;
        for (char d : t.text) has_unit |= std::isalpha(static_cast<unsigned char>(d)) || d == '\xC2';
        // "1e3" is a float, not a duration.
        t.kind = has_unit && t.text.find_first_of("nsuµmh\xC2") != std::string::npos ? Tok::kDuration : Tok::kNumber;
        i = j;
      } else if (IsIdentChar(c)) {
        size_t j = i;
        while (j < text_.size() && IsIdentChar(text_[j])) ++j;
        t.kind = Tok::kIdent;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else {
        return Error(i, absl::StrCat("unexpected character '", std::string(1, c), "'"));
      }
      out->push_back(std::move(t));
    }
  }

  absl::Status Parse(TraceQLQuery* q, std::unique_ptr<TraceQLQuery::Node>* root, std::vector<TraceQLField>* attrs) {
    attrs_ = attrs;
    if (absl::Status st = Lex(&toks_); !st.ok()) return st;
    if (Peek().kind != Tok::kLBrace) return Error(Peek().pos, "a query starts with '{'");
    ++next_;
    if (Peek().kind != Tok::kRBrace) {
      absl::StatusOr<std::unique_ptr<TraceQLQuery::Node>> n = ParseOr();
      if (!n.ok()) return n.status();
      *root = std::move(*n);
    }
    if (Peek().kind != Tok::kRBrace) return Error(Peek().pos, "expected '}', '&&' or '||'");
    ++next_;
    const Token& t = Peek();
    if (t.kind == Tok::kPipe) return Error(t.pos, "pipelines ('|') are not supported");
    if (t.kind == Tok::kAnd || t.kind == Tok::kOr) return Error(t.pos, "only one spanset { ... } is supported");
    if (t.kind != Tok::kEnd) return Error(t.pos, "unexpected text after '}'");
    (void)q;
    return absl::OkStatus();
  }

 private:
  using NodeP = std::unique_ptr<TraceQLQuery::Node>;
  const Token& Peek() const { return toks_[next_]; }

  absl::StatusOr<NodeP> ParseOr() {
    absl::StatusOr<NodeP> left = ParseAnd();
    if (!left.ok()) return left;
    NodeP n = std::move(*left);
    while (Peek().kind == Tok::kOr) {
      ++next_;
      absl::StatusOr<NodeP> right = ParseAnd();
      if (!right.ok()) return right;
      auto parent = std::make_unique<TraceQLQuery::Node>();
      parent->kind = TraceQLQuery::Node::Kind::kOr;
      parent->left = std::move(n);
      parent->right = std::move(*right);
      n = std::move(parent);
    }
    return n;
  }

  absl::StatusOr<NodeP> ParseAnd() {
    absl::StatusOr<NodeP> left = ParsePrimary();
    if (!left.ok()) return left;
    NodeP n = std::move(*left);
    while (Peek().kind == Tok::kAnd) {
      ++next_;
      absl::StatusOr<NodeP> right = ParsePrimary();
      if (!right.ok()) return right;
      auto parent = std::make_unique<TraceQLQuery::Node>();
      parent->kind = TraceQLQuery::Node::Kind::kAnd;
      parent->left = std::move(n);
      parent->right = std::move(*right);
      n = std::move(parent);
    }
    return n;
  }

  absl::StatusOr<NodeP> ParsePrimary() {
    if (Peek().kind == Tok::kLParen) {
      ++next_;
      absl::StatusOr<NodeP> inner = ParseOr();
      if (!inner.ok()) return inner;
      if (Peek().kind != Tok::kRParen) return Error(Peek().pos, "expected ')'");
      ++next_;
      return inner;
    }
    return ParseComparison();
  }

  absl::Status ParseField(const Token& t, TraceQLField* f) {
    static constexpr std::pair<std::string_view, TraceQLField::Kind> kIntrinsics[] = {
        {"name", TraceQLField::Kind::kName},         {"span:name", TraceQLField::Kind::kName},
        {"status", TraceQLField::Kind::kStatus},     {"span:status", TraceQLField::Kind::kStatus},
        {"kind", TraceQLField::Kind::kKind},         {"span:kind", TraceQLField::Kind::kKind},
        {"duration", TraceQLField::Kind::kDuration}, {"span:duration", TraceQLField::Kind::kDuration},
    };
    for (const auto& [word, kind] : kIntrinsics) {
      if (t.text == word) {
        f->kind = kind;
        return absl::OkStatus();
      }
    }
    std::string_view s = t.text;
    auto strip = [&](std::string_view prefix) {
      if (s.substr(0, prefix.size()) != prefix) return false;
      s.remove_prefix(prefix.size());
      return true;
    };
    f->kind = TraceQLField::Kind::kAttribute;
    if (strip("resource.")) {
      f->any_scope = false;
      f->scope = AttributeScope::kResource;
    } else if (strip("span.")) {
      f->any_scope = false;
      f->scope = AttributeScope::kSpan;
    } else if (!strip(".")) {
      return Error(t.pos, absl::StrCat("unknown field \"", t.text,
                                       "\": use name, status, kind, duration, resource.<key>, span.<key> or .<key>"));
    }
    if (s.empty()) return Error(t.pos, "attribute name missing after its scope");
    f->key = std::string(s);
    return absl::OkStatus();
  }

  absl::StatusOr<NodeP> ParseComparison() {
    const Token& ft = Peek();
    if (ft.kind != Tok::kIdent) return Error(ft.pos, "expected a field (name, status, duration, .attribute, ...)");
    auto n = std::make_unique<TraceQLQuery::Node>();
    if (absl::Status st = ParseField(ft, &n->field); !st.ok()) return st;
    ++next_;
    const Token& ot = Peek();
    if (ot.kind != Tok::kOp) return Error(ot.pos, "expected a comparison operator (=, !=, <, <=, >, >=, =~, !~)");
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"=", Op::kEq},  {"!=", Op::kNe}, {"<", Op::kLt},
                                                               {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe},
                                                               {"=~", Op::kRe}, {"!~", Op::kNre}};
    for (const auto& [text, op] : kOps) {
      if (ot.text == text) n->op = op;
    }
    ++next_;
    const Token& lt = Peek();
    if (absl::Status st = ParseLiteral(lt, n.get()); !st.ok()) return st;
    ++next_;
    if (n->field.kind == TraceQLField::Kind::kAttribute) attrs_->push_back(n->field);
    return n;
  }

  absl::Status ParseLiteral(const Token& t, TraceQLQuery::Node* n) {
    Literal& l = n->literal;
    using FK = TraceQLField::Kind;
    const FK fk = n->field.kind;
    const bool ordering = n->op == Op::kLt || n->op == Op::kLe || n->op == Op::kGt || n->op == Op::kGe;
    const bool regex = n->op == Op::kRe || n->op == Op::kNre;
    switch (t.kind) {
      case Tok::kString:
        l.type = Literal::Type::kString;
        l.text = t.text;
        break;
      case Tok::kNumber:
        if (absl::SimpleAtoi(AV(t.text), &l.i)) {
          l.type = Literal::Type::kInt;
        } else if (absl::SimpleAtod(AV(t.text), &l.d) && std::isfinite(l.d)) {
          l.type = Literal::Type::kFloat;
        } else {
          return Error(t.pos, absl::StrCat("bad number \"", t.text, "\""));
        }
        break;
      case Tok::kDuration: {
        absl::Duration d;
        if (!absl::ParseDuration(absl::StrReplaceAll(t.text, {{"\xC2\xB5", "us"}}), &d)) {
          return Error(t.pos, absl::StrCat("bad duration \"", t.text, "\" (want e.g. 100ms, 1.5s, 1h30m)"));
        }
        l.type = Literal::Type::kDuration;
        l.i = absl::ToInt64Nanoseconds(d);
        break;
      }
      case Tok::kIdent:
        if (t.text == "true" || t.text == "false") {
          l.type = Literal::Type::kBool;
          l.b = t.text == "true";
        } else if (t.text == "nil") {
          l.type = Literal::Type::kNil;
        } else {
          l.type = Literal::Type::kKeyword;
          l.text = t.text;
        }
        break;
      default:
        return Error(t.pos, "expected a value (a \"string\", number, duration, true, false, nil or keyword)");
    }
    if (regex && l.type != Literal::Type::kString) return Error(t.pos, "=~ and !~ need a \"string\" regex");
    if (regex) {
      n->re = std::make_unique<RE2>(l.text, RE2::Quiet);
      if (!n->re->ok()) return Error(t.pos, absl::StrCat("bad regex: ", n->re->error()));
    }
    if (l.type == Literal::Type::kNil) {
      if (fk != FK::kAttribute || (n->op != Op::kEq && n->op != Op::kNe)) {
        return Error(t.pos, "nil is only compared to attributes, with = or !=");
      }
      return absl::OkStatus();
    }
    switch (fk) {
      case FK::kName:
        if (l.type != Literal::Type::kString) return Error(t.pos, "name is compared with a \"string\"");
        break;
      case FK::kStatus:
      case FK::kKind: {
        const bool status = fk == FK::kStatus;
        if (ordering) return Error(t.pos, absl::StrCat(status ? "status" : "kind", " takes only = and !="));
        if (regex) break;
        if (l.type != Literal::Type::kKeyword && l.type != Literal::Type::kString) {
          return Error(t.pos, status ? "status is one of unset, ok, error"
                                     : "kind is one of unspecified, internal, "
                                       "server, client, producer, consumer");
        }
        bool known = false;
        for (int c = 0; c <= (status ? 2 : 5); ++c) {
          std::string_view name =
              status ? SpanStatusCodeName(static_cast<SpanStatusCode>(c)) : SpanKindName(static_cast<SpanKind>(c));
          if (l.text == name) {
            known = true;
            l.i = c;
          }
        }
        if (!known) return Error(t.pos, absl::StrCat("unknown ", status ? "status" : "kind", " \"", l.text, "\""));
        break;
      }
      case FK::kDuration:
        if (l.type != Literal::Type::kDuration) return Error(t.pos, "duration is compared with a duration (100ms)");
        break;
      case FK::kAttribute:
        if (l.type == Literal::Type::kKeyword) {
          return Error(t.pos, absl::StrCat("unexpected identifier \"", l.text, "\"; quote strings"));
        }
        if (l.type == Literal::Type::kDuration) {
          return Error(t.pos, "attributes are not compared with durations; use duration or a number");
        }
        break;
    }
    return absl::OkStatus();
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t next_ = 0;
  std::vector<TraceQLField>* attrs_ = nullptr;
};

template <typename T>
bool Ordered(Op op, T a, T b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
    default:
      return false;
  }
}

bool CompareString(const TraceQLQuery::Node& n, const std::string& value) {
  if (n.op == Op::kRe) return RE2::FullMatch(value, *n.re);
  if (n.op == Op::kNre) return !RE2::FullMatch(value, *n.re);
  return Ordered<std::string_view>(n.op, value, n.literal.text);
}

bool CompareValue(const TraceQLQuery::Node& n, const AnyValue& v) {
  const Literal& l = n.literal;
  if (l.type == Literal::Type::kString) {
    return CompareString(n, v.type() == AnyValue::Type::kString ? v.string_value() : v.ToString());
  }
  switch (v.type()) {
    case AnyValue::Type::kInt:
      if (l.type == Literal::Type::kInt) return Ordered(n.op, v.int_value(), l.i);
      if (l.type == Literal::Type::kFloat) return Ordered(n.op, static_cast<double>(v.int_value()), l.d);
      return false;
    case AnyValue::Type::kDouble:
      if (l.type == Literal::Type::kInt) return Ordered(n.op, v.double_value(), static_cast<double>(l.i));
      if (l.type == Literal::Type::kFloat) return Ordered(n.op, v.double_value(), l.d);
      return false;
    case AnyValue::Type::kBool:
      return l.type == Literal::Type::kBool && (n.op == Op::kEq || n.op == Op::kNe) &&
             Ordered(n.op, v.bool_value(), l.b);
    default:
      return false;
  }
}

bool Eval(const TraceQLQuery::Node& n, const SpanSummary& s) {
  using K = TraceQLQuery::Node::Kind;
  if (n.kind == K::kAnd) return Eval(*n.left, s) && Eval(*n.right, s);
  if (n.kind == K::kOr) return Eval(*n.left, s) || Eval(*n.right, s);
  switch (n.field.kind) {
    case TraceQLField::Kind::kName:
      return CompareString(n, s.name);
    case TraceQLField::Kind::kStatus:
      if (n.re != nullptr) return CompareString(n, std::string(SpanStatusCodeName(s.status)));
      return Ordered<int64_t>(n.op, static_cast<int64_t>(s.status), n.literal.i);
    case TraceQLField::Kind::kKind:
      if (n.re != nullptr) return CompareString(n, std::string(SpanKindName(s.kind)));
      return Ordered<int64_t>(n.op, static_cast<int64_t>(s.kind), n.literal.i);
    case TraceQLField::Kind::kDuration:
      return Ordered<int64_t>(n.op, static_cast<int64_t>(s.duration_nanos), n.literal.i);
    case TraceQLField::Kind::kAttribute:
      break;
  }
  const TraceQLField& f = n.field;
  const AnyValue* v = nullptr;
  AnyValue service;
  if (f.any_scope || f.scope == AttributeScope::kSpan) v = s.Find(AttributeScope::kSpan, f.key);
  if (v == nullptr && (f.any_scope || f.scope == AttributeScope::kResource)) {
    if (f.key == "service.name") {
      if (!s.service.empty()) {
        service = AnyValue::String(s.service);
        v = &service;
      }
    } else {
      v = s.Find(AttributeScope::kResource, f.key);
    }
  }
  if (n.literal.type == Literal::Type::kNil) return (v == nullptr) == (n.op == Op::kEq);
  return v != nullptr && CompareValue(n, *v);
}

traces::SpanIndexPlan DurationPlan(const TraceQLQuery::Node& n) {
  using P = traces::SpanIndexPlan;
  P p;
  const uint64_t v = n.literal.i < 0 ? 0 : static_cast<uint64_t>(n.literal.i);
  p.kind = P::Kind::kDuration;
  switch (n.op) {
    case Op::kEq:
      p.min_duration_ns = p.max_duration_ns = v;
      break;
    case Op::kGt:
      p.min_duration_ns = v == UINT64_MAX ? v : v + 1;
      break;
    case Op::kGe:
      p.min_duration_ns = v;
      break;
    case Op::kLt:
      if (v == 0) {  // nothing is shorter than 0: an empty range
        p.min_duration_ns = 1;
        p.max_duration_ns = 0;
      } else {
        p.max_duration_ns = v - 1;
      }
      break;
    case Op::kLe:
      p.max_duration_ns = v;
      break;
    default:
      return P::Any();
  }
  return p;
}

traces::SpanIndexPlan PlanFor(const TraceQLQuery::Node& n) {
  using P = traces::SpanIndexPlan;
  using K = TraceQLQuery::Node::Kind;
  P p;
  if (n.kind == K::kAnd || n.kind == K::kOr) {
    p.kind = n.kind == K::kAnd ? P::Kind::kAnd : P::Kind::kOr;
    p.children.push_back(PlanFor(*n.left));
    p.children.push_back(PlanFor(*n.right));
    return p;
  }
  // The store offers each indexed value as a summary holding only that value: the comparison itself decides.
  p.matches = [&n](const SpanSummary& s) { return Eval(n, s); };
  switch (n.field.kind) {
    case TraceQLField::Kind::kName:
      p.kind = P::Kind::kName;
      return p;
    case TraceQLField::Kind::kStatus:
      p.kind = P::Kind::kStatus;
      return p;
    case TraceQLField::Kind::kKind:
      p.kind = P::Kind::kKind;
      return p;
    case TraceQLField::Kind::kDuration:
      return DurationPlan(n);
    case TraceQLField::Kind::kAttribute:
      break;
  }
  // `= nil` matches spans without the attribute, which no index term lists.
  if (n.literal.type == Literal::Type::kNil && n.op == Op::kEq) return P::Any();
  p.kind = P::Kind::kAttribute;
  p.any_scope = n.field.any_scope;
  p.scope = n.field.scope;
  p.key = n.field.key;
  return p;
}

}  // namespace

TraceQLQuery::TraceQLQuery() = default;
TraceQLQuery::~TraceQLQuery() = default;

absl::StatusOr<std::unique_ptr<TraceQLQuery>> TraceQLQuery::Parse(std::string_view text) {
  auto q = std::make_unique<TraceQLQuery>();
  Parser p(text);
  if (absl::Status st = p.Parse(q.get(), &q->root_, &q->attribute_fields_); !st.ok()) return st;
  return q;
}

bool TraceQLQuery::Matches(const SpanSummary& span) const { return root_ == nullptr || Eval(*root_, span); }

traces::SpanIndexPlan TraceQLQuery::IndexPlan() const {
  return root_ == nullptr ? traces::SpanIndexPlan::Any() : PlanFor(*root_);
}

bool TraceQLQuery::matches_all() const { return root_ == nullptr; }

std::string TraceQLQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace vigil::tempoapi
