// The body of a 200 answer to POST /v1/logs: ExportLogsServiceResponse in the request's encoding. Errors use
// RpcStatusBody (wire/otlp/export_response.h) as for traces.
#ifndef VIGIL_WIRE_OTLP_LOGS_RESPONSE_H_
#define VIGIL_WIRE_OTLP_LOGS_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/otlp/export_response.h"

namespace vigil::wire::otlp {

// An ExportLogsServiceResponse. With rejected_log_records == 0 and an empty message, partial_success is left unset
// (an empty protobuf body, "{}" in JSON); otherwise it carries both (JSON writes rejectedLogRecords as a decimal
// string). The protobuf bytes are those of ExportTraceServiceResponse: the two messages share field numbers.
std::string ExportLogsResponseBody(Encoding encoding, int64_t rejected_log_records, std::string_view error_message);

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_LOGS_RESPONSE_H_
