// The PromQL endpoints of the Prometheus API (contract section 1.3), GET or POST form alike:
//
//   /api/v1/query            query, [time] (default now), [timeout], [limit], [lookback_delta], [stats]
//   /api/v1/query_range      query, start, end, step, [timeout], [limit], [lookback_delta], [stats]
//   /api/v1/format_query     query -> the prettified expression
//   /api/v1/query_exemplars  query, [start], [end] -> always an empty list (Vigil stores no exemplars)
//
// Parameters and errors as Prometheus: times as RFC3339 or float seconds, step and timeout as durations or
// float seconds; end < start, step <= 0 and more than 11,000 points per series are 400 bad_data with
// Prometheus' texts; engine errors map as query/api/envelope.h FromEngineStatus says.
#ifndef VIGIL_QUERY_API_QUERY_HANDLERS_H_
#define VIGIL_QUERY_API_QUERY_HANDLERS_H_

#include "base/http/server.h"
#include "query/api/api_deps.h"

namespace vigil::query::api {

void HandleQuery(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleQueryRange(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleFormatQuery(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleQueryExemplars(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_QUERY_HANDLERS_H_
