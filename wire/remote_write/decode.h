// Decoding of Prometheus remote_write 1.0 request bodies (snappy block format around a protobuf WriteRequest),
// with every way a body can be wrong turned into a message a sender's log can show.
#ifndef VIGIL_WIRE_REMOTE_WRITE_DECODE_H_
#define VIGIL_WIRE_REMOTE_WRITE_DECODE_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::wire {

// Uncompresses (snappy block format, not framed) and parses `body`. `max_decoded_bytes` bounds the uncompressed
// size, read from snappy's header before any allocation, so a tiny body cannot claim gigabytes. Errors are
// InvalidArgument ("snappy: corrupt input", "protobuf: cannot parse WriteRequest") or, for the bound,
// ResourceExhausted.
absl::StatusOr<prompb::WriteRequest> DecodeWriteRequest(std::string_view body, size_t max_decoded_bytes);

// Converts one TimeSeries' labels, enforcing the remote_write label rules: names non-empty, valid, unique and
// sorted; values valid UTF-8; empty values dropped (Prometheus treats an empty value as an absent label).
absl::StatusOr<Labels> ConvertLabels(const prompb::TimeSeries& ts);

}  // namespace vigil::wire

#endif  // VIGIL_WIRE_REMOTE_WRITE_DECODE_H_
