// vigil-store's configuration: a YAML file (--config.file) overridden by command-line flags with Prometheus'
// names where the meaning is the same. Every option is documented in docs/configuration.md.
#ifndef VIGIL_SERVER_STORE_CONFIG_H_
#define VIGIL_SERVER_STORE_CONFIG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/flags/flags.h"
#include "tsdb/traces/span_summary.h"

namespace vigil::server {

struct StoreConfig {
  // web
  std::string listen_address = "0.0.0.0:9201";
  int64_t max_request_bytes = int64_t{64} << 20;
  // storage.tsdb
  std::string path = "data/";
  absl::Duration retention = absl::Hours(24 * 15);
  int64_t retention_bytes = 0;
  absl::Duration out_of_order_window = absl::ZeroDuration();
  std::string wal_fsync = "none";  // none | always | interval
  absl::Duration wal_fsync_interval = absl::Seconds(1);
  // limits
  int64_t max_series = 0;
  int64_t max_labels_per_series = 0;
  int64_t max_label_name_length = 0;
  int64_t max_label_value_length = 0;
  int64_t max_samples_per_request = 1'000'000;
  // query (Prometheus' --query.* flags)
  int64_t query_max_samples = 50'000'000;
  absl::Duration query_timeout = absl::Minutes(2);
  absl::Duration query_lookback_delta = absl::Minutes(5);
  // traces.spanmetrics: RED metrics and the service graph derived from received spans, written into the TSDB
  // (processors/spanmetrics).
  bool spanmetrics_enabled = true;
  absl::Duration spanmetrics_flush_interval = absl::Seconds(15);
  int64_t spanmetrics_max_series = 10000;
  bool spanmetrics_service_graphs = true;
  // traces.search: the resource and span attributes the trace store indexes for search and tag lists (besides
  // service.name and the intrinsics).
  std::vector<std::string> trace_search_resource_attributes = traces::DefaultIndexedAttributeKeys().resource;
  std::vector<std::string> trace_search_span_attributes = traces::DefaultIndexedAttributeKeys().span;
  // log
  std::string log_level = "info";
  // Where the config came from, for /api/v1/status/config.
  std::string config_file;
  std::string config_text;
};

// Registers every flag on `flags`, bound to `cfg`'s fields (the defaults above).
void RegisterStoreFlags(FlagSet* flags, StoreConfig* cfg);

// Reads `path` (YAML) into `cfg`, but leaves fields whose flag was given on the command line alone, so flags
// override the file. Errors name the file, line, column and key.
absl::Status LoadStoreConfigFile(const std::string& path, const FlagSet& flags, StoreConfig* cfg);

// Every flag (without "--") with its effective value, as /api/v1/status/flags lists them.
std::vector<std::pair<std::string, std::string>> StoreFlagValues(const StoreConfig& cfg);

// The retention as Prometheus' runtimeinfo prints it: "15d", "10GiB", "15d or 10GiB", or "0s" for none.
std::string RetentionText(const StoreConfig& cfg);

// Checks values that are valid alone but not together or not in range.
absl::Status ValidateStoreConfig(const StoreConfig& cfg);

}  // namespace vigil::server

#endif  // VIGIL_SERVER_STORE_CONFIG_H_
