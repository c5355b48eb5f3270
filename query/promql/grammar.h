// Token classes of Prometheus' PromQL grammar (generated_parser.y): operator precedence, which keywords may
// serve as metric or label names, and token -> AST enum mappings. Internal to the parser library.
#ifndef VIGIL_QUERY_PROMQL_GRAMMAR_H_
#define VIGIL_QUERY_PROMQL_GRAMMAR_H_

#include <string_view>

#include "model/matcher.h"
#include "query/promql/ast.h"
#include "query/promql/lexer.h"

namespace vigil::promql {

// Binary operator precedence, higher binds tighter (or 1, and/unless 2, comparisons 3, + - 4, * / % atan2 5,
// ^ 6); 0 for tokens that are not binary operators.
int Precedence(TokenType t);
// The AST operator of a binary operator token.
BinaryOp ToBinaryOp(TokenType t);
// The AST operator of an aggregation keyword.
AggregateOp ToAggregateOp(TokenType t);
// start, end, step, range, max_of, min_of.
bool IsPreprocessorToken(TokenType t);
// Tokens the grammar accepts as a metric name (Prometheus' metric_identifier): identifiers and most keywords.
bool IsMetricIdentifier(TokenType t);
// Tokens the grammar accepts as a label name in by(...), on(...), group_left(...) (Prometheus' maybe_label).
bool IsMaybeLabel(TokenType t);
// =, !=, =~, !~ inside braces.
bool IsMatchOp(TokenType t);
// The matcher type of a match operator token.
MatchType ToMatchType(TokenType t);
// Whether `s` is a label name under UTF-8 validation (non-empty, valid UTF-8).
bool IsValidUtf8LabelName(std::string_view s);

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_GRAMMAR_H_
