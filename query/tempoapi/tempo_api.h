// Vigil's Tempo and Jaeger query APIs over the trace store (contract.md sections 3.1 to 3.4), so Grafana's Tempo
// and Jaeger data sources work against vigil-store:
//
//   Tempo   GET /api/echo                           "echo" (Save & test)
//           GET /api/v2/traces/<id>                 TraceByIDResponse (protobuf with Accept: application/protobuf,
//                                                   else {"trace":{...},"status":"COMPLETE"})
//           GET /api/traces/<id>                    Trace protobuf (= OTLP TracesData) with Accept:
//                                                   application/protobuf; without it the Jaeger answer below
//           GET /api/search                         q (TraceQL subset, traceql.h) or tags/minDuration/maxDuration;
//                                                   limit, start, end (Unix s), spss
//           GET /api/search/tags, /api/v2/search/tags, /api/search/tag/<t>/values, /api/v2/search/tag/<t>/values
//   Jaeger  GET /api/services, /api/services/<svc>/operations, /api/traces?service=..., /api/traces/<id>,
//           /api/dependencies (always empty); all of them also under TempoApiDeps::jaeger_prefix, where
//           /api/traces/<id> is unambiguous.
//
// Unknown trace ids get 404; malformed parameters 400 with a message saying which and why.
#ifndef VIGIL_QUERY_TEMPOAPI_TEMPO_API_H_
#define VIGIL_QUERY_TEMPOAPI_TEMPO_API_H_

#include <string>

#include "base/http/server.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::tempoapi {

// What the APIs read.
struct TempoApiDeps {
  // Not owned; must outlive the server's routes.
  traces::TraceStore* store = nullptr;
  // Path prefix under which the Jaeger routes are registered too ("" for none), so a Grafana Jaeger data source
  // pointed at http://store/jaeger never meets Tempo's /api/traces/<id>.
  std::string jaeger_prefix = "/jaeger";
};

// Registers the Tempo routes and the Jaeger routes on `server`.
void RegisterTempoApi(http::Server* server, TempoApiDeps deps);

// Registers only the Jaeger routes, under `prefix` ("" for the root). RegisterTempoApi calls it.
void RegisterJaegerApi(http::Server* server, traces::TraceStore* store, const std::string& prefix);

}  // namespace vigil::tempoapi

#endif  // VIGIL_QUERY_TEMPOAPI_TEMPO_API_H_
