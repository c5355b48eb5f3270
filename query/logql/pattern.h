// Loki's `pattern` syntax (pkg/logql/log/pattern): literal text with `<name>` captures and `<_>` placeholders,
// matched left to right, each capture extending to the next occurrence of the literal that follows it.
//
//   absl::StatusOr<Pattern> p = Pattern::Parse("<ip> - - [<_>] \"<method> <path> <_>\" <status> <_>");
//   std::vector<std::string_view> caps;
//   p->Matches(line, &caps);  // caps[i] belongs to p->names()[i]; fewer than names() when the line ends early
//
// Used by the `| pattern "..."` parser stage and by the `|> "..."` / `!> "..."` line filters (which allow only
// `<_>`). Matching never allocates once `caps` has capacity.
#ifndef VIGIL_QUERY_LOGQL_PATTERN_H_
#define VIGIL_QUERY_LOGQL_PATTERN_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::logql {

class Pattern {
 public:
  // A pattern for the parser stage: at least one named capture, no two captures in a row, unique names. Errors
  // as Loki words them: "at least one capture is required", "found consecutive capture '<a><b>': invalid
  // expression", "duplicate capture name (a): invalid expression".
  static absl::StatusOr<Pattern> Parse(std::string_view pattern);

  // A pattern for the `|>` line filter: only `<_>` placeholders ("named captures are not allowed: found '<a>'"),
  // no two in a row. The empty pattern matches only the empty line.
  static absl::StatusOr<Pattern> ParseLineFilter(std::string_view pattern);

  // The capture names in order (placeholders excluded).
  const std::vector<std::string>& names() const { return names_; }

  // Extracts the named captures of `line` into *caps (cleared first), views into `line`. When a literal is not
  // found, the capture before it takes the rest of the line and matching stops.
  void Matches(std::string_view line, std::vector<std::string_view>* caps) const;

  // Whether `line` matches the whole pattern with non-empty captures (the line filter's test).
  bool Test(std::string_view line) const;

 private:
  struct Node {
    bool capture = false;
    bool named = false;  // capture with a name (not <_>)
    std::string text;    // literal text, or the capture name
  };
  static absl::StatusOr<std::vector<Node>> ParseNodes(std::string_view pattern);

  std::vector<Node> nodes_;
  std::vector<std::string> names_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_PATTERN_H_
