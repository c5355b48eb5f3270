#include "query/api/prometheus_api.h"

#include <memory>
#include <string>

#include "query/api/query_handlers.h"
#include "query/api/series_handlers.h"
#include "query/api/status_handlers.h"

namespace vigil::query::api {

void RegisterPrometheusApi(http::Server* server, PrometheusApiDeps deps) {
  auto shared = std::make_shared<const PrometheusApiDeps>(std::move(deps));
  using Fn = void (*)(const PrometheusApiDeps&, const http::Request&, http::Response*);
  auto bind = [shared](Fn fn) {
    return [shared, fn](const http::Request& req, http::Response* resp) { fn(*shared, req, resp); };
  };
  auto get_and_post = [&](const std::string& path, Fn fn) {
    server->Get(path, bind(fn));
    server->Post(path, bind(fn));
  };
  get_and_post("/api/v1/query", HandleQuery);
  get_and_post("/api/v1/query_range", HandleQueryRange);
  get_and_post("/api/v1/query_exemplars", HandleQueryExemplars);
  get_and_post("/api/v1/format_query", HandleFormatQuery);
  get_and_post("/api/v1/series", HandleSeries);
  get_and_post("/api/v1/labels", HandleLabelNames);
  server->Get(R"(/api/v1/label/([^/]+)/values)", bind(HandleLabelValues));
  server->Get("/api/v1/metadata", bind(HandleMetadata));
  server->Get("/api/v1/rules", bind(HandleRules));
  server->Get("/api/v1/alerts", bind(HandleAlerts));
  server->Get("/api/v1/status/buildinfo", bind(HandleBuildInfo));
  server->Get("/api/v1/status/runtimeinfo", bind(HandleRuntimeInfo));
  server->Get("/api/v1/status/flags", bind(HandleFlags));
  server->Get("/api/v1/status/config", bind(HandleConfig));
  server->Get("/api/v1/status/tsdb", bind(HandleTsdbStatus));
}

}  // namespace vigil::query::api
