// vigil-store: the central metrics store. Opens the TSDB (replaying its WAL), serves ingestion, the APIs and
// its own metrics on one listen address, runs maintenance (persistence, retention, compaction) every minute,
// and on SIGTERM/SIGINT stops accepting requests, lets in-flight ones finish, and flushes the head to disk.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "base/clock/clock.h"
#include "base/flags/flags.h"
#include "base/log/log.h"
#include "base/metrics/registry.h"
#include "base/version/version.h"
#include "server/store_config.h"
#include "server/store_server.h"
#include "tsdb/db/db.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/logs/log_store.h"
#include "tsdb/traces/kv_options.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::server {
namespace {

constexpr absl::Duration kMaintenanceInterval = absl::Minutes(1);
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

tsdb::DbOptions DbOptionsFrom(const StoreConfig& cfg) {
  tsdb::DbOptions o;
  o.dir = cfg.path;
  o.retention = cfg.retention;
  o.retention_bytes = cfg.retention_bytes;
  o.head.out_of_order_window_ms = absl::ToInt64Milliseconds(cfg.out_of_order_window);
  o.head.max_series = static_cast<size_t>(cfg.max_series);
  o.head.max_labels_per_series = static_cast<size_t>(cfg.max_labels_per_series);
  o.head.max_label_name_length = static_cast<size_t>(cfg.max_label_name_length);
  o.head.max_label_value_length = static_cast<size_t>(cfg.max_label_value_length);
  if (cfg.wal_fsync == "always") {
    o.wal.sync_policy = wal::SyncPolicy::kAlways;
  } else if (cfg.wal_fsync == "interval") {
    o.wal.sync_policy = wal::SyncPolicy::kInterval;
    o.wal.sync_interval = cfg.wal_fsync_interval;
  }
  return o;
}

int Run(int argc, char** argv) {
  const absl::Time start_time = RealClock()->Now();
  StoreConfig cfg;
  FlagSet flags("vigil-store", "The Vigil store: metrics TSDB with Prometheus remote_write ingestion.");
  RegisterStoreFlags(&flags, &cfg);
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "vigil-store: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (flags.version_requested()) {
    std::printf("%s\n", VersionLine("vigil-store").c_str());
    return 0;
  }
  if (!cfg.config_file.empty()) {
    if (absl::Status s = LoadStoreConfigFile(cfg.config_file, flags, &cfg); !s.ok()) {
      std::fprintf(stderr, "vigil-store: config: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  if (absl::Status s = ValidateStoreConfig(cfg); !s.ok()) {
    std::fprintf(stderr, "vigil-store: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  log::SetLevel(*log::ParseLevel(cfg.log_level));

  // Signals are taken synchronously by this thread; block them before any other thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  log::Info("starting vigil-store", {{"version", std::string(kVersion)}, {"path", cfg.path}});
  metrics::Registry& registry = metrics::Registry::Default();
  absl::StatusOr<std::unique_ptr<tsdb::Db>> db = tsdb::Db::Open(DbOptionsFrom(cfg), RealClock(), &registry);
  if (!db.ok()) {
    log::Error("cannot open the tsdb", {{"path", cfg.path}, {"err", db.status()}});
    return 1;
  }

  // The log store lives beside the metrics in <path>/logs, with the same retention and WAL sync policy.
  tsdb::logs::LogStoreOptions log_options;
  log_options.retention = cfg.retention;
  log_options.sync_commits = cfg.wal_fsync == "always";
  const std::string logs_dir = cfg.path + (cfg.path.empty() || cfg.path.back() == '/' ? "" : "/") + "logs";
  absl::StatusOr<std::unique_ptr<tsdb::logs::LogStore>> logs =
      tsdb::logs::LogStore::Open(logs_dir, log_options, RealClock());
  if (!logs.ok()) {
    log::Error("cannot open the log store", {{"path", logs_dir}, {"err", logs.status()}});
    return 1;
  }
  if (absl::Status s = (*logs)->RegisterMetrics(&registry); !s.ok()) {
    log::Error("cannot register log store metrics", {{"err", s}});
    return 1;
  }

  // The trace store: its own RocksDB in <path>/traces (spans are written once, synced per request), the same
  // retention.
  const std::string traces_dir = cfg.path + (cfg.path.empty() || cfg.path.back() == '/' ? "" : "/") + "traces";
  absl::StatusOr<std::unique_ptr<kv::RocksKvStore>> traces_kv =
      kv::RocksKvStore::Open(traces_dir, traces::TraceKvOptions());
  if (!traces_kv.ok()) {
    log::Error("cannot open the trace store", {{"path", traces_dir}, {"err", traces_kv.status()}});
    return 1;
  }
  traces::TraceStoreOptions trace_options;
  trace_options.indexed = {};
  trace_options.retention = cfg.retention;
  for (const std::string& key : cfg.trace_search_resource_attributes) {
    if (!key.empty()) trace_options.indexed.resource.push_back(key);
  }
  for (const std::string& key : cfg.trace_search_span_attributes) {
    if (!key.empty()) trace_options.indexed.span.push_back(key);
  }
  absl::StatusOr<std::unique_ptr<traces::TraceStore>> trace_store =
      traces::TraceStore::Open(traces_kv->get(), trace_options, RealClock());
  if (!trace_store.ok()) {
    log::Error("cannot open the trace store", {{"path", traces_dir}, {"err", trace_store.status()}});
    return 1;
  }

  StoreServerOptions server_options;
  server_options.log_storage = logs->get();
  server_options.trace_store = trace_store->get();
  server_options.loki_push.max_decoded_bytes = static_cast<size_t>(cfg.max_request_bytes);
  server_options.otlp_logs.max_request_bytes = static_cast<size_t>(cfg.max_request_bytes);
  server_options.spanmetrics_enabled = cfg.spanmetrics_enabled;
  server_options.spanmetrics.flush_interval = cfg.spanmetrics_flush_interval;
  server_options.spanmetrics.max_series = static_cast<size_t>(cfg.spanmetrics_max_series);
  server_options.spanmetrics.service_graphs = cfg.spanmetrics_service_graphs;
  server_options.http.listen_address = cfg.listen_address;
  server_options.http.max_request_bytes = static_cast<size_t>(cfg.max_request_bytes);
  server_options.http.worker_threads = 64;
  server_options.remote_write.max_samples_per_request = cfg.max_samples_per_request;
  server_options.engine.max_samples = cfg.query_max_samples;
  server_options.engine.timeout = cfg.query_timeout;
  server_options.engine.lookback_delta_ms = absl::ToInt64Milliseconds(cfg.query_lookback_delta);
  server_options.status.start_time = start_time;
  server_options.status.storage_retention = RetentionText(cfg);
  server_options.status.config_yaml = cfg.config_text;
  server_options.status.flags = StoreFlagValues(cfg);
  tsdb::Head* head = &(*db)->head();
  server_options.head_stats = [head] {
    query::api::HeadStats stats;
    stats.num_series = static_cast<int64_t>(head->NumSeries());
    stats.min_time = head->MinTime();
    stats.max_time = head->MaxTime();
    return stats;
  };
  StoreServer server(db->get(), &registry, RealClock(), server_options);
  if (absl::Status s = server.Start(); !s.ok()) {
    log::Error("cannot start the HTTP server", {{"err", s}});
    return 1;
  }
  server.SetReady(true);
  log::Info("ready", {{"address", cfg.listen_address}});

  absl::Notification stop_maintenance;
  std::thread maintenance([&] {
    // Moving the head into partitions and compacting them is background work: at nice 10 it yields the CPU to
    // queries and ingestion, which clients are waiting for (Linux applies setpriority to the calling thread).
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    absl::Time next_tick = absl::Now() + kMaintenanceInterval;
    for (;;) {
      // The tsdb also asks for a round as soon as its head is ready to persist; logs and traces keep the
      // interval.
      (*db)->AwaitMaintenance(std::max(next_tick - absl::Now(), absl::ZeroDuration()));
      if (stop_maintenance.HasBeenNotified()) break;
      if (absl::Status s = (*db)->Maintain(); !s.ok()) log::Error("tsdb maintenance failed", {{"err", s}});
      if (absl::Now() < next_tick) continue;
      next_tick = absl::Now() + kMaintenanceInterval;
      if (absl::Status s = (*logs)->Maintain(); !s.ok()) log::Error("log store maintenance failed", {{"err", s}});
      if (absl::StatusOr<int> n = (*trace_store)->ApplyRetention(); !n.ok()) {
        log::Error("trace store retention failed", {{"err", n.status()}});
      }
    }
  });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::Info("shutting down", {{"signal", sig}});
  server.SetReady(false);
  server.Shutdown(kShutdownGrace);
  stop_maintenance.Notify();
  (*db)->WakeMaintenance();
  maintenance.join();
  if (absl::Status s = (*logs)->Close(); !s.ok()) {
    log::Error("flushing the log store failed; its WAL still holds the data", {{"err", s}});
  }
  if (absl::Status s = (*db)->Close(); !s.ok()) {
    log::Error("flushing the tsdb failed; the WAL still holds the data", {{"err", s}});
    return 1;
  }
  log::Info("stopped");
  return 0;
}

}  // namespace
}  // namespace vigil::server

// jemalloc's settings, read at its first allocation (optimised builds link jemalloc; without it this is unused):
// return freed pages to the kernel within half a second, from a background thread rather than in the allocating
// thread, so RSS follows the live data after an ingest burst without slowing requests.
extern "C" {
__attribute__((used)) const char* malloc_conf = "dirty_decay_ms:500,muzzy_decay_ms:0,background_thread:true";
}

int main(int argc, char** argv) {
  // glibc (dbg builds) gives each thread that allocates its own arena (up to 8 per core); with dozens of HTTP workers
  // that leaves freed request buffers scattered over many arenas and raises RSS with no gain in speed here.
  mallopt(M_ARENA_MAX, 2);
  // Debian's Abseil is built without NDEBUG, so absl::Mutex would run its deadlock detector on every lock
  // (measured: 61% of append time in the head). The detector is for debugging, not production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return vigil::server::Run(argc, argv);
}
