// AST -> canonical PromQL text, as Prometheus' Expr.String() (one line) and Pretty() (what
// /api/v1/format_query returns) write it.
#ifndef VIGIL_QUERY_PROMQL_PRINTER_H_
#define VIGIL_QUERY_PROMQL_PRINTER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "query/promql/ast.h"

namespace vigil::promql {

// One-line canonical form: `sum by (job) (rate(x{a="b"}[5m] offset 1m))`.
std::string ToString(const Expr& expr);

// Prometheus' prettier: the one-line form when it fits in 100 columns, else split over indented lines.
std::string Pretty(const Expr& expr);

// Pretty with another line limit than Prometheus' 100 columns (its own tests use 10, which makes every rule
// visible on small queries).
std::string PrettyWithWidth(const Expr& expr, size_t max_line_width);

// Durations as PromQL writes them: 90000 ms -> "1m30s", 0 -> "0s".
std::string FormatDuration(int64_t ms);

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_PRINTER_H_
