// Internals of the PromQL engine shared by its evaluation files: the step-wise value every node evaluates to,
// the context one query evaluates in (time range, storage, limits, annotations), and the Evaluator that walks
// the AST. Not part of the engine's public API (engine.h is).
//
// As in Prometheus, every node is evaluated for all steps of the (sub)query at once and yields a StepMatrix: one
// StepSeries per output series holding a point for each step where the series has a value. Scalars are a single
// series with empty labels and a point at every step. Operations that combine series (binary operators,
// aggregations, functions) walk the steps, gather each argument's instant vector at that step and write their
// output through an OutputTable, which maps output label sets to series once, not once per step.
#ifndef VIGIL_QUERY_ENGINE_EVAL_H_
#define VIGIL_QUERY_ENGINE_EVAL_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "model/labels.h"
#include "model/sample.h"
#include "query/engine/annotations.h"
#include "query/promql/ast.h"
#include "tsdb/storage/storage.h"

namespace vigil::query::internal {

// One output series of a node: its labels and a point per step where it has a value (at the step's time).
struct StepSeries {
  Labels metric;
  std::vector<Sample> points;
  // Prometheus 3's delayed name removal: the series' __name__ is dropped when the query's result is assembled,
  // so operations in between (e.g. `label_replace` or `or`) still see it.
  bool drop_name = false;
};
using StepMatrix = std::vector<StepSeries>;

// The value of a node over all steps. A string literal yields `str`; everything else `matrix`.
struct NodeValue {
  StepMatrix matrix;
  std::string str;
  bool is_string = false;
};

// One element of an instant vector gathered at a step: the series it belongs to (an index into the argument's
// StepMatrix) and its value.
struct StepSample {
  uint32_t series;
  double v;
};
using StepVector = std::vector<StepSample>;

// One element an operation outputs at a step: an OutputTable id and the value.
struct OutSample {
  uint32_t id;
  double v;
};

// Maps output label sets to output series. Label sets are hashed once, when first seen; operations cache the id
// per input series (or pair of series), so the per-step work is an index lookup.
class OutputTable {
 public:
  // The id of the series with labels `metric`, creating it (with `drop_name`) if new.
  uint32_t Intern(const Labels& metric, bool drop_name);
  uint32_t Intern(Labels&& metric, bool drop_name);
  const Labels& metric(uint32_t id) const { return series_[id].metric; }
  size_t size() const { return series_.size(); }

  // Appends (t, v) to series `id`. Fails when the series already has a point at t (two outputs of one step with
  // the same label set).
  absl::Status Add(uint32_t id, TimestampMs t, double v);

  // Hands out the series with at least one point, in creation order.
  StepMatrix Finish();

  // Mutable access for operations that adjust a series after creating it.
  StepSeries& series(uint32_t id) { return series_[id]; }

 private:
  int64_t Find(const Labels& metric) const;
  std::vector<StepSeries> series_;
  // Label hash -> first id with that hash; next_ chains ids with equal hashes.
  absl::flat_hash_map<uint64_t, uint32_t> by_hash_;
  std::vector<int64_t> next_;
};

// Limits and bookkeeping shared by every evaluator of one query (subqueries make child evaluators).
struct QueryContext {
  tsdb::Querier* querier = nullptr;
  int64_t lookback_ms = 5 * 60 * 1000;
  int64_t default_subquery_step_ms = 60 * 1000;
  // The top-level query's step (0 for an instant query), for step().
  int64_t query_step = 0;
  // The top-level query's start and end, for @ start() / @ end().
  TimestampMs query_start = 0;
  TimestampMs query_end = 0;
  int64_t max_samples = 0;
  // Samples currently held (points of evaluated nodes and loaded windows), checked against max_samples.
  int64_t current_samples = 0;
  int64_t total_samples = 0;
  Clock* clock = nullptr;
  absl::Time deadline = absl::InfiniteFuture();
  Annotations annotations;

  // ResourceExhausted when `n` more samples would exceed the limit; otherwise counts them.
  absl::Status AddSamples(int64_t n);
  void ReleaseSamples(int64_t n) { current_samples -= n; }
  // DeadlineExceeded when the query ran out of time.
  absl::Status CheckDeadline() const;
};

// A series selected from storage with its samples loaded for the time range the selector needs.
struct LoadedSeries {
  Labels metric;
  std::vector<Sample> samples;  // stale markers kept; matrix windows skip them
  bool drop_name = false;
};

// Evaluates expressions over the steps start, start+interval, ..., end.
class Evaluator {
 public:
  Evaluator(QueryContext* ctx, TimestampMs start, TimestampMs end, int64_t interval)
      : ctx_(ctx), start_(start), end_(end), interval_(interval > 0 ? interval : 1) {}

  // Evaluates `expr` for every step. A range-vector expression (matrix selector, subquery) is evaluated as an
  // instant query's result at `start` and yields its raw samples.
  absl::StatusOr<NodeValue> Eval(const promql::Expr& expr);

  TimestampMs start() const { return start_; }
  TimestampMs end() const { return end_; }
  int64_t interval() const { return interval_; }
  size_t NumSteps() const { return static_cast<size_t>((end_ - start_) / interval_) + 1; }
  QueryContext* ctx() const { return ctx_; }

  // The reference time a selector with `at`/`offset` looks at for the step at `ts`.
  TimestampMs RefTime(promql::AtModifier at, TimestampMs at_ms, int64_t offset_ms, TimestampMs ts) const;

  // Selects the series of `sel` and calls `fn` with each, its samples in [mint, maxt] loaded. The series is
  // only valid during the call (its buffers are reused for the next one; `fn` may move its labels away), so
  // one series' raw samples are held at a time.
  absl::Status ForEachSeries(const promql::VectorSelector& sel, TimestampMs mint, TimestampMs maxt,
                             absl::FunctionRef<absl::Status(LoadedSeries& series)> fn);

  // Selects the series of `sel` and loads their samples in [mint, maxt].
  absl::StatusOr<std::vector<LoadedSeries>> LoadSeries(const promql::VectorSelector& sel, TimestampMs mint,
                                                       TimestampMs maxt);

  // The series and samples a range-vector argument (matrix selector or subquery) provides, and the window
  // parameters to apply per step.
  struct RangeInput {
    std::vector<LoadedSeries> series;
    int64_t range_ms = 0;
    int64_t offset_ms = 0;
    promql::AtModifier at = promql::AtModifier::kNone;
    TimestampMs at_ms = 0;
  };
  absl::StatusOr<RangeInput> LoadRange(const promql::Expr& expr);
  // As LoadRange, but hands the series to `fn` one at a time (see ForEachSeries) and sets the window parameters
  // of `params` (its series stay empty). A matrix selector's series are streamed from storage; a subquery's
  // are evaluated first.
  absl::Status ForEachRangeSeries(const promql::Expr& expr, RangeInput* params,
                                  absl::FunctionRef<absl::Status(LoadedSeries& series)> fn);

  // Walks the steps; at each, gathers the instant vector of every argument and calls `fn`, which appends its
  // outputs to `out` (ids from `table`). Returns the table's series.
  using StepFn = absl::FunctionRef<absl::Status(TimestampMs ts, size_t step, std::span<const StepVector> in,
                                                std::vector<OutSample>* out)>;
  absl::StatusOr<StepMatrix> RangeEval(std::span<const StepMatrix* const> args, OutputTable* table, StepFn fn);

 private:
  // With `timestamps`, each point's value is its sample's timestamp in seconds (for timestamp()).
  absl::StatusOr<NodeValue> EvalVectorSelector(const promql::VectorSelector& sel, bool timestamps = false);
  absl::StatusOr<NodeValue> EvalMatrixSelector(const promql::MatrixSelector& sel);
  absl::StatusOr<NodeValue> EvalSubquery(const promql::SubqueryExpr& sq);
  absl::StatusOr<NodeValue> EvalStepInvariant(const promql::Expr& inner);
  absl::StatusOr<NodeValue> EvalUnary(const promql::UnaryExpr& e);
  absl::StatusOr<NodeValue> EvalNumber(double v);

 public:
  // Implemented in binary_ops.cc, aggregations.cc and functions_eval.cc.
  absl::StatusOr<NodeValue> EvalBinary(const promql::BinaryExpr& e);
  absl::StatusOr<NodeValue> EvalAggregate(const promql::AggregateExpr& e);
  absl::StatusOr<NodeValue> EvalCall(const promql::Call& e);

  // Evaluates `sel` with each point's value set to its sample's timestamp in seconds (timestamp(), info()).
  absl::StatusOr<NodeValue> EvalSelectorTimestamps(const promql::VectorSelector& sel) {
    return EvalVectorSelector(sel, true);
  }

  // Runs a subquery's inner expression on its own step grid; returns its series and the grid's bounds.
  absl::StatusOr<StepMatrix> RunSubquery(const promql::SubqueryExpr& sq);

  // A scalar StepMatrix with `v` at every step.
  StepMatrix ScalarMatrix(double v) const;
  // The value at step `i` of a scalar's StepMatrix.
  static double ScalarAt(const StepMatrix& m, size_t i) { return m.empty() ? 0 : m[0].points[i].v; }

 private:
  QueryContext* ctx_;
  TimestampMs start_;
  TimestampMs end_;
  int64_t interval_;
};

// Walks the points of `pts` from `*cursor` up to `last_ts` and calls `fn(k, v)` for each one that sits exactly
// on the k-th step of the grid first_ts, first_ts+interval, ...; of points with equal timestamps the first one
// counts. Leaves `*cursor` at the first point after `last_ts`, so consecutive blocks of steps continue where the
// previous one stopped. Points and steps are walked together (no division per point).
template <typename Fn>
inline void ForEachPointOnSteps(const std::vector<Sample>& pts, size_t* cursor, TimestampMs first_ts,
                                TimestampMs last_ts, int64_t interval, Fn&& fn) {
  size_t c = *cursor;
  size_t k = 0;
  TimestampMs step_ts = first_ts;
  for (; c < pts.size() && pts[c].t <= last_ts; ++c) {
    const TimestampMs t = pts[c].t;
    if (t < first_ts || (c > 0 && pts[c - 1].t == t)) continue;
    while (step_ts < t) {
      step_ts += interval;
      ++k;
    }
    if (step_ts != t) continue;
    fn(k, pts[c].v);
  }
  *cursor = c;
}

// histogram_quantile() and histogram_fraction() over classic `le` buckets, given the evaluated arguments.
absl::StatusOr<NodeValue> EvalHistogramFunction(Evaluator* ev, const promql::Call& e, std::vector<NodeValue> args);

// Merges series whose label sets became equal (after label_replace, or when names are dropped at the end) when
// their points do not overlap in time; FailedPrecondition "vector cannot contain metrics with the same labelset"
// when they do.
absl::Status MergeSameLabelsets(StepMatrix* m);

// Unwraps parentheses (and step-invariant wrappers) around `e`.
const promql::Expr& Unwrap(const promql::Expr& e);

// Label sets that a function or operator would yield with __name__ (and __type__/__unit__) removed.
Labels DropMetricName(const Labels& l);

// Signature of `l` restricted to `names` (on=true) or to every label but `names` and __name__ (on=false): equal
// signatures mean the series match. `names` must be sorted.
uint64_t MatchSignature(const Labels& l, std::span<const std::string> names, bool on);

}  // namespace vigil::query::internal

#endif  // VIGIL_QUERY_ENGINE_EVAL_H_
