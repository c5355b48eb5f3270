// Helpers the Tempo and Jaeger handlers share: parameter parsing with 400 answers, JSON writing.
#ifndef VIGIL_QUERY_TEMPOAPI_API_UTIL_H_
#define VIGIL_QUERY_TEMPOAPI_API_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/http/server.h"
#include "model/span.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace vigil::tempoapi::internal {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes `s` as a JSON string.
inline void String(JsonWriter* w, std::string_view s) {
  w->String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
// Writes a JSON object key.
inline void Key(JsonWriter* w, std::string_view s) { w->Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// Sets `resp` to a JSON body.
void Json(const rapidjson::StringBuffer& buffer, http::Response* resp);
// Sets `resp` to a plain-text error.
void Error(int status, std::string_view message, http::Response* resp);

// Integer parameter `name` (absent or empty: `fallback`); InvalidArgument naming it otherwise.
absl::StatusOr<int64_t> IntParam(const http::Request& req, std::string_view name, int64_t fallback);
// Go-style duration parameter ("100ms", "1.5s"; absent: 0) in nanoseconds; InvalidArgument naming it otherwise.
absl::StatusOr<int64_t> DurationParam(const http::Request& req, std::string_view name);
// A trace id from a URL: 1 to 32 hex digits.
absl::StatusOr<TraceId> TraceIdFromPath(std::string_view text);

}  // namespace vigil::tempoapi::internal

#endif  // VIGIL_QUERY_TEMPOAPI_API_UTIL_H_
