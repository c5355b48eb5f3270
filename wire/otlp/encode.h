// Encoding of Vigil spans as OTLP protobuf: the body the agent ships to the store (POST /v1/traces) and the
// trace Tempo's trace-by-id API returns (TracesData; contract.md section 3.2).
#ifndef VIGIL_WIRE_OTLP_ENCODE_H_
#define VIGIL_WIRE_OTLP_ENCODE_H_

#include <span>
#include <string>

#include "model/span.h"

namespace vigil::wire::otlp {

// Serializes `spans` as an ExportTraceServiceRequest, whose bytes are also a valid TracesData (and Tempo
// `Trace`): both are field 1, repeated ResourceSpans. Spans sharing a Resource object (pointer) go into one
// ResourceSpans, and within it spans sharing an InstrumentationScope object into one ScopeSpans, in order of
// first appearance; spans keep their relative order within a group. Spans with equal but separately allocated
// resources get separate ResourceSpans, which is valid OTLP, only less compact. Zero parent ids, empty strings and
// zero counts are omitted as proto3 omits defaults.
std::string EncodeTracesProto(std::span<const Span> spans);

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_ENCODE_H_
