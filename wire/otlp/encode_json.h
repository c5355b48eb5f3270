// Encoding of Vigil spans in the OTLP JSON encoding (hex ids, integer enums, int64 as decimal strings,
// lowerCamelCase keys): for OTLP/JSON exports and for Tempo's JSON answers (trace by id without
// Accept: application/protobuf, and search results, whose attributes are OTLP JSON key/values).
#ifndef VIGIL_WIRE_OTLP_ENCODE_JSON_H_
#define VIGIL_WIRE_OTLP_ENCODE_JSON_H_

#include <span>
#include <string>
#include <vector>

#include "model/span.h"

namespace vigil::wire::otlp {

// `{"resourceSpans":[...]}`: an OTLP/JSON ExportTraceServiceRequest, which is also TracesData in JSON. Groups
// spans by resource and scope exactly as EncodeTracesProto does. Doubles that are NaN or infinite are written
// as the strings "NaN", "Infinity", "-Infinity" (proto3 JSON).
std::string EncodeTracesJson(std::span<const Span> spans);

// Appends `[{"key":"k","value":{"stringValue":"v"}},...]`, the OTLP JSON form of an attribute list.
void AppendAttributesJson(const std::vector<KeyValue>& attributes, std::string* out);

// Appends the OTLP JSON form of one value: `{"intValue":"200"}`, `{"arrayValue":{"values":[...]}}`, `{}` if empty.
void AppendAnyValueJson(const AnyValue& value, std::string* out);

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_ENCODE_JSON_H_
