// label_replace() and label_join(): functions that rewrite series labels rather than values. Internal to the engine.
#ifndef VIGIL_QUERY_ENGINE_LABEL_FUNCTIONS_H_
#define VIGIL_QUERY_ENGINE_LABEL_FUNCTIONS_H_

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/engine/eval.h"

namespace vigil::query::internal {

// Evaluates label_replace(v, dst, replacement, src, regex) or label_join(v, dst, separator, src...).
absl::StatusOr<NodeValue> EvalLabelFunction(Evaluator* ev, const promql::Call& call);

// Expands a Go regexp template ($1, ${1}, $name, ${name}, $$) against the submatches of one match: `groups[i]` is
// group i (0 = whole match) and `names` maps group names to indexes. Unknown groups expand to "".
std::string ExpandTemplate(std::string_view tmpl, std::span<const std::string_view> groups,
                           const std::map<std::string, int>& names);

// Whether `name` is a label name Prometheus 3 accepts (non-empty, valid UTF-8).
bool IsValidUtf8LabelName(std::string_view name);

}  // namespace vigil::query::internal

#endif  // VIGIL_QUERY_ENGINE_LABEL_FUNCTIONS_H_
