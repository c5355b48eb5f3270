// Decoding of Prometheus remote_write 1.0 request bodies: snappy block format around a protobuf WriteRequest.
//
// The protobuf is read by a small hand-written decoder that hands out views into the request bytes instead of
// building the generated message classes: one remote_write sample usually travels in its own TimeSeries with
// five or more labels, and a heap string per label name and value made decoding the largest cost of ingestion.
// The generated classes (wire/prompb) remain the reference the tests check this decoder against.
#ifndef VIGIL_WIRE_REMOTE_WRITE_DECODE_H_
#define VIGIL_WIRE_REMOTE_WRITE_DECODE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/sample.h"

namespace vigil::wire {

// Uncompresses a snappy block-format body (not framed). `max_decoded_bytes` bounds the uncompressed size, read
// from snappy's header before any allocation, so a tiny body cannot claim gigabytes. InvalidArgument for corrupt
// input, ResourceExhausted for the bound.
absl::StatusOr<std::string> UncompressSnappy(std::string_view body, size_t max_decoded_bytes);

// One TimeSeries of a WriteRequest. Views into the request bytes and the decoder's buffers: valid only during
// the callback. Labels are in wire order (not validated here; see ValidateLabels).
struct TimeSeriesView {
  std::span<const LabelPair> labels;
  std::span<const Sample> samples;
  int index = 0;  // position in the request, for error messages
};

// Calls `fn` for every TimeSeries of the serialized WriteRequest `raw`, stopping at the first error `fn` returns.
// Metadata (field 3) and exemplars are skipped; unknown fields are skipped as protobuf does. Malformed bytes
// (truncated, bad wire types, lengths past the end) give InvalidArgument with the byte offset. Native histograms
// are refused (InvalidArgument) rather than dropped silently: Vigil does not store them yet.
absl::Status ForEachTimeSeries(std::string_view raw, absl::FunctionRef<absl::Status(const TimeSeriesView&)> fn);

// The remote_write label rules: names non-empty, valid ([a-zA-Z_][a-zA-Z0-9_]*), unique and sorted; values valid
// UTF-8; at least one label. Empty values are allowed here (they mean "absent" and are dropped when the Labels
// are built). Returns InvalidArgument naming the offending label.
absl::Status ValidateLabels(std::span<const LabelPair> labels);

}  // namespace vigil::wire

#endif  // VIGIL_WIRE_REMOTE_WRITE_DECODE_H_
