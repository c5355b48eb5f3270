// What the OTLP trace decoders (protobuf and JSON) share: their limits, their result, and the rules both apply to
// strings and spans, so a request decodes to the same spans whichever encoding carried it.
#ifndef VIGIL_WIRE_OTLP_DECODE_COMMON_H_
#define VIGIL_WIRE_OTLP_DECODE_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/span.h"

namespace vigil::wire::otlp {

// Bounds on what one decoded span may hold, so a hostile or buggy client cannot make one span cost megabytes of
// memory in the queue and the store. What is over a bound is cut, not refused, and counted where OTLP has a
// counter for it, as an OpenTelemetry SDK's span limits would have done at the source.
struct DecodeLimits {
  // Strings and bytes (attribute keys and values, span and event names, trace state, status message) longer
  // than this are truncated to it (strings at a UTF-8 character boundary).
  size_t max_value_bytes = size_t{16} << 10;
  // Attributes kept per span, event, link, resource and scope; the rest are dropped and added to the
  // dropped_attributes_count. Also bounds the elements of one array or key/value list value (dropped silently).
  size_t max_attributes = 1024;
  // Events and links kept per span; the rest are dropped and counted in dropped_events_count/dropped_links_count.
  size_t max_events = 1024;
  size_t max_links = 1024;
  // Array and key/value list values nested deeper than this make the request malformed (InvalidArgument):
  // no instrumentation nests that deep, and the bound keeps decoding's recursion shallow.
  int max_value_depth = 16;
};

// The spans of one request.
struct DecodedSpans {
  // Spans that passed validation, in request order. Spans of one ResourceSpans share one Resource, those of one
  // ScopeSpans one InstrumentationScope.
  std::vector<Span> spans;
  // Spans dropped as invalid (a zero or missing trace or span id): OTLP's partial success.
  int64_t rejected_spans = 0;
  // Why the first rejected span was rejected, with its position; empty if none was.
  std::string rejection_message;
};

namespace internal {

// Assigns `in` to `*out` as valid UTF-8 of at most `max_bytes`: invalid sequences become U+FFFD, and a longer
// string is cut at the last whole character that fits.
void AssignBoundedUtf8(std::string_view in, size_t max_bytes, std::string* out);

// Assigns at most `max_bytes` of `in` (raw bytes, not text) to `*out`.
void AssignBoundedBytes(std::string_view in, size_t max_bytes, std::string* out);

// Appends `span` to `out->spans` if it is valid, else counts it rejected and records why (the first time), with
// `where` describing its position ("resource_spans[0].scope_spans[1].spans[7]").
void AcceptOrReject(Span&& span, std::string_view where, DecodedSpans* out);

}  // namespace internal
}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_COMMON_H_
