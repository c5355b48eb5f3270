// The type checks Prometheus runs after a successful parse (parser.checkAST), and the error formatting both
// share. Internal to the parser library.
#ifndef VIGIL_QUERY_PROMQL_CHECK_H_
#define VIGIL_QUERY_PROMQL_CHECK_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "query/promql/ast.h"

namespace vigil::promql {

// InvalidArgument "<line>:<col>: parse error: <what>" for a byte offset into `query` (1-based line and byte
// column, as Prometheus' ParseErr prints them; "unknown position" for an empty query).
absl::Status MakeParseError(std::string_view query, int32_t pos, std::string_view what);

// Type-checks a parsed tree and normalises binary vector matching (dropped unless both sides are vectors,
// many-to-many for set operators). Returns the first error in Prometheus' traversal order.
absl::Status CheckAst(Expr& expr, std::string_view query);

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_CHECK_H_
