// Evaluation of PromQL functions whose argument is a range vector (rate, *_over_time, ...). Internal to the engine.
#ifndef VIGIL_QUERY_ENGINE_RANGE_FUNCTIONS_H_
#define VIGIL_QUERY_ENGINE_RANGE_FUNCTIONS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "query/engine/eval.h"

namespace vigil::query::internal {

// Whether `name` is a function over a range vector that EvalRangeFunction evaluates.
bool IsRangeFunction(std::string_view name);

// Evaluates such a call for every step of `ev`.
absl::StatusOr<NodeValue> EvalRangeFunction(Evaluator* ev, const promql::Call& call);

// The labels absent()/absent_over_time() give their output: the selector's equality matchers (a label matched more
// than once, or by another matcher type, is left out), without __name__.
Labels LabelsForAbsent(const promql::Expr& arg);

}  // namespace vigil::query::internal

#endif  // VIGIL_QUERY_ENGINE_RANGE_FUNCTIONS_H_
