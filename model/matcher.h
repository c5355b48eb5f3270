// Label matchers of PromQL selectors and the remote-read/federation APIs: job="x", job!="x", job=~"x.*",
// job!~"x.*".
//
//   absl::StatusOr<vigil::Matcher> m = vigil::Matcher::Create(vigil::MatchType::kRegexMatch, "job", "api|web");
//   m->Matches("api");     // true
//   m->Matches("api-2");   // false: regexes are anchored at both ends
//
// Regular expressions use RE2 syntax and are anchored as Prometheus anchors them: the pattern compiled is
// "^(?s:" + value + ")$", so `.` also matches a newline and an alternation is anchored as a whole.
//
// Matches() is the hot path of series selection. It never allocates, and common regex shapes skip RE2: ".*"
// (everything), ".+" (non-empty), literals ("api", "a\.b"), alternations of literals ("a|b|c", a hash-set
// lookup), "lit.*" (prefix), ".*lit" (suffix) and ".*lit.*" (substring). Each is exactly equivalent to the anchored
// regex on valid UTF-8 input (the only kind a validated label value holds). On invalid UTF-8 they answer as
// Prometheus' Go regexp does, where `.` matches any byte, whereas RE2's `.` matches no invalid byte: ".*" accepts
// "\xff" but "(.*)" does not.
//
// Matchers are cheap to copy: copies share the compiled regex.
#ifndef VIGIL_MODEL_MATCHER_H_
#define VIGIL_MODEL_MATCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace vigil {

// The four matcher operators.
enum class MatchType : uint8_t {
  kEqual,         // =
  kNotEqual,      // !=
  kRegexMatch,    // =~
  kRegexNoMatch,  // !~
};

// The operator as written in PromQL: "=", "!=", "=~" or "!~".
std::string_view MatchTypeString(MatchType type);

// Whether `c` has a meaning in RE2 syntax outside a character class, so a pattern without such characters is a
// literal. Treating `]` and `}` as special is stricter than RE2 needs, which only costs a fast path. Shared by the
// matchers' fast paths and LogQL's literal line filters.
bool IsRegexMetaChar(char c);

// Parses "=", "!=", "=~" or "!~". Anything else is InvalidArgument.
absl::StatusOr<MatchType> ParseMatchType(std::string_view op);

class Matcher {
 public:
  // Creates a matcher of label `name` against `value`. For the regex types `value` is an RE2 pattern; if it does
  // not compile, returns InvalidArgument naming the matcher and the reason, e.g.
  //   invalid regular expression in matcher job=~"a(b": missing ): a(b
  static absl::StatusOr<Matcher> Create(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  // The label name matched against.
  const std::string& name() const { return name_; }
  // The string or pattern as given.
  const std::string& value() const { return value_; }
  // Whether the type is =~ or !~.
  bool IsRegex() const { return type_ == MatchType::kRegexMatch || type_ == MatchType::kRegexNoMatch; }

  // Whether a label value satisfies the matcher. Does not allocate.
  bool Matches(std::string_view label_value) const;

  // Whether the matcher accepts "", which is what a series lacking the label is matched as. A selector made only of
  // matchers that accept "" would select every series, which the query layer must refuse.
  bool MatchesEmpty() const { return matches_empty_; }

  // PromQL rendering: job=~"a.*", the value quoted as by QuoteLabelValue().
  std::string ToString() const;

  // How Matches() decides: "literal", "any", "non-empty", "set", "prefix", "suffix", "contains" or "regex".
  // For tests and debugging.
  std::string_view StrategyName() const;

 private:
  enum class Strategy : uint8_t { kLiteral, kAny, kNonEmpty, kSet, kPrefix, kSuffix, kContains, kRegex };

  Matcher(MatchType type, std::string name, std::string value)
      : type_(type), name_(std::move(name)), value_(std::move(value)) {}

  // Whether the value matches, before negation.
  bool MatchesPositive(std::string_view label_value) const;

  MatchType type_;
  Strategy strategy_ = Strategy::kLiteral;
  bool negate_ = false;
  bool matches_empty_ = false;
  std::string name_;
  std::string value_;
  // The literal of kLiteral, kPrefix, kSuffix and kContains (for regexes, with escapes removed).
  std::string literal_;
  // The alternatives of kSet.
  std::shared_ptr<const absl::flat_hash_set<std::string>> set_;
  // The anchored regex; set for every regex matcher, whatever the strategy.
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_MATCHER_H_
