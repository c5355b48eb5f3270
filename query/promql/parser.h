// PromQL text -> AST, with Prometheus 3's grammar, type checks and error messages.
//
//   absl::StatusOr<ExprPtr> e = ParseExpr("rate(x[5m]) / on(job) group_left y");
//   if (!e.ok()) // InvalidArgument: "1:13: parse error: unexpected <op:/>" style, as Prometheus words it
//
// Errors are InvalidArgument with a message beginning "<line>:<col>: parse error: " (1-based, as
// Prometheus' ParseErr.Error prints it) followed by Prometheus' wording of what was unexpected or expected.
#ifndef VIGIL_QUERY_PROMQL_PARSER_H_
#define VIGIL_QUERY_PROMQL_PARSER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/matcher.h"
#include "query/promql/ast.h"

namespace vigil::promql {

// Parses a whole expression and type-checks it (Prometheus' parser.ParseExpr).
absl::StatusOr<ExprPtr> ParseExpr(std::string_view query);

// Parses a selector such as `up{job="x"}` or `{__name__=~"a.*"}` into its matchers (Prometheus'
// parser.ParseMetricSelector), for the API's match[] parameters. Like Prometheus it only parses: a selector
// whose matchers all match the empty string (`{}`, `{a=""}`) is returned as is, and refusing it ("match[] must
// contain at least one non-empty matcher") is the API's job. A name before the braces comes first, as
// __name__="<name>".
absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view selector);

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_PARSER_H_
