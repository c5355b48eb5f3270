// Query results as the data of /api/v1/query and /api/v1/query_range, byte for byte as Prometheus writes them:
//
//   {"resultType":"vector","result":[{"metric":{"job":"a"},"value":[1700000000.5,"1"]}]}
//   {"resultType":"matrix","result":[{"metric":{...},"values":[[1700000000,"1"],[1700000015,"2"]]}]}
//   {"resultType":"scalar","result":[4,"2"]}
//   {"resultType":"string","result":[4,"text"]}
#ifndef VIGIL_QUERY_API_RESULT_JSON_H_
#define VIGIL_QUERY_API_RESULT_JSON_H_

#include <cstdint>
#include <string>

#include "query/engine/value.h"

namespace vigil::query::api {

// "scalar", "string", "vector" or "matrix".
std::string_view ResultTypeName(const QueryResult& result);

// Appends the data object {"resultType":...,"result":...} (without a closing brace when `open` is true, so the
// caller can add "stats"). Vectors and matrices are cut to `limit` series when limit > 0; returns whether that
// happened.
bool AppendQueryData(const QueryResult& result, int64_t limit, bool open, std::string* out);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_RESULT_JSON_H_
