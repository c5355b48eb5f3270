#include "model/matcher.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "re2/re2.h"

namespace vigil {

bool IsRegexMetaChar(char c) {
  switch (c) {
    case '\\':
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '|':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
      return true;
    default:
      return false;
  }
}

namespace {

// One element of a pattern as far as the fast paths care: a literal byte (plain, or a metacharacter escaped with a
// backslash) or an unescaped metacharacter.
struct Token {
  char c;
  bool meta;
};

// Splits `pattern` into tokens. Returns nullopt if it holds an escape other than a backslash before a
// metacharacter (\d, \pL, \Q...): those are not literals and the fast paths leave them to RE2.
std::optional<std::vector<Token>> Tokenize(std::string_view pattern) {
  std::vector<Token> tokens;
  tokens.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size() || !IsRegexMetaChar(pattern[i + 1])) return std::nullopt;
      tokens.push_back({pattern[++i], false});
    } else {
      tokens.push_back({c, IsRegexMetaChar(c)});
    }
  }
  return tokens;
}

// The literal spelled by tokens [begin, end), or nullopt if one of them is a metacharacter.
std::optional<std::string> LiteralOf(const std::vector<Token>& tokens, size_t begin, size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    if (tokens[i].meta) return std::nullopt;
    out.push_back(tokens[i].c);
  }
  return out;
}

// Whether tokens [i, i+2) are an unescaped `.` followed by an unescaped `*`.
bool IsDotStar(const std::vector<Token>& tokens, size_t i) {
  return i + 2 <= tokens.size() && tokens[i].meta && tokens[i].c == '.' && tokens[i + 1].meta && tokens[i + 1].c == '*';
}

RE2::Options RegexOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

}  // namespace

std::string_view MatchTypeString(MatchType type) {
  switch (type) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

absl::StatusOr<MatchType> ParseMatchType(std::string_view op) {
  if (op == "=") return MatchType::kEqual;
  if (op == "!=") return MatchType::kNotEqual;
  if (op == "=~") return MatchType::kRegexMatch;
  if (op == "!~") return MatchType::kRegexNoMatch;
  return absl::InvalidArgumentError(absl::StrCat("unknown label match operator ", QuoteLabelValue(op)));
}

absl::StatusOr<Matcher> Matcher::Create(MatchType type, std::string name, std::string value) {
  Matcher m(type, std::move(name), std::move(value));
  m.negate_ = type == MatchType::kNotEqual || type == MatchType::kRegexNoMatch;
  if (!m.IsRegex()) {
    m.strategy_ = Strategy::kLiteral;
    m.literal_ = m.value_;
    m.matches_empty_ = m.Matches("");
    return m;
  }

  const RE2::Options options = RegexOptions();
  // Compile the pattern alone first: its errors then quote what the user wrote, and a pattern such as "a)|(b",
  // which would escape the anchoring group once wrapped, is rejected as it is by Prometheus.
  {
    const RE2 alone(re2::StringPiece(m.value_.data(), m.value_.size()), options);
    if (!alone.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid regular expression in matcher ", m.ToString(), ": ", alone.error()));
    }
  }
  const std::string anchored = absl::StrCat("^(?s:", m.value_, ")$");
  auto re = std::make_shared<const RE2>(re2::StringPiece(anchored.data(), anchored.size()), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regular expression in matcher ", m.ToString(), ": ", re->error()));
  }
  m.re_ = std::move(re);
  m.strategy_ = Strategy::kRegex;

  // Recognise the shapes with a cheaper equivalent. RE2 accepted the pattern, so it is valid UTF-8 and well formed.
  if (std::optional<std::vector<Token>> tokens = Tokenize(m.value_)) {
    const size_t n = tokens->size();
    if (n == 2 && IsDotStar(*tokens, 0)) {
      m.strategy_ = Strategy::kAny;
    } else if (n == 2 && (*tokens)[0].meta && (*tokens)[0].c == '.' && (*tokens)[1].meta && (*tokens)[1].c == '+') {
      m.strategy_ = Strategy::kNonEmpty;
    } else if (std::optional<std::string> lit = LiteralOf(*tokens, 0, n)) {
      m.strategy_ = Strategy::kLiteral;
      m.literal_ = *std::move(lit);
    } else if (n >= 4 && IsDotStar(*tokens, 0) && IsDotStar(*tokens, n - 2) && (lit = LiteralOf(*tokens, 2, n - 2))) {
      m.strategy_ = Strategy::kContains;
      m.literal_ = *std::move(lit);
    } else if (n >= 2 && IsDotStar(*tokens, n - 2) && (lit = LiteralOf(*tokens, 0, n - 2))) {
      m.strategy_ = Strategy::kPrefix;
      m.literal_ = *std::move(lit);
    } else if (n >= 2 && IsDotStar(*tokens, 0) && (lit = LiteralOf(*tokens, 2, n))) {
      m.strategy_ = Strategy::kSuffix;
      m.literal_ = *std::move(lit);
    } else {
      // An alternation of literals: split at unescaped `|`, every part must be a literal.
      auto set = std::make_shared<absl::flat_hash_set<std::string>>();
      size_t begin = 0;
      bool all_literal = true;
      for (size_t i = 0; i <= n && all_literal; ++i) {
        if (i < n && !((*tokens)[i].meta && (*tokens)[i].c == '|')) continue;
        std::optional<std::string> alt = LiteralOf(*tokens, begin, i);
        if (!alt) {
          all_literal = false;
        } else {
          set->insert(*std::move(alt));
        }
        begin = i + 1;
      }
      if (all_literal) {
        m.strategy_ = Strategy::kSet;
        m.set_ = std::move(set);
      }
    }
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool Matcher::MatchesPositive(std::string_view v) const {
  switch (strategy_) {
    case Strategy::kLiteral:
      return v == literal_;
    case Strategy::kAny:
      return true;
    case Strategy::kNonEmpty:
      return !v.empty();
    case Strategy::kSet:
      return set_->contains(AV(v));
    case Strategy::kPrefix:
      return v.starts_with(literal_);
    case Strategy::kSuffix:
      return v.ends_with(literal_);
    case Strategy::kContains:
      return v.find(literal_) != std::string_view::npos;
    case Strategy::kRegex:
      return re_->Match(re2::StringPiece(v.data(), v.size()), 0, v.size(), RE2::ANCHOR_BOTH, nullptr, 0);
  }
  return false;
}

bool Matcher::Matches(std::string_view label_value) const { return MatchesPositive(label_value) != negate_; }

std::string Matcher::ToString() const {
  std::string out = absl::StrCat(name_, AV(MatchTypeString(type_)));
  AppendQuotedLabelValue(&out, value_);
  return out;
}

std::string_view Matcher::StrategyName() const {
  switch (strategy_) {
    case Strategy::kLiteral:
      return "literal";
    case Strategy::kAny:
      return "any";
    case Strategy::kNonEmpty:
      return "non-empty";
    case Strategy::kSet:
      return "set";
    case Strategy::kPrefix:
      return "prefix";
    case Strategy::kSuffix:
      return "suffix";
    case Strategy::kContains:
      return "contains";
    case Strategy::kRegex:
      return "regex";
  }
  return "?";
}

}  // namespace vigil
