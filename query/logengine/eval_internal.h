// Internals of the LogQL engine shared by its translation units: the step-wise value every metric node evaluates
// to, the evaluation context, and one entry point per node kind. Not a public API: include engine.h.
#ifndef VIGIL_QUERY_LOGENGINE_EVAL_INTERNAL_H_
#define VIGIL_QUERY_LOGENGINE_EVAL_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "query/logengine/engine.h"
#include "query/logql/ast.h"
#include "query/logql/line_labels.h"
#include "tsdb/logs/log_storage.h"

namespace vigil::logengine::internal {

// One sample of a step's vector.
struct Elem {
  Labels labels;
  double v = 0;
};
using StepVector = std::vector<Elem>;

// What a metric node evaluates to: a scalar (literals; the same at every step) or one vector per step.
struct EvalValue {
  bool is_scalar = false;
  double scalar = 0;
  std::vector<StepVector> steps;  // one per evaluation time when !is_scalar
};

// Shared by every node of one query.
struct EvalContext {
  const tsdb::logs::LogQuerier* querier = nullptr;
  // The evaluation times, ascending (one for an instant query).
  std::vector<int64_t> steps_ns;
  size_t max_series = 0;
  QueryStats* stats = nullptr;
};

// The error of a query whose result would have more than `limit` series (Loki's text).
absl::Status SeriesLimitError(size_t limit);

// Fails with SeriesLimitError when any step of the result `v` has more than ctx.max_series elements.
absl::Status CheckSeriesLimit(const EvalValue& v, const EvalContext& ctx);

// The labels the pipeline sees for an entry: the stream's, plus the entry's structured metadata when it has
// any (built into *scratch, which the result then refers to).
const Labels& EntryLabels(const Labels& stream, const Labels& structured_metadata, Labels* scratch);

// Loki's pipeline error of a metric query whose sample carries __error__ (InvalidArgument).
absl::Status PipelineError(const logql::LineLabels& labels);

// The log query (streams result).
absl::StatusOr<Streams> EvalLogQuery(const logql::LogSelectorExpr& expr, const QueryParams& params,
                                     const tsdb::logs::LogQuerier* querier, QueryStats* stats);

// The node kinds of metric queries.
absl::StatusOr<EvalValue> EvalRangeAggregation(const logql::RangeAggregationExpr& expr, const EvalContext& ctx);
absl::StatusOr<EvalValue> EvalVectorAggregation(const logql::VectorAggregationExpr& expr, EvalValue inner,
                                                const EvalContext& ctx);
absl::StatusOr<EvalValue> EvalBinary(const logql::BinaryExpr& expr, EvalValue lhs, EvalValue rhs,
                                     const EvalContext& ctx);
absl::StatusOr<EvalValue> EvalLabelReplace(const logql::LabelReplaceExpr& expr, EvalValue inner,
                                           const EvalContext& ctx);

// Applies a binary operator to two numbers: the value and, for comparisons, whether it holds. Arithmetic always
// "holds". Exposed for scalar folding and tests.
struct BinaryResult {
  double value = 0;
  bool keep = true;
};
BinaryResult ApplyBinaryOp(logql::BinaryOp op, double lhs, double rhs);

}  // namespace vigil::logengine::internal

#endif  // VIGIL_QUERY_LOGENGINE_EVAL_INTERNAL_H_
