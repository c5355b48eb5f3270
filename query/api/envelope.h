// The response envelope of Prometheus' HTTP API and its error types (contract section 1.4/1.5):
//
//   {"status":"success","data":<data>,"warnings":[...],"infos":[...]}
//   {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: ..."}
//
// Success bodies are built in place: BeginSuccess writes the prefix into the response body, the handler appends
// its data, EndSuccess closes the object. So a large matrix is serialized once, into its final buffer.
#ifndef VIGIL_QUERY_API_ENVELOPE_H_
#define VIGIL_QUERY_API_ENVELOPE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "base/http/server.h"

namespace vigil::query::api {

// Prometheus' errorType values.
enum class ErrorType {
  kBadData,        // 400
  kExecution,      // 422
  kTimeout,        // 503
  kCanceled,       // 499
  kInternal,       // 500
  kUnavailable,    // 503
  kNotFound,       // 404
  kNotAcceptable,  // 406
};

// "bad_data", "execution", "timeout", "canceled", "internal", "unavailable", "not_found", "not_acceptable".
std::string_view ErrorTypeName(ErrorType type);

// The HTTP status Prometheus answers for `type` (getDefaultErrorCode).
int HttpStatusFor(ErrorType type);

// An error the API answers with.
struct ApiError {
  ErrorType type = ErrorType::kInternal;
  std::string message;
};

// bad_data with Prometheus' wording for a bad parameter: `invalid parameter "<param>": <reason>`.
ApiError InvalidParam(std::string_view param, std::string_view reason);

// Maps an error of the engine or the storage to the API's error type, as query/engine/engine.h documents:
// InvalidArgument -> bad_data (prefixed `invalid parameter "query": `), DeadlineExceeded -> timeout,
// Cancelled -> canceled, ResourceExhausted and FailedPrecondition -> execution, anything else -> internal.
ApiError FromEngineStatus(const absl::Status& status);

// Writes the error envelope with its status code into `resp`.
void WriteError(const ApiError& error, http::Response* resp);

// Starts a success response: sets status 200 and the JSON content type, writes `{"status":"success","data":`
// into resp->body and returns the body for the caller to append the data to.
std::string* BeginSuccess(http::Response* resp);

// Closes a response begun with BeginSuccess, adding "warnings" and "infos" when not empty. As Prometheus, at most
// 10 of each are listed, followed by "N more warning annotations omitted" (or "info").
void EndSuccess(const std::vector<std::string>& warnings, const std::vector<std::string>& infos, http::Response* resp);

// A success response whose data is the JSON text `data`.
void WriteSuccess(std::string_view data, http::Response* resp);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_ENVELOPE_H_
