// The experimental info() function. Internal to the engine.
#ifndef VIGIL_QUERY_ENGINE_INFO_FUNCTION_H_
#define VIGIL_QUERY_ENGINE_INFO_FUNCTION_H_

#include "absl/status/statusor.h"
#include "query/engine/eval.h"

namespace vigil::query::internal {

// Evaluates info(v [, {data label matchers}]): each series of v gains the data labels of the info series (by
// default target_info) that share its instance and job labels.
absl::StatusOr<NodeValue> EvalInfoFunction(Evaluator* ev, const promql::Call& call);

}  // namespace vigil::query::internal

#endif  // VIGIL_QUERY_ENGINE_INFO_FUNCTION_H_
