// The HTTP face of vigil-store: one listen address serving ingestion, health, self-metrics and (as they are
// built) the Prometheus, Loki and Tempo query APIs, so Grafana needs one URL for every datasource.
#ifndef VIGIL_SERVER_STORE_SERVER_H_
#define VIGIL_SERVER_STORE_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>

#include "agent/receivers/trace_receivers.h"
#include "base/clock/clock.h"
#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "processors/spanmetrics/span_metrics_sink.h"
#include "query/api/api_deps.h"
#include "query/engine/engine.h"
#include "query/metadata/metadata_store.h"
#include "server/ingest/import_handler.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/loki_push_handler.h"
#include "server/ingest/otlp_logs_handler.h"
#include "server/ingest/remote_write_handler.h"
#include "tsdb/storage/storage.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::server {

struct StoreServerOptions {
  http::ServerOptions http;
  RemoteWriteOptions remote_write;
  ImportOptions import;
  // PromQL limits (--query.max-samples, --query.timeout, --query.lookback-delta).
  query::EngineOptions engine;
  // What /api/v1/status/{runtimeinfo,flags,config} report.
  query::api::StatusInfo status;
  // The head's numbers for /api/v1/status/tsdb; null derives them from the storage.
  std::function<query::api::HeadStats()> head_stats;
  // The log store behind POST /loki/api/v1/push; null serves no Loki routes. Must outlive the server.
  tsdb::logs::LogStorage* log_storage = nullptr;
  LokiPushOptions loki_push;
  OtlpLogsOptions otlp_logs;
  // The trace store behind the OTLP/Zipkin receivers and the Tempo/Jaeger APIs; null serves no trace routes.
  // Must outlive the server.
  traces::TraceStore* trace_store = nullptr;
  // Span metrics and the service graph (processors/spanmetrics) derived from spans stored in trace_store and
  // written into `storage` every spanmetrics.flush_interval between Start() and Shutdown(). Off unless set.
  bool spanmetrics_enabled = false;
  processors::SpanMetricsOptions spanmetrics;
};

class StoreServer {
 public:
  // `storage` and `registry` must outlive the server. Routes:
  //   GET  /-/healthy              200 while the process serves HTTP
  //   GET  /-/ready                200 once SetReady(true) (storage opened, WAL replayed), else 503
  //   GET  /metrics                the store's own metrics, Prometheus text format
  //   POST /api/v1/write           remote_write 1.0 (server/ingest/remote_write_handler.h)
  //   POST /api/v1/import          backfill from text/OpenMetrics, streamed (server/ingest/import_handler.h)
  //   GET|POST /api/v1/query, query_range, series, labels, ...  Prometheus' HTTP API (query/api/prometheus_api.h)
  //   POST /loki/api/v1/push       Loki push into options.log_storage, if set (server/ingest/loki_push_handler.h),
  //   POST /v1/logs                OTLP/HTTP logs into the same store (server/ingest/otlp_logs_handler.h),
  //   GET|POST /loki/api/v1/query, query_range, labels, ...  and Loki's query API over it (query/lokiapi)
  //   POST /v1/traces, /api/v2/spans; GET /api/traces/<id>, /api/search, ...  OTLP/Zipkin ingest and the Tempo and
  //                                Jaeger APIs over options.trace_store, if set (agent/receivers, query/tempoapi)
  // `clock` stamps imported samples that carry no timestamp and is "now" for queries without a time.
  StoreServer(tsdb::Storage* storage, metrics::Registry* registry, Clock* clock, StoreServerOptions options);

  // Starts serving HTTP and, when enabled, the span metrics flush loop.
  absl::Status Start();
  int port() const { return http_.port(); }
  void SetReady(bool ready) { ready_.store(ready); }
  // Stops serving HTTP, then flushes the span metrics a last time and stops their loop.
  void Shutdown(absl::Duration grace);

  // The underlying server, for routing tests and for later APIs to register on.
  http::Server& http() { return http_; }
  // Metric metadata received with remote_write and imports.
  query::MetadataStore& metadata() { return metadata_; }

 private:
  metrics::Registry* registry_;
  http::Server http_;
  IngestMetrics ingest_;
  query::MetadataStore metadata_;
  query::Engine engine_;
  RemoteWriteHandler remote_write_;
  ImportHandler import_;
  std::unique_ptr<LokiPushHandler> loki_push_;
  std::unique_ptr<OtlpLogsHandler> otlp_logs_;
  // Declared before traces_, which delivers spans into it, so it is destroyed after.
  std::unique_ptr<processors::SpanMetricsSink> span_metrics_;
  std::unique_ptr<receivers::TraceReceivers> traces_;
  std::atomic<bool> ready_{false};
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_STORE_SERVER_H_
