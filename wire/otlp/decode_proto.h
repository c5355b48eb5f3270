// Decoding of OTLP/HTTP protobuf trace bodies (ExportTraceServiceRequest, or TracesData: the same bytes) into
// Vigil spans. Read straight from the wire format (wire/otlp/proto_reader.h); the generated classes of
// wire/otlp/*.proto are the reference the tests check it against.
#ifndef VIGIL_WIRE_OTLP_DECODE_PROTO_H_
#define VIGIL_WIRE_OTLP_DECODE_PROTO_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wire/otlp/decode_common.h"

namespace vigil::wire::otlp {

// Decodes a serialized ExportTraceServiceRequest. Unknown fields are skipped, and a known field with an
// unexpected wire type is skipped as protobuf parsers do. Strings that are not valid UTF-8 are repaired (U+FFFD),
// not refused. InvalidArgument, with the byte offset, for malformed bytes, for a trace, span or parent id of a
// length other than 16/8/8 bytes (empty means absent), and for attribute values nested deeper than
// limits.max_value_depth. Spans with an absent (or all-zero) trace or span id are rejected one by one
// (DecodedSpans::rejected_spans), as OTLP's partial success allows.
absl::StatusOr<DecodedSpans> DecodeTracesProto(std::string_view body, const DecodeLimits& limits = {});

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_PROTO_H_
