// Parsing of a Loki stream's label string, the `labels` field of a protobuf push: a stream selector made only of
// equality matchers, e.g. {app="api", namespace="prod"}.
//
//   absl::StatusOr<Labels> l = wire::loki::ParseLabelString(R"({app="api", pod="api-7f9c"})");
//
// Accepted as Loki accepts it (it runs its LogQL parser on the string): whitespace anywhere between tokens, a
// trailing comma, values quoted with "..." (Go escapes), '...' or `...` (raw). Anything else (another matcher
// operator, a missing brace, a bad escape) is InvalidArgument naming the byte offset.
#ifndef VIGIL_WIRE_LOKI_LABEL_STRING_H_
#define VIGIL_WIRE_LOKI_LABEL_STRING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/labels.h"

namespace vigil::wire::loki {

// Parses `text` into a label set. Checks syntax and duplicate names only; ValidateStreamLabels checks the
// content rules. Labels with an empty value are dropped, as everywhere in Vigil.
absl::StatusOr<Labels> ParseLabelString(std::string_view text);

// Unquotes one Go-style quoted string: "..." with escapes (\a \b \f \n \r \t \v \\ \" \' \xHH \NNN \uHHHH
// \UHHHHHHHH), '...' with the same escapes, or `...` verbatim. `text` must be exactly the quoted string.
absl::StatusOr<std::string> UnquoteString(std::string_view text);

// The stream label rules of a push: at least one label; names match [a-zA-Z_][a-zA-Z0-9_]*; values are valid
// UTF-8. The error names the offending label.
absl::Status ValidateStreamLabels(const Labels& labels);

// The inverse of ParseLabelString, as Loki renders a stream's labels: {a="x", b="y"} in name order, values
// double-quoted with \\ \" \n \r \t escaped and other control bytes as \xHH (ParseLabelString reads them back).
// An empty set renders as {}. Used by push encoders (the agent's log shipper).
std::string FormatLabelString(const Labels& labels);

// Appends `value` double-quoted with the escapes FormatLabelString uses.
void AppendQuotedLabelValue(std::string_view value, std::string* out);

}  // namespace vigil::wire::loki

#endif  // VIGIL_WIRE_LOKI_LABEL_STRING_H_
