// Decoding of OTLP/HTTP JSON log bodies (ExportLogsServiceRequest in the OTLP JSON encoding) into Loki-style
// streams (wire/otlp/decode_logs_common.h). The same encoding rules as the trace decoder (decode_json.h):
// lowerCamelCase keys (unknown keys ignored), hex traceId/spanId, 64-bit integers as decimal strings or numbers,
// severityNumber as an integer or its enum name ("SEVERITY_NUMBER_ERROR"), base64 bytesValue, null for absent.
#ifndef VIGIL_WIRE_OTLP_DECODE_LOGS_JSON_H_
#define VIGIL_WIRE_OTLP_DECODE_LOGS_JSON_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wire/otlp/decode_common.h"
#include "wire/otlp/decode_logs_common.h"

namespace vigil::wire::otlp {

// Decodes an OTLP/JSON ExportLogsServiceRequest. InvalidArgument, naming the JSON path
// ("resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano") and the offending value, for malformed JSON, a
// value of the wrong JSON type, an integer out of range or values nested deeper than limits.max_value_depth.
// Records whose traceId or spanId is not hex of the right length are rejected one by one
// (DecodedLogs::rejected_log_records). Both encodings of one request decode to equal streams.
absl::StatusOr<DecodedLogs> DecodeLogsJson(std::string_view body, const DecodeLimits& limits = {});

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_LOGS_JSON_H_
