// LogQL evaluation over a LogQuerier (tsdb/logs): log queries return streams of lines, metric queries return
// vectors, matrices or scalars, with Loki's semantics (pkg/logql/engine.go, evaluator.go, range_vector.go).
//
//   logengine::Engine engine(querier, {});
//   absl::StatusOr<logengine::QueryResult> r = engine.Query({.query = R"({app="x"} |= "err")",
//       .start_ns = t0, .end_ns = t1, .direction = tsdb::logs::Direction::kBackward, .limit = 1000});
//   if (auto* streams = std::get_if<logengine::Streams>(&r->value)) ...
//
// Log queries: streams are selected, every entry runs through the compiled pipeline (compiled once per query),
// kept lines are grouped into result streams by their final label set (stream labels + structured metadata +
// parsed labels) and the newest (backward) or oldest (forward) `limit` lines over [start, end) are returned.
//
// Metric queries are evaluated at every step t in [start, end] (an instant query is one step at `time`): a range
// aggregation sees the samples in the window (t - offset - range, t - offset] (open on the left, closed on the
// right, as Loki's batchRangeVectorIterator). Results carry millisecond timestamps, as Loki's.
//
// Errors: InvalidArgument for anything the user can fix (parse errors, limits, pipeline errors of metric
// queries), with Loki's texts; the Loki API answers them 400. Other codes come from the store.
#ifndef VIGIL_QUERY_LOGENGINE_ENGINE_H_
#define VIGIL_QUERY_LOGENGINE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/sample.h"
#include "tsdb/logs/log_storage.h"

namespace vigil::logengine {

// Loki's max_query_series default.
inline constexpr size_t kDefaultMaxSeries = 500;
// Loki's max_entries_limit_per_query default.
inline constexpr size_t kDefaultMaxEntriesPerQuery = 5000;
// Loki's (and Prometheus') bound on the points of one series of a range query.
inline constexpr int64_t kMaxPointsPerSeries = 11000;

struct EngineOptions {
  // Most series a metric query may return (intermediate results are not bounded, as in Loki); more is InvalidArgument
  // "maximum of series (500) reached for a single query". 0: no limit.
  size_t max_series = kDefaultMaxSeries;
  // Largest `limit` a log query may ask for; more is InvalidArgument
  // "max entries limit per query exceeded, limit > max_entries_limit_per_query (N > 5000)". 0: no limit.
  size_t max_entries_per_query = kDefaultMaxEntriesPerQuery;
};

// What to evaluate.
struct QueryParams {
  std::string query;
  // Range queries: log lines in [start, end); metric steps at start, start+step, ... <= end.
  // Instant queries: start == end == the query time.
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  // The step of a range query's metric evaluation (> 0); ignored for instant queries.
  int64_t step_ns = 0;
  // Log queries: return at most one line per `interval` of each result stream (0: every line).
  int64_t interval_ns = 0;
  tsdb::logs::Direction direction = tsdb::logs::Direction::kBackward;
  // Most lines a log query returns (over all streams). 0 is refused, as in Loki.
  size_t limit = 100;
  // An instant query (/query): log queries are refused, metric queries give a vector or scalar.
  bool instant = false;
  // Loki's categorize-labels response flag: result streams are keyed by their stream labels only, each line
  // carries its structured metadata and parsed labels separately.
  bool categorize_labels = false;
};

// One returned log line.
struct LogLine {
  int64_t timestamp_ns = 0;
  std::string line;
  // Set only with categorize_labels: the line's structured metadata and the labels the pipeline extracted.
  Labels structured_metadata;
  Labels parsed;
};

// A result stream: its labels and lines (in the query's direction).
struct LogStream {
  Labels labels;
  std::vector<LogLine> lines;
};
// Streams sorted by labels.
using Streams = std::vector<LogStream>;

// One element of an instant-vector result.
struct VectorElement {
  Labels metric;
  TimestampMs t_ms = 0;
  double value = 0;
};
using Vector = std::vector<VectorElement>;

// One series of a range result: points oldest first.
struct MatrixSeries {
  Labels metric;
  std::vector<Sample> points;  // t in milliseconds
};
// Series sorted by labels.
using Matrix = std::vector<MatrixSeries>;

struct ScalarValue {
  TimestampMs t_ms = 0;
  double value = 0;
};

// What a query read and returned, for the `stats` object of Loki's responses.
struct QueryStats {
  uint64_t lines_processed = 0;            // entries read from the store
  uint64_t bytes_processed = 0;            // their line bytes
  uint64_t structured_metadata_bytes = 0;  // their structured metadata bytes (names and values)
  uint64_t post_filter_lines = 0;          // entries the pipeline kept
  uint64_t entries_returned = 0;           // lines (log queries) or samples (metric queries) in the result
  uint64_t streams = 0;                    // store streams read
  double exec_time_seconds = 0;
};

struct QueryResult {
  std::variant<Streams, Vector, Matrix, ScalarValue> value;
  QueryStats stats;
};

// Evaluates LogQL queries. Thread-safe: each Query() call compiles its own pipelines.
class Engine {
 public:
  // `querier` must outlive the engine.
  Engine(const tsdb::logs::LogQuerier* querier, EngineOptions options);

  absl::StatusOr<QueryResult> Query(const QueryParams& params) const;

  const EngineOptions& options() const { return options_; }

 private:
  const tsdb::logs::LogQuerier* querier_;
  EngineOptions options_;
};

// Loki's error text for a log query sent to the instant endpoint.
inline constexpr std::string_view kInstantLogQueryError =
    "log queries are not supported as an instant query type, please change your query to a range query type";

}  // namespace vigil::logengine

#endif  // VIGIL_QUERY_LOGENGINE_ENGINE_H_
