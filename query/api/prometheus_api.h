// Prometheus' HTTP API (the query side Grafana's Prometheus data source uses), registered on a Vigil HTTP
// server. Every endpoint, its parameters and its answers are in docs/api.md; the contract is shared docs
// contract.md section 1.
//
//   query::api::PrometheusApiDeps deps;
//   deps.storage = db;  deps.engine = &engine;  deps.metadata = &metadata;
//   query::api::RegisterPrometheusApi(&server, std::move(deps));
#ifndef VIGIL_QUERY_API_PROMETHEUS_API_H_
#define VIGIL_QUERY_API_PROMETHEUS_API_H_

#include "base/http/server.h"
#include "query/api/api_deps.h"

namespace vigil::query::api {

// Registers under /api/v1/: query, query_range, query_exemplars, format_query, series, labels (GET and POST
// form), label/<name>/values, metadata, rules, alerts, status/{buildinfo,runtimeinfo,flags,config,tsdb} (GET).
// The pointers in `deps` must outlive `server`.
void RegisterPrometheusApi(http::Server* server, PrometheusApiDeps deps);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_PROMETHEUS_API_H_
