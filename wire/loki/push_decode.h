// Decoding of Loki push bodies (POST /loki/api/v1/push, shared docs contract.md section 2.6) into streams of
// entries, with the checks a push must pass before anything is stored.
//
//   absl::StatusOr<DecodedPush> push = DecodePushBody(req.Header("Content-Type"),
//                                                      req.Header("Content-Encoding"), req.body, 64 << 20);
//
// Two forms:
//   protobuf (Content-Type application/x-protobuf, also the default for any other or a missing type): a snappy
//     block-compressed logproto.PushRequest (push.proto); Content-Encoding "snappy" is accepted and ignored.
//   JSON (application/json, optionally gzip-compressed):
//     {"streams":[{"stream":{"app":"x"},"values":[["<ns>","line"],["<ns>","line",{"trace_id":"abc"}]]}]}
//     Timestamps are decimal nanosecond STRINGS; a JSON number is refused, as Loki refuses it.
//
// Errors: InvalidArgument (HTTP 400) for malformed bodies, bad labels, bad timestamps, saying where (stream and
// entry index, byte offset); ResourceExhausted (413) when the decoded body would exceed the bound; Unimplemented
// (415) for an unsupported Content-Encoding.
#ifndef VIGIL_WIRE_LOKI_PUSH_DECODE_H_
#define VIGIL_WIRE_LOKI_PUSH_DECODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"

namespace vigil::wire::loki {

// One log line of a push.
struct PushEntry {
  // Unix time in nanoseconds.
  int64_t timestamp_ns = 0;
  // The line as sent (not checked for UTF-8, as Loki does not).
  std::string line;
  // Structured metadata: per-entry labels that are not part of the stream (trace_id, ...).
  Labels structured_metadata;
};

// One stream of a push: its validated label set and its entries in the order sent.
struct PushStream {
  Labels labels;
  std::vector<PushEntry> entries;
};

// A decoded push.
struct DecodedPush {
  std::vector<PushStream> streams;
  // Entries over all streams, and the bytes of their lines.
  size_t entries = 0;
  size_t line_bytes = 0;
};

// The body forms.
enum class PushFormat { kProtobuf, kJson };

// The form a Content-Type names: kJson for application/json (parameters such as charset ignored, case-
// insensitive), kProtobuf for anything else, as Loki decides.
PushFormat PushFormatFor(std::string_view content_type);

// Decodes a body per its Content-Type and Content-Encoding (see the file comment). `max_decoded_bytes` bounds
// the body after decompression.
absl::StatusOr<DecodedPush> DecodePushBody(std::string_view content_type, std::string_view content_encoding,
                                           std::string_view body, size_t max_decoded_bytes);

// Decodes a snappy block-compressed PushRequest.
absl::StatusOr<DecodedPush> DecodeProtobufPush(std::string_view snappy_body, size_t max_decoded_bytes);
// Decodes an uncompressed serialized PushRequest.
absl::StatusOr<DecodedPush> DecodeProtobufPushRaw(std::string_view raw);
// Decodes an uncompressed JSON push.
absl::StatusOr<DecodedPush> DecodeJsonPush(std::string_view json);

// Parses a decimal nanosecond timestamp string ("1700000000000000000"; an optional leading '-'), as the JSON
// form carries it. InvalidArgument for anything else or a value outside int64.
absl::StatusOr<int64_t> ParseNanosString(std::string_view s);

}  // namespace vigil::wire::loki

#endif  // VIGIL_WIRE_LOKI_PUSH_DECODE_H_
