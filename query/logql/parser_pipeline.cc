// Stream selectors, log ranges, pipeline stages and label filters of the LogQL parser.
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "query/logql/go_units.h"
#include "query/logql/parser.h"
#include "query/logql/parser_internal.h"
#include "query/logql/pattern.h"
#include "query/promql/literals.h"
#include "re2/re2.h"

namespace vigil::logql::internal {
namespace {

std::optional<LineMatchType> ToLineMatch(Tok t) {
  switch (t) {
    case Tok::kPipeExact:
      return LineMatchType::kContains;
    case Tok::kNeq:
      return LineMatchType::kNotContains;
    case Tok::kPipeMatch:
      return LineMatchType::kRegex;
    case Tok::kNre:
      return LineMatchType::kNotRegex;
    case Tok::kPipePattern:
      return LineMatchType::kPattern;
    case Tok::kNpa:
      return LineMatchType::kNotPattern;
    default:
      return std::nullopt;
  }
}

std::optional<MatchType> ToMatchType(Tok t) {
  switch (t) {
    case Tok::kEq:
      return MatchType::kEqual;
    case Tok::kNeq:
      return MatchType::kNotEqual;
    case Tok::kRe:
      return MatchType::kRegexMatch;
    case Tok::kNre:
      return MatchType::kRegexNoMatch;
    default:
      return std::nullopt;
  }
}

std::optional<CompareOp> ToCompareOp(Tok t) {
  switch (t) {
    case Tok::kEq:
    case Tok::kCmpEq:
      return CompareOp::kEq;
    case Tok::kNeq:
      return CompareOp::kNe;
    case Tok::kGt:
      return CompareOp::kGt;
    case Tok::kGte:
      return CompareOp::kGe;
    case Tok::kLt:
      return CompareOp::kLt;
    case Tok::kLte:
      return CompareOp::kLe;
    default:
      return std::nullopt;
  }
}

// Loki's NewRegexpParser checks: compiles, has named groups with valid, unique names.
absl::Status CheckRegexpParser(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (!re.ok()) return absl::InvalidArgumentError(absl::StrCat("error parsing regexp: ", re.error()));
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  if (names.empty()) return absl::InvalidArgumentError("at least one named capture must be supplied");
  for (const auto& [name, index] : names) {
    if (!IsValidLabelName(name)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid extracted label name '", name, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Matcher>> Parser::ParseMatcherList() {
  if (absl::Status s = Expect(Tok::kOpenBrace); !s.ok()) return s;
  std::vector<Matcher> out;
  if (Accept(Tok::kCloseBrace)) return out;
  while (true) {
    absl::StatusOr<Matcher> m = ParseMatcher();
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
    if (Accept(Tok::kComma)) continue;
    if (Accept(Tok::kCloseBrace)) return out;
    return Unexpected(Peek(), {Tok::kCloseBrace, Tok::kComma});
  }
}

absl::StatusOr<Matcher> Parser::ParseMatcher() {
  if (PeekType() != Tok::kIdentifier) return Unexpected(Peek(), {Tok::kIdentifier});
  const std::string name(Take().text);
  const std::optional<MatchType> type = ToMatchType(PeekType());
  if (!type) return Unexpected(Peek(), {Tok::kEq, Tok::kRe, Tok::kNre, Tok::kNeq});
  Take();
  if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
  std::string value = Take().str;
  absl::StatusOr<Matcher> m = Matcher::Create(*type, name, std::move(value));
  if (!m.ok()) return Semantic(std::string(m.status().message()));
  return m;
}

absl::StatusOr<std::unique_ptr<LogSelectorExpr>> Parser::ParseSelectorAndPipeline() {
  auto sel = std::make_unique<LogSelectorExpr>();
  absl::StatusOr<std::vector<Matcher>> ms = ParseMatcherList();
  if (!ms.ok()) return ms.status();
  sel->matchers = *std::move(ms);
  if (absl::Status s = ParsePipeline(&sel->stages, nullptr); !s.ok()) return s;
  return sel;
}

absl::Status Parser::ParseOffset(LogRange* r) {
  if (!Accept(Tok::kOffset)) return absl::OkStatus();
  if (PeekType() != Tok::kDuration) return Unexpected(Peek(), {Tok::kDuration});
  r->offset_ns = Take().duration_ns;
  return absl::OkStatus();
}

absl::StatusOr<Parser::LogRange> Parser::ParseLogRange() {
  if (PeekType() != Tok::kOpenParen) return ParseLogRangeBody(false);
  Take();
  absl::StatusOr<LogRange> r = PeekType() == Tok::kOpenParen ? ParseLogRange() : ParseLogRangeBody(true);
  if (!r.ok()) return r.status();
  if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
  if (!r->has_range) {
    if (PeekType() != Tok::kRange) return Unexpected(Peek(), {Tok::kRange});
    r->range_ns = Take().duration_ns;
    r->has_range = true;
    if (absl::Status s = ParseOffset(&*r); !s.ok()) return s;
  }
  return r;
}

absl::StatusOr<Parser::LogRange> Parser::ParseLogRangeBody(bool range_optional) {
  LogRange r;
  r.selector = std::make_unique<LogSelectorExpr>();
  absl::StatusOr<std::vector<Matcher>> ms = ParseMatcherList();
  if (!ms.ok()) return ms.status();
  r.selector->matchers = *std::move(ms);
  if (absl::Status s = ParsePipeline(&r.selector->stages, &r.unwrap); !s.ok()) return s;
  if (PeekType() == Tok::kRange) {
    r.range_ns = Take().duration_ns;
    r.has_range = true;
    if (absl::Status s = ParseOffset(&r); !s.ok()) return s;
    // Loki also accepts the pipeline after the range: {app="x"}[5m] | json | unwrap latency.
    if (r.selector->stages.empty() && !r.unwrap) {
      if (absl::Status s = ParsePipeline(&r.selector->stages, &r.unwrap); !s.ok()) return s;
    }
  } else if (!range_optional) {
    return Unexpected(Peek());
  }
  return r;
}

absl::Status Parser::ParsePipeline(std::vector<Stage>* stages, std::optional<Unwrap>* unwrap) {
  while (true) {
    const Tok t = PeekType();
    if (ToLineMatch(t)) {
      if (absl::Status s = ParseLineFilters(stages); !s.ok()) return s;
      continue;
    }
    if (t != Tok::kPipe) return absl::OkStatus();
    if (PeekType(1) == Tok::kUnwrap) {
      Take();
      if (unwrap == nullptr) return Unexpected(Peek());
      absl::StatusOr<Unwrap> u = ParseUnwrap();
      if (!u.ok()) return u.status();
      // Label filters after unwrap run after the conversion (typically `| __error__=""`).
      while (PeekType() == Tok::kPipe && StartsLabelFilter(1)) {
        Take();
        absl::StatusOr<LabelFilterPtr> f = ParseLabelFilter(0);
        if (!f.ok()) return f.status();
        u->post_filters.push_back(*std::move(f));
      }
      *unwrap = *std::move(u);
      return absl::OkStatus();
    }
    Take();
    absl::StatusOr<Stage> st = ParsePipeStage();
    if (!st.ok()) return st.status();
    stages->push_back(*std::move(st));
  }
}

absl::Status Parser::ParseLineFilters(std::vector<Stage>* stages) {
  const LineMatchType type = *ToLineMatch(Take().type);
  std::vector<std::string> values;
  while (true) {
    if (PeekType() == Tok::kIp) return Semantic("ip() line filters are not supported");
    if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString, Tok::kIp});
    values.push_back(Take().str);
    if (PeekType() == Tok::kOr && (PeekType(1) == Tok::kString || PeekType(1) == Tok::kIp)) {
      Take();
      continue;
    }
    break;
  }
  for (const std::string& v : values) {
    if (type == LineMatchType::kRegex || type == LineMatchType::kNotRegex) {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(v, opts);
      if (!re.ok())
        return Semantic(absl::StrCat("invalid regex in line filter ", promql::QuoteString(v), ": ", re.error()));
    } else if (type == LineMatchType::kPattern || type == LineMatchType::kNotPattern) {
      absl::StatusOr<Pattern> p = Pattern::ParseLineFilter(v);
      if (!p.ok()) return Semantic(absl::StrCat("invalid pattern line filter: ", p.status().message()));
    }
  }
  if (IsNegativeLineMatch(type)) {
    // !(a or b) is (!a and !b): Loki turns `!= "a" or "b"` into `!= "a" != "b"`.
    for (std::string& v : values) stages->push_back(LineFilterStage{type, {std::move(v)}});
  } else {
    stages->push_back(LineFilterStage{type, std::move(values)});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LabelExtraction>> Parser::ParseExtractions() {
  std::vector<LabelExtraction> out;
  while (true) {
    if (PeekType() != Tok::kIdentifier) return Unexpected(Peek(), {Tok::kIdentifier});
    LabelExtraction e;
    e.label = std::string(Take().text);
    if (Accept(Tok::kEq)) {
      if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
      e.path = Take().str;
    } else {
      e.path = e.label;
    }
    out.push_back(std::move(e));
    if (!Accept(Tok::kComma)) return out;
  }
}

absl::StatusOr<std::vector<NamedLabelMatcher>> Parser::ParseNamedMatchers() {
  std::vector<NamedLabelMatcher> out;
  while (true) {
    if (PeekType() != Tok::kIdentifier) return Unexpected(Peek(), {Tok::kIdentifier});
    NamedLabelMatcher n;
    if (ToMatchType(PeekType(1))) {
      absl::StatusOr<Matcher> m = ParseMatcher();
      if (!m.ok()) return m.status();
      n.matcher = *std::move(m);
    } else {
      n.name = std::string(Take().text);
    }
    out.push_back(std::move(n));
    if (!Accept(Tok::kComma)) return out;
  }
}

absl::StatusOr<Stage> Parser::ParsePipeStage() {
  switch (PeekType()) {
    case Tok::kJson: {
      Take();
      JsonStage s;
      if (PeekType() == Tok::kIdentifier) {
        absl::StatusOr<std::vector<LabelExtraction>> ex = ParseExtractions();
        if (!ex.ok()) return ex.status();
        s.extractions = *std::move(ex);
      }
      return Stage(std::move(s));
    }
    case Tok::kLogfmt: {
      Take();
      LogfmtStage s;
      while (PeekType() == Tok::kFlag) {
        const Token f = Take();
        if (f.str == "--strict") s.strict = true;
        if (f.str == "--keep-empty") s.keep_empty = true;
      }
      if (PeekType() == Tok::kIdentifier) {
        absl::StatusOr<std::vector<LabelExtraction>> ex = ParseExtractions();
        if (!ex.ok()) return ex.status();
        s.extractions = *std::move(ex);
      }
      return Stage(std::move(s));
    }
    case Tok::kRegexp: {
      Take();
      if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
      RegexpStage s{Take().str};
      if (absl::Status st = CheckRegexpParser(s.pattern); !st.ok()) {
        return Semantic(absl::StrCat("invalid regexp parser: ", st.message()));
      }
      return Stage(std::move(s));
    }
    case Tok::kPattern: {
      Take();
      if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
      PatternStage s{Take().str};
      absl::StatusOr<Pattern> p = Pattern::Parse(s.pattern);
      if (!p.ok()) return Semantic(absl::StrCat("invalid pattern parser: ", p.status().message()));
      return Stage(std::move(s));
    }
    case Tok::kUnpack:
      Take();
      return Stage(UnpackStage{});
    case Tok::kDecolorize:
      Take();
      return Stage(DecolorizeStage{});
    case Tok::kLineFormat: {
      Take();
      if (PeekType() != Tok::kString) return Unexpected(Peek(), {Tok::kString});
      return Stage(LineFormatStage{Take().str});
    }
    case Tok::kLabelFormat: {
      Take();
      LabelFormatStage s;
      while (true) {
        if (PeekType() != Tok::kIdentifier) return Unexpected(Peek(), {Tok::kIdentifier});
        LabelFormatItem item;
        item.name = std::string(Take().text);
        if (absl::Status st = Expect(Tok::kEq, {Tok::kEq}); !st.ok()) return st;
        if (PeekType() == Tok::kIdentifier) {
          item.rename = true;
          item.value = std::string(Take().text);
        } else if (PeekType() == Tok::kString) {
          item.value = Take().str;
        } else {
          return Unexpected(Peek(), {Tok::kIdentifier, Tok::kString});
        }
        s.items.push_back(std::move(item));
        if (!Accept(Tok::kComma)) break;
      }
      return Stage(std::move(s));
    }
    case Tok::kDrop:
    case Tok::kKeep: {
      const bool drop = Take().type == Tok::kDrop;
      absl::StatusOr<std::vector<NamedLabelMatcher>> ls = ParseNamedMatchers();
      if (!ls.ok()) return ls.status();
      if (drop) return Stage(DropStage{*std::move(ls)});
      return Stage(KeepStage{*std::move(ls)});
    }
    case Tok::kIdentifier:
    case Tok::kOpenParen: {
      absl::StatusOr<LabelFilterPtr> f = ParseLabelFilter(0);
      if (!f.ok()) return f.status();
      return Stage(LabelFilterStage{*std::move(f)});
    }
    default:
      return Unexpected(Peek());
  }
}

absl::StatusOr<Unwrap> Parser::ParseUnwrap() {
  Take();  // unwrap
  Unwrap u;
  switch (PeekType()) {
    case Tok::kIdentifier:
      u.label = std::string(Take().text);
      return u;
    case Tok::kBytesConv:
    case Tok::kDurationConv:
    case Tok::kDurationSecondsConv: {
      const Tok conv = Take().type;
      u.conversion = conv == Tok::kBytesConv      ? UnwrapConversion::kBytes
                     : conv == Tok::kDurationConv ? UnwrapConversion::kDuration
                                                  : UnwrapConversion::kDurationSeconds;
      if (absl::Status s = Expect(Tok::kOpenParen); !s.ok()) return s;
      if (PeekType() != Tok::kIdentifier) return Unexpected(Peek(), {Tok::kIdentifier});
      u.label = std::string(Take().text);
      if (absl::Status s = Expect(Tok::kCloseParen, {Tok::kCloseParen}); !s.ok()) return s;
      return u;
    }
    default:
      return Unexpected(Peek());
  }
}

bool Parser::StartsLabelFilter(size_t ahead) const {
  const Tok t = PeekType(ahead);
  return t == Tok::kIdentifier || t == Tok::kOpenParen;
}

absl::StatusOr<LabelFilterPtr> Parser::ParseLabelFilter(int min_prec) {
  absl::StatusOr<LabelFilterPtr> first = ParseLabelFilterPrimary();
  if (!first.ok()) return first.status();
  LabelFilterPtr left = *std::move(first);
  // `or` (1) and `and` (2) are left-associative with and binding tighter. `,` and juxtaposition have no
  // precedence in Loki's grammar, so yacc always shifts: their right operand extends to the end of the filter.
  while (true) {
    const Tok t = PeekType();
    LabelFilterExpr::Kind kind = LabelFilterExpr::Kind::kAnd;
    int next_min = 0;
    if (t == Tok::kComma || StartsLabelFilter(0)) {
      if (t == Tok::kComma) Take();
    } else if ((t == Tok::kOr && 1 >= min_prec) || (t == Tok::kAnd && 2 >= min_prec)) {
      Take();
      kind = t == Tok::kOr ? LabelFilterExpr::Kind::kOr : LabelFilterExpr::Kind::kAnd;
      next_min = (t == Tok::kOr ? 1 : 2) + 1;
    } else {
      return left;
    }
    absl::StatusOr<LabelFilterPtr> right = ParseLabelFilter(next_min);
    if (!right.ok()) return right.status();
    auto bin = std::make_unique<LabelFilterExpr>();
    bin->kind = kind;
    bin->left = std::move(left);
    bin->right = *std::move(right);
    left = std::move(bin);
  }
}

absl::StatusOr<LabelFilterPtr> Parser::ParseLabelFilterPrimary() {
  if (Accept(Tok::kOpenParen)) {
    absl::StatusOr<LabelFilterPtr> f = ParseLabelFilter(0);
    if (!f.ok()) return f.status();
    if (absl::Status s = Expect(Tok::kCloseParen); !s.ok()) return s;
    return f;
  }
  if (PeekType() != Tok::kIdentifier) return Unexpected(Peek());
  auto f = std::make_unique<LabelFilterExpr>();
  f->name = std::string(Take().text);
  const Token op = Take();
  const Tok value = PeekType();
  const std::optional<MatchType> mt = ToMatchType(op.type);
  if (mt && value == Tok::kString) {
    f->kind = LabelFilterExpr::Kind::kString;
    absl::StatusOr<Matcher> m = Matcher::Create(*mt, f->name, Take().str);
    if (!m.ok()) return Semantic(std::string(m.status().message()));
    f->matcher = *std::move(m);
    return f;
  }
  if ((op.type == Tok::kEq || op.type == Tok::kNeq) && value == Tok::kIp) {
    return Semantic("ip() label filters are not supported");
  }
  const std::optional<CompareOp> cmp = ToCompareOp(op.type);
  if (!cmp) return Unexpected(op);
  f->op = *cmp;
  switch (value) {
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub: {
      const bool negate = value == Tok::kSub;
      if (value != Tok::kNumber) {
        Take();
        if (PeekType() != Tok::kNumber) return Unexpected(Peek(), {Tok::kNumber});
      }
      absl::StatusOr<double> v = NumberValue(Take(), negate);
      if (!v.ok()) return v.status();
      f->kind = LabelFilterExpr::Kind::kNumber;
      f->number = *v;
      return f;
    }
    case Tok::kDuration: {
      const Token d = Take();
      f->kind = LabelFilterExpr::Kind::kDuration;
      f->duration_ns = d.duration_ns;
      f->literal_text = std::string(d.text);
      return f;
    }
    case Tok::kBytes: {
      const Token b = Take();
      f->kind = LabelFilterExpr::Kind::kBytes;
      f->bytes = b.bytes;
      f->literal_text = std::string(b.text);
      return f;
    }
    default:
      if (mt) return Unexpected(Peek());
      return Unexpected(Peek());
  }
}

}  // namespace vigil::logql::internal
