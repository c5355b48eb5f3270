#include "server/store_server.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/version/version.h"
#include "query/api/prometheus_api.h"
#include "query/lokiapi/loki_api.h"
#include "query/tempoapi/tempo_api.h"

namespace vigil::server {
namespace {

void Text(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::move(body);
}

}  // namespace

StoreServer::StoreServer(tsdb::Storage* storage, metrics::Registry* registry, Clock* clock, StoreServerOptions options)
    : registry_(registry),
      http_(options.http),
      ingest_(registry),
      engine_(options.engine),
      remote_write_(storage, &ingest_, registry, options.remote_write, &metadata_),
      import_(storage, &ingest_, clock, options.import, &metadata_) {
  BuildInfo info = GetBuildInfo();
  (void)registry_->NewGaugeCollector(
      "vigil_build_info", "Build information of this binary; the value is always 1.",
      {"version", "compiler", "build_type"}, [info] {
        return std::vector<metrics::LabeledValue>{{{info.version, info.compiler, info.build_type}, 1}};
      });

  http_.Get("/-/healthy", [](const http::Request&, http::Response* resp) { Text(resp, 200, "Vigil is Healthy.\n"); });
  http_.Get("/-/ready", [this](const http::Request&, http::Response* resp) {
    if (ready_.load()) {
      Text(resp, 200, "Vigil is Ready.\n");
    } else {
      Text(resp, 503, "Service Unavailable: starting up.\n");
    }
  });
  http_.Get("/metrics", [this](const http::Request&, http::Response* resp) {
    resp->status = 200;
    resp->content_type = std::string(metrics::kTextContentType);
    registry_->RenderText(&resp->body);
  });
  http_.Post("/api/v1/write",
             [this](const http::Request& req, http::Response* resp) { remote_write_.Handle(req, resp); });
  // Imports are unbounded in size: they stream, so the request limit does not apply (max_stream_bytes 0).
  http_.PostStream("/api/v1/import", [this](const http::Request& req, http::BodyReader* body, http::Response* resp) {
    import_.Handle(req, body, resp);
  });

  if (options.log_storage != nullptr) {
    loki_push_ = std::make_unique<LokiPushHandler>(options.log_storage, registry, options.loki_push);
    http_.Post("/loki/api/v1/push",
               [this](const http::Request& req, http::Response* resp) { loki_push_->Handle(req, resp); });
    otlp_logs_ = std::make_unique<OtlpLogsHandler>(options.log_storage, registry, clock, options.otlp_logs);
    http_.Post("/v1/logs", [this](const http::Request& req, http::Response* resp) { otlp_logs_->Handle(req, resp); });
    lokiapi::LokiApiDeps loki;
    loki.querier = options.log_storage;
    loki.clock = clock;
    lokiapi::RegisterLokiApi(&http_, std::move(loki));
  }

  if (options.trace_store != nullptr) {
    receivers::SpanSink* sink = options.trace_store;
    if (options.spanmetrics_enabled) {
      span_metrics_ = std::make_unique<processors::SpanMetricsSink>(options.trace_store, storage, clock,
                                                                    std::move(options.spanmetrics));
      sink = span_metrics_.get();
    }
    traces_ = std::make_unique<receivers::TraceReceivers>(sink, registry);
    traces_->RegisterOtlp(&http_);
    traces_->RegisterZipkin(&http_);
    tempoapi::RegisterTempoApi(&http_, tempoapi::TempoApiDeps{.store = options.trace_store});
  }

  query::api::PrometheusApiDeps api;
  api.storage = storage;
  api.engine = &engine_;
  api.metadata = &metadata_;
  api.clock = clock;
  api.status = std::move(options.status);
  api.head_stats = std::move(options.head_stats);
  query::api::RegisterPrometheusApi(&http_, std::move(api));
}

absl::Status StoreServer::Start() {
  VIGIL_RETURN_IF_ERROR(http_.Start());
  if (span_metrics_ != nullptr) span_metrics_->Start();
  return absl::OkStatus();
}

void StoreServer::Shutdown(absl::Duration grace) {
  http_.Shutdown(grace);
  if (span_metrics_ != nullptr) span_metrics_->Stop();
}

}  // namespace vigil::server
