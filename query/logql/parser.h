// LogQL text -> AST, with Loki's grammar (pkg/logql/syntax/syntax.y), validation and error texts.
//
//   absl::StatusOr<ExprPtr> e = ParseExpr(R"({app="api"} |= "error" | json | status >= 500)");
//   if (!e.ok()) // InvalidArgument "parse error at line 1, col 12: syntax error: unexpected IDENTIFIER"
//
// Errors are InvalidArgument with Loki's ParseError text: "parse error at line L, col C: <msg>" for syntax and
// literal errors (1-based line; column counted in characters, pointing at the offending token), and
// "parse error : <msg>" for checks made after parsing (which carry no position in Loki either), e.g.
// "queries require at least one regexp or equality matcher that does not have an empty-compatible value...".
//
// Syntax errors name the unexpected token as Loki's yacc parser does (IDENTIFIER, STRING, NUMBER, RANGE, $end,
// "}", "|=", RATE ...). Loki adds ", expecting A or B" when at most four tokens could follow; this parser adds the
// list in the common cases (unterminated selectors, missing filter strings, vector(...), range-aggregation
// arguments) and otherwise just names the unexpected token.
//
// Deviations from Loki, on purpose: `ip("...")` filters are refused with a clear error (not implemented), and
// regexes of line filters are compiled (and refused when invalid) here rather than at query time.
#ifndef VIGIL_QUERY_LOGQL_PARSER_H_
#define VIGIL_QUERY_LOGQL_PARSER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/matcher.h"
#include "query/logql/ast.h"

namespace vigil::logql {

// Queries longer than this are refused, as in Loki ("input size too long (N > 131072)").
inline constexpr size_t kMaxQueryBytes = 131072;

// Parses and validates a whole query (Loki's syntax.ParseExpr): a log query or a metric query.
absl::StatusOr<ExprPtr> ParseExpr(std::string_view query);

// Parses a query that must be a log query (`{...} | ...`); a metric query is InvalidArgument
// "only log selector is supported". For the streams endpoint and tailing.
absl::StatusOr<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view query);

// Parses a bare stream selector (`{app="x"}`) into its matchers, for the labels/series endpoints' `query` and
// `match[]` parameters. Pipelines are refused ("only label matchers are supported"). `validate` also requires one
// matcher that does not match the empty string.
absl::StatusOr<std::vector<Matcher>> ParseMatchers(std::string_view query, bool validate);

// The error text Loki's ParseError prints: "parse error at line L, col C: msg", or "parse error : msg" when
// line and col are 0.
std::string FormatParseError(int line, int col, std::string_view msg);

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_PARSER_H_
