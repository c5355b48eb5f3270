// Loki's HTTP query API (the part Grafana's Loki data source uses), registered on a Vigil HTTP server and served
// by the LogQL engine (query/logengine) over a LogQuerier. The contract is shared docs contract.md section 2;
// endpoints, parameters and deviations are in docs/loki-api.md.
//
//   lokiapi::LokiApiDeps deps;
//   deps.querier = log_store;  deps.clock = clock;
//   lokiapi::RegisterLokiApi(&server, std::move(deps));
//
// Errors are answered as Loki answers them: a plain-text body with the message, 400 for anything the request can
// fix (parse errors, bad parameters, limits, a log query on the instant endpoint), 500 otherwise.
#ifndef VIGIL_QUERY_LOKIAPI_LOKI_API_H_
#define VIGIL_QUERY_LOKIAPI_LOKI_API_H_

#include "base/clock/clock.h"
#include "base/http/server.h"
#include "query/logengine/engine.h"
#include "tsdb/logs/log_storage.h"

namespace vigil::lokiapi {

struct LokiApiDeps {
  // The log store to query. Required; must outlive the server.
  const tsdb::logs::LogQuerier* querier = nullptr;
  // "now" for absent time parameters; null means RealClock(). Must outlive the server.
  Clock* clock = nullptr;
  // Limits of the engine (max series, max entries per query), Loki's defaults unless set.
  logengine::EngineOptions engine_options;
};

// Registers, for GET and POST (form) alike, under /loki/api/v1/: query, query_range, labels,
// label/<name>/values, series, index/stats, index/volume, detected_labels. Push (/loki/api/v1/push) and readiness
// are registered by their own owners.
void RegisterLokiApi(http::Server* server, LokiApiDeps deps);

}  // namespace vigil::lokiapi

#endif  // VIGIL_QUERY_LOKIAPI_LOKI_API_H_
