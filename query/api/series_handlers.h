// The Prometheus API's series and label endpoints, which Grafana's label browser, autocomplete and dashboard
// variables call (contract section 1.3):
//
//   GET|POST /api/v1/series               match[] (required), start, end, limit
//   GET|POST /api/v1/labels               match[], start, end, limit
//   GET      /api/v1/label/<name>/values  match[], start, end, limit; <name> may be "U__"-escaped UTF-8
//
// start and end default to Prometheus' MinTime and MaxTime; several match[] are unioned; limit truncates with
// the warning "results truncated due to limit". Errors and their texts are Prometheus'.
#ifndef VIGIL_QUERY_API_SERIES_HANDLERS_H_
#define VIGIL_QUERY_API_SERIES_HANDLERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/http/server.h"
#include "model/matcher.h"
#include "query/api/api_deps.h"

namespace vigil::query::api {

void HandleSeries(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
void HandleLabelNames(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);
// `req.path_matches[1]` is the label name.
void HandleLabelValues(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp);

// Parses match[] selectors, refusing a selector whose matchers all match the empty string ("match[] must
// contain at least one non-empty matcher"). Errors carry the parser's or that text, unprefixed.
absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchSets(const std::vector<std::string>& selectors);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_SERIES_HANDLERS_H_
