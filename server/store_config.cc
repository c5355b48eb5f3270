#include "server/store_config.h"

#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/config/config.h"
#include "base/fs/file_system.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/units/bytes.h"
#include "base/units/duration.h"

namespace vigil::server {
namespace {

// Pairs each flag with the config field it sets, so a field given as a flag keeps the flag's value over the
// file's.
struct FlagField {
  const char* flag;
  std::function<void(StoreConfig* to, const StoreConfig& from)> copy;
};

#define VIGIL_FLAG_FIELD(flag, field)                                              \
  FlagField {                                                                      \
    flag, [](StoreConfig* to, const StoreConfig& from) { to->field = from.field; } \
  }

const std::vector<FlagField>& FlagFields() {
  static const auto* fields = new std::vector<FlagField>{
      VIGIL_FLAG_FIELD("web.listen-address", listen_address),
      VIGIL_FLAG_FIELD("web.max-request-bytes", max_request_bytes),
      VIGIL_FLAG_FIELD("storage.tsdb.path", path),
      VIGIL_FLAG_FIELD("storage.tsdb.retention.time", retention),
      VIGIL_FLAG_FIELD("storage.tsdb.retention.size", retention_bytes),
      VIGIL_FLAG_FIELD("storage.tsdb.out-of-order-time-window", out_of_order_window),
      VIGIL_FLAG_FIELD("storage.tsdb.wal-fsync", wal_fsync),
      VIGIL_FLAG_FIELD("storage.tsdb.wal-fsync-interval", wal_fsync_interval),
      VIGIL_FLAG_FIELD("limits.max-series", max_series),
      VIGIL_FLAG_FIELD("limits.max-labels-per-series", max_labels_per_series),
      VIGIL_FLAG_FIELD("limits.max-label-name-length", max_label_name_length),
      VIGIL_FLAG_FIELD("limits.max-label-value-length", max_label_value_length),
      VIGIL_FLAG_FIELD("limits.max-samples-per-request", max_samples_per_request),
      VIGIL_FLAG_FIELD("query.max-samples", query_max_samples),
      VIGIL_FLAG_FIELD("query.timeout", query_timeout),
      VIGIL_FLAG_FIELD("query.lookback-delta", query_lookback_delta),
      VIGIL_FLAG_FIELD("traces.spanmetrics.enabled", spanmetrics_enabled),
      VIGIL_FLAG_FIELD("traces.spanmetrics.flush-interval", spanmetrics_flush_interval),
      VIGIL_FLAG_FIELD("traces.spanmetrics.max-series", spanmetrics_max_series),
      VIGIL_FLAG_FIELD("traces.spanmetrics.service-graphs", spanmetrics_service_graphs),
      VIGIL_FLAG_FIELD("traces.search.resource-attributes", trace_search_resource_attributes),
      VIGIL_FLAG_FIELD("traces.search.span-attributes", trace_search_span_attributes),
      VIGIL_FLAG_FIELD("log.level", log_level),
  };
  return *fields;
}

#undef VIGIL_FLAG_FIELD

absl::Status DecodeStore(config::Object& root, StoreConfig* cfg) {
  root.OptionalObject("web", [&](config::Object& web) {
    web.Optional("listen_address", &cfg->listen_address);
    web.Optional("max_request_bytes", &cfg->max_request_bytes, config::ByteSize);
    return web.Finish();
  });
  root.OptionalObject("storage", [&](config::Object& storage) {
    storage.OptionalObject("tsdb", [&](config::Object& tsdb) {
      tsdb.Optional("path", &cfg->path);
      tsdb.Optional("retention_time", &cfg->retention);
      tsdb.Optional("retention_size", &cfg->retention_bytes, config::ByteSize);
      tsdb.Optional("out_of_order_time_window", &cfg->out_of_order_window);
      tsdb.Optional("wal_fsync", &cfg->wal_fsync);
      tsdb.Optional("wal_fsync_interval", &cfg->wal_fsync_interval);
      return tsdb.Finish();
    });
    return storage.Finish();
  });
  root.OptionalObject("limits", [&](config::Object& limits) {
    limits.Optional("max_series", &cfg->max_series);
    limits.Optional("max_labels_per_series", &cfg->max_labels_per_series);
    limits.Optional("max_label_name_length", &cfg->max_label_name_length);
    limits.Optional("max_label_value_length", &cfg->max_label_value_length);
    limits.Optional("max_samples_per_request", &cfg->max_samples_per_request);
    return limits.Finish();
  });
  root.OptionalObject("query", [&](config::Object& query) {
    query.Optional("max_samples", &cfg->query_max_samples);
    query.Optional("timeout", &cfg->query_timeout);
    query.Optional("lookback_delta", &cfg->query_lookback_delta);
    return query.Finish();
  });
  root.OptionalObject("traces", [&](config::Object& traces) {
    traces.OptionalObject("spanmetrics", [&](config::Object& sm) {
      sm.Optional("enabled", &cfg->spanmetrics_enabled);
      sm.Optional("flush_interval", &cfg->spanmetrics_flush_interval);
      sm.Optional("max_series", &cfg->spanmetrics_max_series);
      sm.Optional("service_graphs", &cfg->spanmetrics_service_graphs);
      return sm.Finish();
    });
    traces.OptionalObject("search", [&](config::Object& search) {
      search.Optional("resource_attributes", &cfg->trace_search_resource_attributes);
      search.Optional("span_attributes", &cfg->trace_search_span_attributes);
      return search.Finish();
    });
    return traces.Finish();
  });
  root.OptionalObject("log", [&](config::Object& log) {
    log.Optional("level", &cfg->log_level);
    return log.Finish();
  });
  return root.Finish();
}

}  // namespace

void RegisterStoreFlags(FlagSet* flags, StoreConfig* cfg) {
  flags->String("config.file", &cfg->config_file, "vigil-store configuration file (YAML); flags override it.");
  flags->String("web.listen-address", &cfg->listen_address,
                "Address to listen on for ingestion, the query APIs, /metrics and health checks.");
  flags->ByteSize("web.max-request-bytes", &cfg->max_request_bytes, "Largest request body accepted.");
  flags->String("storage.tsdb.path", &cfg->path, "Base path for the metrics storage.");
  flags->Duration("storage.tsdb.retention.time", &cfg->retention,
                  "How long to retain samples in storage; 0 keeps them forever (unless the size limit applies).");
  flags->ByteSize("storage.tsdb.retention.size", &cfg->retention_bytes,
                  "Maximum bytes of storage (partitions + WAL); the oldest data goes first. 0 means no limit.");
  flags->Duration("storage.tsdb.out-of-order-time-window", &cfg->out_of_order_window,
                  "How much older than a series' newest sample a sample may be and still be accepted.");
  flags->String("storage.tsdb.wal-fsync", &cfg->wal_fsync,
                "When to fdatasync the WAL: none (survives a process crash), always (survives power loss, per "
                "request), interval.");
  flags->Duration("storage.tsdb.wal-fsync-interval", &cfg->wal_fsync_interval,
                  "Largest time between WAL fsyncs with --storage.tsdb.wal-fsync=interval.");
  flags->Int64("limits.max-series", &cfg->max_series, "Maximum series in the head; 0 means no limit.");
  flags->Int64("limits.max-labels-per-series", &cfg->max_labels_per_series,
               "Maximum labels of one series; 0 means no limit.");
  flags->Int64("limits.max-label-name-length", &cfg->max_label_name_length,
               "Maximum bytes of a label name; 0 means no limit.");
  flags->Int64("limits.max-label-value-length", &cfg->max_label_value_length,
               "Maximum bytes of a label value; 0 means no limit.");
  flags->Int64("limits.max-samples-per-request", &cfg->max_samples_per_request,
               "Maximum samples in one remote_write request.");
  flags->Int64("query.max-samples", &cfg->query_max_samples,
               "Maximum number of samples a single query can load into memory; beyond it the query fails (422).");
  flags->Duration("query.timeout", &cfg->query_timeout,
                  "Maximum time a query may take before it is aborted (503 timeout).");
  flags->Duration("query.lookback-delta", &cfg->query_lookback_delta,
                  "How far back PromQL looks for the latest sample of a series at each evaluation step.");
  flags->Bool("traces.spanmetrics.enabled", &cfg->spanmetrics_enabled,
              "Derive RED metrics (traces_spanmetrics_*) and the service graph (traces_service_graph_*) from received "
              "spans and write them into the metrics storage.");
  flags->Duration("traces.spanmetrics.flush-interval", &cfg->spanmetrics_flush_interval,
                  "How often the span metrics are written to the metrics storage.");
  flags->Int64("traces.spanmetrics.max-series", &cfg->spanmetrics_max_series,
               "Maximum {service, span_name, span_kind, status_code} combinations kept; spans beyond are counted in "
               "traces_spanmetrics_dropped_spans_total.");
  flags->Bool("traces.spanmetrics.service-graphs", &cfg->spanmetrics_service_graphs,
              "Also build the service graph (traces_service_graph_*) when span metrics are enabled.");
  flags->StringList("traces.search.resource-attributes", &cfg->trace_search_resource_attributes,
                    "A resource attribute the trace store indexes for search and tag lists (repeat the flag for "
                    "more; the first replaces the defaults; service.name always is). Applies to spans stored from "
                    "now on.");
  flags->StringList("traces.search.span-attributes", &cfg->trace_search_span_attributes,
                    "A span attribute the trace store indexes for search and tag lists (repeat the flag for more; "
                    "the first replaces the defaults; an empty value indexes none). Applies to spans stored from now "
                    "on.");
  flags->String("log.level", &cfg->log_level,
                "Only log messages with the given severity or above: debug, info, "
                "warn, error.");
}

absl::Status LoadStoreConfigFile(const std::string& path, const FlagSet& flags, StoreConfig* cfg) {
  VIGIL_ASSIGN_OR_RETURN(config::ConfigFile file, config::LoadFile(path));
  StoreConfig from_file = *cfg;
  VIGIL_RETURN_IF_ERROR(file.Decode([&](config::Object& obj) { return DecodeStore(obj, &from_file); }));
  for (const FlagField& f : FlagFields()) {
    if (flags.IsSet(f.flag)) f.copy(&from_file, *cfg);
  }
  VIGIL_ASSIGN_OR_RETURN(from_file.config_text, RealFileSystem()->ReadFile(path));
  *cfg = std::move(from_file);
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> StoreFlagValues(const StoreConfig& cfg) {
  auto d = [](absl::Duration v) { return units::FormatPrometheusDuration(v); };
  return {
      {"config.file", cfg.config_file},
      {"web.listen-address", cfg.listen_address},
      {"web.max-request-bytes", units::FormatByteSize(cfg.max_request_bytes)},
      {"storage.tsdb.path", cfg.path},
      {"storage.tsdb.retention.time", d(cfg.retention)},
      {"storage.tsdb.retention.size", units::FormatByteSize(cfg.retention_bytes)},
      {"storage.tsdb.out-of-order-time-window", d(cfg.out_of_order_window)},
      {"storage.tsdb.wal-fsync", cfg.wal_fsync},
      {"storage.tsdb.wal-fsync-interval", d(cfg.wal_fsync_interval)},
      {"limits.max-series", absl::StrCat(cfg.max_series)},
      {"limits.max-labels-per-series", absl::StrCat(cfg.max_labels_per_series)},
      {"limits.max-label-name-length", absl::StrCat(cfg.max_label_name_length)},
      {"limits.max-label-value-length", absl::StrCat(cfg.max_label_value_length)},
      {"limits.max-samples-per-request", absl::StrCat(cfg.max_samples_per_request)},
      {"query.max-samples", absl::StrCat(cfg.query_max_samples)},
      {"query.timeout", d(cfg.query_timeout)},
      {"query.lookback-delta", d(cfg.query_lookback_delta)},
      {"traces.spanmetrics.enabled", cfg.spanmetrics_enabled ? "true" : "false"},
      {"traces.spanmetrics.flush-interval", d(cfg.spanmetrics_flush_interval)},
      {"traces.spanmetrics.max-series", absl::StrCat(cfg.spanmetrics_max_series)},
      {"traces.spanmetrics.service-graphs", cfg.spanmetrics_service_graphs ? "true" : "false"},
      {"traces.search.resource-attributes", absl::StrJoin(cfg.trace_search_resource_attributes, ",")},
      {"traces.search.span-attributes", absl::StrJoin(cfg.trace_search_span_attributes, ",")},
      {"log.level", cfg.log_level},
  };
}

std::string RetentionText(const StoreConfig& cfg) {
  std::string time = cfg.retention > absl::ZeroDuration() ? units::FormatPrometheusDuration(cfg.retention) : "";
  std::string size = cfg.retention_bytes > 0 ? units::FormatByteSize(cfg.retention_bytes) : "";
  if (!time.empty() && !size.empty()) return absl::StrCat(time, " or ", size);
  if (!time.empty()) return time;
  if (!size.empty()) return size;
  return "0s";
}

absl::Status ValidateStoreConfig(const StoreConfig& cfg) {
  if (cfg.path.empty()) return absl::InvalidArgumentError("storage.tsdb.path must not be empty");
  if (cfg.wal_fsync != "none" && cfg.wal_fsync != "always" && cfg.wal_fsync != "interval") {
    return absl::InvalidArgumentError(
        absl::StrCat("storage.tsdb.wal-fsync: \"", cfg.wal_fsync, "\" is not one of none, always, interval"));
  }
  if (cfg.wal_fsync == "interval" && cfg.wal_fsync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("storage.tsdb.wal-fsync-interval must be positive");
  }
  if (cfg.retention < absl::ZeroDuration() || cfg.out_of_order_window < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("durations must not be negative");
  }
  for (int64_t v : {cfg.max_series, cfg.max_labels_per_series, cfg.max_label_name_length, cfg.max_label_value_length,
                    cfg.retention_bytes}) {
    if (v < 0) return absl::InvalidArgumentError("limits and sizes must not be negative");
  }
  if (cfg.max_samples_per_request <= 0) {
    return absl::InvalidArgumentError("limits.max-samples-per-request must be positive");
  }
  if (cfg.max_request_bytes <= 0) return absl::InvalidArgumentError("web.max-request-bytes must be positive");
  if (cfg.query_max_samples <= 0) return absl::InvalidArgumentError("query.max-samples must be positive");
  if (cfg.query_timeout <= absl::ZeroDuration()) return absl::InvalidArgumentError("query.timeout must be positive");
  if (cfg.spanmetrics_flush_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("traces.spanmetrics.flush-interval must be positive");
  }
  if (cfg.spanmetrics_max_series <= 0) {
    return absl::InvalidArgumentError("traces.spanmetrics.max-series must be positive");
  }
  if (cfg.query_lookback_delta <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("query.lookback-delta must be positive");
  }
  if (!log::ParseLevel(cfg.log_level).ok()) return log::ParseLevel(cfg.log_level).status();
  return absl::OkStatus();
}

}  // namespace vigil::server
