// What the Prometheus HTTP API handlers need from the rest of the store. Filled by the server
// (server/store_server.cc) and passed to RegisterPrometheusApi (query/api/prometheus_api.h).
#ifndef VIGIL_QUERY_API_API_DEPS_H_
#define VIGIL_QUERY_API_API_DEPS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "model/sample.h"
#include "tsdb/storage/storage.h"

namespace vigil::query {
class Engine;
class MetadataStore;
}  // namespace vigil::query

namespace vigil::query::api {

// The head's numbers for /api/v1/status/tsdb's headStats.
struct HeadStats {
  int64_t num_series = 0;
  // Chunks in memory; -1 when unknown.
  int64_t chunk_count = -1;
  // Oldest and newest sample in the head (ms); min > max when empty.
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;
};

// What the status endpoints report.
struct StatusInfo {
  // Process start, for runtimeinfo's startTime.
  absl::Time start_time = absl::UnixEpoch();
  // The retention as Prometheus prints it ("15d", "15d or 10GiB"), for runtimeinfo's storageRetention.
  std::string storage_retention;
  // The configuration file's text (may be empty), for /api/v1/status/config.
  std::string config_yaml;
  // Command-line flag names (without "--") and their effective values, for /api/v1/status/flags.
  std::vector<std::pair<std::string, std::string>> flags;
};

struct PrometheusApiDeps {
  // Where series are read. Required.
  tsdb::Queryable* storage = nullptr;
  // Evaluates PromQL; required for /api/v1/query and /api/v1/query_range.
  Engine* engine = nullptr;
  // Metric metadata; null serves an empty /api/v1/metadata.
  MetadataStore* metadata = nullptr;
  // "Now" for queries without a time parameter and for runtimeinfo; null means the real clock.
  Clock* clock = nullptr;
  StatusInfo status;
  // The head's numbers; null means /api/v1/status/tsdb derives numSeries from the storage alone.
  std::function<HeadStats()> head_stats;
  // Time range /api/v1/status/tsdb scans for its cardinality lists when head_stats is null (ms before now).
  int64_t tsdb_status_range_ms = 2 * 3600 * 1000;
};

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_API_DEPS_H_
