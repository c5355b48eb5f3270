// The Prometheus API endpoints that need no PromQL: status pages, metadata, and the rules/alerts placeholders.
//
//   GET /api/v1/status/buildinfo    version (Grafana's version detection; no "features", which would make
//                                   Grafana take the store for Mimir)
//   GET /api/v1/status/runtimeinfo  start time, CWD, hostname, server time, retention
//   GET /api/v1/status/flags        effective command-line flags
//   GET /api/v1/status/config       {"yaml": <config file text>}
//   GET /api/v1/status/tsdb         head stats and cardinality top lists (limit, default 10, at most 10000)
//   GET /api/v1/metadata            metric family metadata (limit, limit_per_metric, metric)
//   GET /api/v1/rules, /api/v1/alerts  empty lists until rules exist
//
// Each handler answers with the API envelope (query/api/envelope.h).
#ifndef VIGIL_QUERY_API_STATUS_HANDLERS_H_
#define VIGIL_QUERY_API_STATUS_HANDLERS_H_

#include "base/http/server.h"
#include "query/api/api_deps.h"

namespace vigil::query::api {

void HandleBuildInfo(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleRuntimeInfo(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleFlags(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleConfig(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleTsdbStatus(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleMetadata(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleRules(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleAlerts(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_STATUS_HANDLERS_H_
