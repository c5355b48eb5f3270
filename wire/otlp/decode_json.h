// Decoding of OTLP/HTTP JSON trace bodies (ExportTraceServiceRequest in the OTLP JSON encoding) into Vigil spans.
//
// The OTLP JSON encoding is proto3's JSON mapping with OTLP's deviations (shared docs contract.md section 3.5):
//   - traceId, spanId, parentSpanId (and link ids) are hex strings, never base64: a base64 id is a 400;
//   - keys are lowerCamelCase; original snake_case names are unknown keys, and unknown keys are ignored;
//   - enums (kind, status.code) are integers; the proto enum names ("SPAN_KIND_SERVER") are accepted too;
//   - 64-bit integers (times, intValue) are decimal strings or JSON numbers;
//   - bytesValue is base64 (standard or URL-safe); doubleValue may be "NaN", "Infinity", "-Infinity";
//   - null stands for an absent field.
#ifndef VIGIL_WIRE_OTLP_DECODE_JSON_H_
#define VIGIL_WIRE_OTLP_DECODE_JSON_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wire/otlp/decode_common.h"

namespace vigil::wire::otlp {

// Decodes an OTLP/JSON ExportTraceServiceRequest. InvalidArgument, naming the JSON path
// ("resourceSpans[0].scopeSpans[0].spans[3].traceId") and the offending value, for malformed JSON, a value of
// the wrong JSON type, an id that is not hex of the right length (empty means absent), an integer out of range,
// or attribute values nested deeper than limits.max_value_depth. Spans with an absent or all-zero trace or span
// id are rejected one by one (DecodedSpans::rejected_spans). The same limits and UTF-8 repair as the protobuf
// decoder apply, so both encodings of one request decode to equal spans.
absl::StatusOr<DecodedSpans> DecodeTracesJson(std::string_view body, const DecodeLimits& limits = {});

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_JSON_H_
