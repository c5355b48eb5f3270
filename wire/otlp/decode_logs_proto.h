// Decoding of OTLP/HTTP protobuf log bodies (ExportLogsServiceRequest, or LogsData: the same bytes) into
// Loki-style streams (wire/otlp/decode_logs_common.h). Read straight from the wire format like the trace decoder.
#ifndef VIGIL_WIRE_OTLP_DECODE_LOGS_PROTO_H_
#define VIGIL_WIRE_OTLP_DECODE_LOGS_PROTO_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wire/otlp/decode_common.h"
#include "wire/otlp/decode_logs_common.h"

namespace vigil::wire::otlp {

// Decodes a serialized ExportLogsServiceRequest. Unknown fields and known fields of an unexpected wire type are
// skipped; strings that are not valid UTF-8 are repaired (U+FFFD); values longer than limits.max_value_bytes are
// cut and attributes beyond limits.max_attributes dropped. InvalidArgument, with the byte offset, for malformed
// bytes and for values nested deeper than limits.max_value_depth. Records with a trace or span id of the wrong
// length are rejected one by one (DecodedLogs::rejected_log_records), as OTLP's partial success allows.
absl::StatusOr<DecodedLogs> DecodeLogsProto(std::string_view body, const DecodeLimits& limits = {});

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_LOGS_PROTO_H_
