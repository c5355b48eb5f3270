// Compiled line filters (`|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, `|> "pat"`, `!> "pat"`, with `or` alternatives):
// the hot loop of every log query, so it avoids regexes where it can, as Loki's filter simplification does:
//
//  - a literal is a substring search that memchr()s for the needle's rarest byte and verifies with memcmp;
//  - a regex that is a plain literal ("error", "a\.b"), a case-insensitive literal ("(?i)error") or an
//    alternation of literals ("error|fatal") becomes substring searches;
//  - any other regex runs RE2 (unanchored, as Go's regexp.Match), but only after a substring search for a literal
//    the regex cannot match without ("timeout" in "conn.*timeout after \d+") has succeeded.
//
// Keep() never allocates. A LineFilter is immutable after Compile and may be shared by threads.
#ifndef VIGIL_QUERY_LOGQL_LINE_FILTER_H_
#define VIGIL_QUERY_LOGQL_LINE_FILTER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/ast.h"
#include "query/logql/pattern.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace vigil::logql {

// Finds a fixed needle in haystacks; the needle is prepared once.
class SubstringSearcher {
 public:
  explicit SubstringSearcher(std::string needle, bool case_insensitive = false);

  // Whether `haystack` contains the needle (always true for the empty needle).
  bool Contains(std::string_view haystack) const;

  const std::string& needle() const { return needle_; }
  bool case_insensitive() const { return case_insensitive_; }

 private:
  std::string needle_;  // lower-cased when case-insensitive
  bool case_insensitive_ = false;
  size_t rare_index_ = 0;  // the needle byte memchr() looks for
};

// If `regex` matches exactly the strings containing one literal (it is a plain literal after unescaping), returns
// it. Sets *case_insensitive for a leading "(?i)".
std::optional<std::string> RegexAsLiteral(std::string_view regex, bool* case_insensitive);

// A literal of at least 3 bytes that every match of `regex` contains, or "" when none is found (alternations,
// groups and flags make the analysis give up).
std::string RequiredLiteral(std::string_view regex);

class LineFilter {
 public:
  // Compiles a line filter stage. Invalid regexes and patterns are InvalidArgument.
  static absl::StatusOr<LineFilter> Compile(const LineFilterStage& stage);

  // Whether the line passes the filter.
  bool Keep(std::string_view line) const {
    bool any = false;
    for (const Alternative& a : alternatives_) {
      if (a.Matches(line)) {
        any = true;
        break;
      }
    }
    return any != negate_;
  }

  // For tests: how each alternative is evaluated ("substring", "substring-ci", "regex", "regex+prefilter",
  // "pattern").
  std::vector<std::string> Strategies() const;

 private:
  struct Alternative {
    enum class Kind : uint8_t { kSubstring, kRegex, kPattern };
    Kind kind = Kind::kSubstring;
    std::optional<SubstringSearcher> searcher;  // kSubstring, or kRegex's prefilter
    std::shared_ptr<const re2::RE2> re;
    std::shared_ptr<const Pattern> pattern;
    bool Matches(std::string_view line) const;
  };
  bool negate_ = false;
  std::vector<Alternative> alternatives_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_LINE_FILTER_H_
