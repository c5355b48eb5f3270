#include "query/tempoapi/api_util.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "base/strings/absl_view.h"

namespace vigil::tempoapi::internal {

void Json(const rapidjson::StringBuffer& buffer, http::Response* resp) {
  resp->status = 200;
  resp->content_type = "application/json";
  resp->body.assign(buffer.GetString(), buffer.GetSize());
}

void Error(int status, std::string_view message, http::Response* resp) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::string(message);
}

absl::StatusOr<int64_t> IntParam(const http::Request& req, std::string_view name, int64_t fallback) {
  const std::string v = req.Param(name);
  if (v.empty()) return fallback;
  int64_t out = 0;
  if (!absl::SimpleAtoi(v, &out)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", AV(name), " \"", v, "\": not an integer"));
  }
  return out;
}

absl::StatusOr<int64_t> DurationParam(const http::Request& req, std::string_view name) {
  const std::string v = req.Param(name);
  if (v.empty()) return 0;
  absl::Duration d;
  if (!absl::ParseDuration(absl::StrReplaceAll(v, {{"\xC2\xB5", "us"}}), &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", AV(name), " \"", v, "\": want a duration such as 100ms or 1.5s"));
  }
  return absl::ToInt64Nanoseconds(d);
}

absl::StatusOr<TraceId> TraceIdFromPath(std::string_view text) {
  absl::StatusOr<TraceId> id = TraceId::FromShortHex(text);
  if (!id.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid trace id \"", AV(text), "\": want 1 to 32 hex digits"));
  }
  return id;
}

}  // namespace vigil::tempoapi::internal
