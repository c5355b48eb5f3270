// The canonical text of a LogQL AST, as Loki's Expr.String() writes it, so that parsing the output gives the same
// tree (and printing that tree gives the same text):
//
//   {app="api", env=~"prod|dev"} |= "error" | json | status>=500 | line_format "{{.msg}}"
//   sum by (level)(count_over_time({app="api"} | logfmt[5m]))
//   (rate({app="a"}[1m]) / on (job) group_left (x) rate({app="b"}[1m]))
//
// Binary expressions are always parenthesized and label filter conjunctions written `( a , b )`, as in Loki.
// Duration and byte-size literals of label filters are written as they were given (Loki re-formats them, which
// can lose precision); ranges and offsets use Prometheus' duration format.
#ifndef VIGIL_QUERY_LOGQL_PRINTER_H_
#define VIGIL_QUERY_LOGQL_PRINTER_H_

#include <string>

#include "query/logql/ast.h"

namespace vigil::logql {

// The canonical text of an expression.
std::string ToString(const Expr& e);

// The text of one pipeline stage ("| json", "|= \"x\"").
std::string StageToString(const Stage& s);

// The text of a label filter ("level=\"error\"", "( a>1 , b<2 )").
std::string LabelFilterToString(const LabelFilterExpr& f);

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_PRINTER_H_
