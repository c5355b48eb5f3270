// The PromQL engine: evaluates a query text against a Queryable, as an instant query at one time or a range query
// over [start, end] every `step`, with Prometheus 3's semantics (5-minute lookback, windows open on the left,
// stale markers, `__name__` dropping, vector matching, every function and aggregation on float samples).
//
//   Engine engine(EngineOptions{});
//   absl::StatusOr<QueryResult> r = engine.RangeQuery(&storage, "rate(x[5m])", start_ms, end_ms, 15000);
//
// Errors say how the API must answer (query/api maps them to Prometheus' errorType):
//   InvalidArgument    -> bad_data (400): the query does not parse or type-check; bad start/end/step.
//   DeadlineExceeded   -> timeout (503):  "query timed out in <phase>"
//   Cancelled          -> canceled (499)
//   ResourceExhausted  -> execution (422): "query processing would load too many samples into memory in query
//                                          execution"
//   FailedPrecondition -> execution (422): evaluation errors such as "vector cannot contain metrics with the same
//                                          labelset" or many-to-many matching
//   Unavailable/Internal/other -> internal (500): storage errors
#ifndef VIGIL_QUERY_ENGINE_ENGINE_H_
#define VIGIL_QUERY_ENGINE_ENGINE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "model/sample.h"
#include "query/engine/value.h"
#include "query/promql/ast.h"
#include "tsdb/storage/storage.h"

namespace vigil::query {

struct EngineOptions {
  // Prometheus' --query.max-samples: samples loaded into memory at once by one query.
  int64_t max_samples = 50'000'000;
  // Prometheus' --query.timeout.
  absl::Duration timeout = absl::Minutes(2);
  // Prometheus' --query.lookback-delta.
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // The step of subqueries without one (Prometheus' evaluation_interval default of 1m).
  int64_t default_subquery_step_ms = 60 * 1000;
  // Clock for timeouts; null means the real clock.
  Clock* clock = nullptr;
};

class Engine {
 public:
  explicit Engine(EngineOptions options);

  // Evaluates `query` at `t`. `timeout` overrides the option when shorter (the API's timeout parameter);
  // absl::InfiniteDuration() means no override.
  absl::StatusOr<QueryResult> InstantQuery(tsdb::Queryable* storage, std::string_view query, TimestampMs t,
                                           absl::Duration timeout = absl::InfiniteDuration());

  // Evaluates `query` at start, start+step, ... <= end. The result is a Matrix (range queries over scalars and
  // vectors both yield one, as Prometheus does). Refuses a string-typed query and step <= 0.
  absl::StatusOr<QueryResult> RangeQuery(tsdb::Queryable* storage, std::string_view query, TimestampMs start,
                                         TimestampMs end, int64_t step_ms,
                                         absl::Duration timeout = absl::InfiniteDuration());

  // As above for an already parsed expression (the peer-suite runner and rules evaluate parsed trees).
  absl::StatusOr<QueryResult> InstantQuery(tsdb::Queryable* storage, const promql::Expr& expr, TimestampMs t,
                                           absl::Duration timeout = absl::InfiniteDuration());
  absl::StatusOr<QueryResult> RangeQuery(tsdb::Queryable* storage, const promql::Expr& expr, TimestampMs start,
                                         TimestampMs end, int64_t step_ms,
                                         absl::Duration timeout = absl::InfiniteDuration());

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

}  // namespace vigil::query

#endif  // VIGIL_QUERY_ENGINE_ENGINE_H_
