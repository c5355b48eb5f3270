#include "query/api/envelope.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "query/api/json.h"

namespace vigil::query::api {
namespace {

constexpr size_t kMaxAnnotations = 10;

void AppendAnnotations(std::string_view key, std::string_view kind, const std::vector<std::string>& list,
                       std::string* out) {
  if (list.empty()) return;
  out->append(",\"");
  out->append(key);
  out->append("\":[");
  size_t shown = std::min(list.size(), kMaxAnnotations);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(list[i], out);
  }
  if (list.size() > shown) {
    out->push_back(',');
    AppendJsonString(absl::StrCat(list.size() - shown, " more ", AV(kind), " annotations omitted"), out);
  }
  out->push_back(']');
}

}  // namespace

std::string_view ErrorTypeName(ErrorType type) {
  switch (type) {
    case ErrorType::kBadData:
      return "bad_data";
    case ErrorType::kExecution:
      return "execution";
    case ErrorType::kTimeout:
      return "timeout";
    case ErrorType::kCanceled:
      return "canceled";
    case ErrorType::kInternal:
      return "internal";
    case ErrorType::kUnavailable:
      return "unavailable";
    case ErrorType::kNotFound:
      return "not_found";
    case ErrorType::kNotAcceptable:
      return "not_acceptable";
  }
  return "internal";
}

int HttpStatusFor(ErrorType type) {
  switch (type) {
    case ErrorType::kBadData:
      return 400;
    case ErrorType::kExecution:
      return 422;
    case ErrorType::kCanceled:
      return 499;
    case ErrorType::kTimeout:
    case ErrorType::kUnavailable:
      return 503;
    case ErrorType::kInternal:
      return 500;
    case ErrorType::kNotFound:
      return 404;
    case ErrorType::kNotAcceptable:
      return 406;
  }
  return 500;
}

ApiError InvalidParam(std::string_view param, std::string_view reason) {
  return ApiError{ErrorType::kBadData, absl::StrCat("invalid parameter ", GoQuote(param), ": ", AV(reason))};
}

ApiError FromEngineStatus(const absl::Status& status) {
  std::string_view msg = SV(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return InvalidParam("query", msg);
    case absl::StatusCode::kDeadlineExceeded:
      return ApiError{ErrorType::kTimeout, std::string(msg)};
    case absl::StatusCode::kCancelled:
      return ApiError{ErrorType::kCanceled, std::string(msg)};
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kFailedPrecondition:
      return ApiError{ErrorType::kExecution, std::string(msg)};
    default:
      return ApiError{ErrorType::kInternal, std::string(msg)};
  }
}

void WriteError(const ApiError& error, http::Response* resp) {
  resp->status = HttpStatusFor(error.type);
  resp->content_type = "application/json";
  resp->body = "{\"status\":\"error\",\"errorType\":";
  AppendJsonString(ErrorTypeName(error.type), &resp->body);
  resp->body.append(",\"error\":");
  AppendJsonString(error.message, &resp->body);
  resp->body.push_back('}');
}

std::string* BeginSuccess(http::Response* resp) {
  resp->status = 200;
  resp->content_type = "application/json";
  resp->body.assign("{\"status\":\"success\",\"data\":");
  return &resp->body;
}

void EndSuccess(const std::vector<std::string>& warnings, const std::vector<std::string>& infos, http::Response* resp) {
  AppendAnnotations("warnings", "warning", warnings, &resp->body);
  AppendAnnotations("infos", "info", infos, &resp->body);
  resp->body.push_back('}');
}

void WriteSuccess(std::string_view data, http::Response* resp) {
  BeginSuccess(resp)->append(data);
  EndSuccess({}, {}, resp);
}

}  // namespace vigil::query::api
