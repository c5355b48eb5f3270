// The JSON bodies of Loki's query endpoints (pkg/loghttp, pkg/util/marshal), written straight into a string:
//
//   {"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"x"},
//     "values":[["1700000000000000000","line"]]}],"stats":{...}}}
//
// Stream timestamps are nanosecond strings; vector and matrix samples are [<float seconds>, "<value>"] as in
// Prometheus; a scalar is [<float seconds>, "<value>"]. With the categorize-labels encoding flag, data carries
// "encodingFlags":["categorize-labels"] and every stream value is a 3-tuple whose third element holds the line's
// "structuredMetadata" and "parsed" labels (the keys present only when non-empty, `{}` when both are).
#ifndef VIGIL_QUERY_LOKIAPI_RESULT_JSON_H_
#define VIGIL_QUERY_LOKIAPI_RESULT_JSON_H_

#include <string>

#include "query/logengine/engine.h"

namespace vigil::lokiapi {

// The whole success body of /loki/api/v1/query and /query_range.
std::string QueryResponseJson(const logengine::QueryResult& result, bool categorize_labels);

// Loki's `stats` object: summary figures from `stats`, the per-component (querier, ingester, cache) objects with
// their keys present and zero, as Grafana stores them without needing them.
void AppendStatsJson(const logengine::QueryStats& stats, std::string* out);

}  // namespace vigil::lokiapi

#endif  // VIGIL_QUERY_LOKIAPI_RESULT_JSON_H_
