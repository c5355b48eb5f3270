// Spans for tests and benchmarks of the trace wire formats.
#ifndef VIGIL_WIRE_OTLP_TEST_UTIL_H_
#define VIGIL_WIRE_OTLP_TEST_UTIL_H_

#include <cstddef>
#include <vector>

#include "model/span.h"

namespace vigil::wire::otlp::testing {

// `n` spans of one trace from two services (two resources, one scope each), shaped like an HTTP server's spans:
// about 500 bytes each in OTLP protobuf, ~8 attributes of string, int, bool and double type, and every third
// span with an event. Deterministic.
std::vector<Span> TypicalSpans(size_t n);

// One span that uses every field of the model and every attribute value type (string, bool, int, double, bytes,
// array, key/value list, empty, nested), with a link, an event, trace state, flags, status and dropped counts.
Span FullSpan();

}  // namespace vigil::wire::otlp::testing

#endif  // VIGIL_WIRE_OTLP_TEST_UTIL_H_
