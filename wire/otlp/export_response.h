// The bodies of OTLP/HTTP export responses (contract.md section 3.5): ExportTraceServiceResponse for a 200,
// google.rpc.Status for a 4xx/5xx, each in the encoding of the request (a response MUST use the request's
// Content-Type).
#ifndef VIGIL_WIRE_OTLP_EXPORT_RESPONSE_H_
#define VIGIL_WIRE_OTLP_EXPORT_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::wire::otlp {

// The two OTLP/HTTP encodings.
enum class Encoding { kProtobuf, kJson };

// "application/x-protobuf" or "application/json".
std::string_view ContentType(Encoding encoding);

// google.rpc.Code values used in OTLP error responses.
inline constexpr int kRpcInvalidArgument = 3;
inline constexpr int kRpcResourceExhausted = 8;
inline constexpr int kRpcInternal = 13;
inline constexpr int kRpcUnavailable = 14;

// An ExportTraceServiceResponse. With rejected_spans == 0 and an empty message, partial_success is left unset
// (full success: an empty protobuf body, "{}" in JSON); otherwise it carries both (JSON writes rejectedSpans as
// a decimal string, as the proto3 JSON mapping writes int64).
std::string ExportTraceResponseBody(Encoding encoding, int64_t rejected_spans, std::string_view error_message);

// A google.rpc.Status {code, message} (no details).
std::string RpcStatusBody(Encoding encoding, int rpc_code, std::string_view message);

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_EXPORT_RESPONSE_H_
