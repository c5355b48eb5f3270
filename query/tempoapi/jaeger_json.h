// Jaeger's query API JSON (contract.md section 3.4): traces as Jaeger's UI model (spans with references, tags,
// logs and processes), for Grafana's Jaeger data source.
#ifndef VIGIL_QUERY_TEMPOAPI_JAEGER_JSON_H_
#define VIGIL_QUERY_TEMPOAPI_JAEGER_JSON_H_

#include <string>
#include <vector>

#include "base/http/server.h"
#include "model/span.h"
#include "query/tempoapi/api_util.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::tempoapi {

// Writes one trace (all spans of one trace id) as a Jaeger trace object: {"traceID","spans","processes",
// "warnings"}. Each distinct resource (by content) becomes a process "p1", "p2", ...; the span kind, status and
// scope become the tags Jaeger's OTLP translation gives them (span.kind, otel.status_code, error, otel.scope.name).
void WriteJaegerTrace(const std::vector<Span>& spans, internal::JsonWriter* w);

// Answers GET /api/traces/<id> the Jaeger way: {"data":[trace],...}, 404 with Jaeger's error envelope if unknown.
void JaegerTraceById(traces::TraceStore* store, const std::string& id_text, http::Response* resp);

}  // namespace vigil::tempoapi

#endif  // VIGIL_QUERY_TEMPOAPI_JAEGER_JSON_H_
