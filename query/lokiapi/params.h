// Request parameters of Loki's query API, parsed as Loki parses them (pkg/loghttp/params.go), so clients see the
// same acceptance:
//
//   ParseLokiTime("2023-11-14T22:13:20Z")  -> RFC3339 / RFC3339Nano first
//   ParseLokiTime("1700000000")            -> seconds: an integer up to 1e10 is seconds
//   ParseLokiTime("1700000000000000000")   -> nanoseconds: a larger integer is nanoseconds
//   ParseLokiTime("1700000000.5")          -> float seconds (fraction rounded to ms) up to 1e10, else ns
//   ParseLokiStep("15000ms"), ("15"), ("0.5") -> a duration or float seconds
//
// Errors are InvalidArgument; the API answers them 400 with the message as a plain-text body.
#ifndef VIGIL_QUERY_LOKIAPI_PARAMS_H_
#define VIGIL_QUERY_LOKIAPI_PARAMS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/http/server.h"
#include "tsdb/logs/log_types.h"

namespace vigil::lokiapi {

// Loki's default look-back when `start` (and `since`) are absent.
inline constexpr absl::Duration kDefaultSince = absl::Hours(1);
// Loki's default `limit` of log queries.
inline constexpr size_t kDefaultLimit = 100;

// A timestamp as nanoseconds since the epoch, read as Loki 3 reads it (pkg/loghttp parseTimestamp): RFC3339Nano;
// else a number, seconds when at most 1e10 and nanoseconds above. So Grafana's health-check time=4000000000
// (meant as 4 s in ns) is 4e9 seconds to Loki, and here. Errors carry Go's strconv texts.
absl::StatusOr<int64_t> ParseLokiTime(std::string_view value);

// A step or interval: float seconds or a Prometheus duration ("15000ms", "1m").
absl::StatusOr<absl::Duration> ParseLokiStep(std::string_view value);

// "backward" / "forward" in any case; "" is backward.
absl::StatusOr<tsdb::logs::Direction> ParseDirection(std::string_view value);

// The `limit` parameter: "" is kDefaultLimit; not a positive integer is an error.
absl::StatusOr<size_t> ParseLokiLimit(std::string_view value);

// [start, end] of a range request: `end` defaults to now, `start` to min(end, now) - `since` (default one hour).
// Errors: "could not parse 'start' parameter: ...", "end timestamp must not be before or equal to start time".
struct TimeRange {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};
absl::StatusOr<TimeRange> ParseTimeRange(const http::Request& req, absl::Time now);

// Loki's default step of a range query without `step`: (end - start) / 250, at least one second.
absl::Duration DefaultStep(int64_t start_ns, int64_t end_ns);

}  // namespace vigil::lokiapi

#endif  // VIGIL_QUERY_LOKIAPI_PARAMS_H_
