// The table of PromQL functions the parser accepts and the engine evaluates: name, argument types, result type.
// Mirrors Prometheus 3's promql/parser/functions.go (including which are experimental).
#ifndef VIGIL_QUERY_PROMQL_FUNCTIONS_H_
#define VIGIL_QUERY_PROMQL_FUNCTIONS_H_

#include <string_view>
#include <vector>

#include "query/promql/ast.h"

namespace vigil::promql {

struct FunctionInfo {
  std::string_view name;
  // The types of the arguments; with `variadic` != 0 the last one may repeat or be left out.
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. n > 0: up to n more of the last type (or that one left out, as
  // Prometheus' "optional" arguments). -1: any number of the last type.
  int variadic = 0;
  ValueType return_type = ValueType::kNone;
  // Experimental functions Prometheus only enables behind a flag (Vigil accepts them all).
  bool experimental = false;
};

// The function called `name`, or null.
const FunctionInfo* LookupFunction(std::string_view name);

// Every function, in name order (for docs and the fuzz test).
const std::vector<const FunctionInfo*>& AllFunctions();

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_FUNCTIONS_H_
