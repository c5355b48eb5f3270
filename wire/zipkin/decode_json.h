// Decoding of Zipkin v2 JSON bodies (POST /api/v2/spans: a JSON array of spans; contract.md section 3.6 and
// zipkin2-api.yaml) into Vigil spans, mapped as the OpenTelemetry Collector's Zipkin receiver maps them:
//
//   traceId (16 or 32 hex; 16 is left-padded) -> trace_id      id -> span_id      parentId -> parent_span_id
//   name -> name      kind CLIENT|SERVER|PRODUCER|CONSUMER -> kind (absent: unspecified)
//   timestamp, duration (microseconds) -> start, end = start + duration (nanoseconds)
//   localEndpoint.serviceName -> resource "service.name" (spans of one service share a Resource)
//   localEndpoint ipv4|ipv6, port -> "net.host.ip", "net.host.port"
//   remoteEndpoint serviceName, ipv4|ipv6, port -> "peer.service", "net.peer.ip", "net.peer.port"
//   tags -> string attributes, except: "error" -> status error (its value, unless empty or "true", the message);
//     "otel.status_code" (OK|ERROR) and "otel.status_description" -> status; "otel.scope.name"/"otel.scope.version"
//     (or the older "otel.library.*") -> the instrumentation scope
//   annotations -> events (timestamp -> time, value -> name)
//   shared: true -> bool attribute "zipkin.shared" (the span shares its id with the client's span)
//   debug -> ignored
#ifndef VIGIL_WIRE_ZIPKIN_DECODE_JSON_H_
#define VIGIL_WIRE_ZIPKIN_DECODE_JSON_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "wire/otlp/decode_common.h"

namespace vigil::wire::zipkin {

// Decodes a Zipkin v2 JSON array of spans. InvalidArgument naming the span and field ("spans[3].traceId: ...")
// for malformed JSON, a body that is not an array, a missing or malformed traceId or id (not 16/32 resp. 16 hex
// digits), a malformed parentId, an unknown kind, a value of the wrong JSON type, or a timestamp that overflows
// nanoseconds. Spans without a timestamp (or with timestamp 0), or with an all-zero id, are dropped and counted
// in rejected_spans (Zipkin has no partial-success answer; the caller may log it). The limits of the OTLP
// decoders apply (value sizes, attribute and event counts); strings are repaired to valid UTF-8.
absl::StatusOr<otlp::DecodedSpans> DecodeSpansJson(std::string_view body, const otlp::DecodeLimits& limits = {});

}  // namespace vigil::wire::zipkin

#endif  // VIGIL_WIRE_ZIPKIN_DECODE_JSON_H_
