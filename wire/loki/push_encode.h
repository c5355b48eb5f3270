// Encoding of Loki push requests (POST /loki/api/v1/push, shared docs contract.md section 2.6): streams of
// entries -> a logproto.PushRequest protobuf, snappy block-compressed, as Promtail sends it. The protobuf is
// written by hand (wire/otlp/proto_writer.h) so the agent carries no protobuf runtime.
//
//   std::vector<PushEntryRef> entries = {{ts_ns, "GET / 200"}};
//   std::vector<PushStreamRef> streams = {{R"({namespace="prod", pod="api-1"})", entries}};
//   std::string body;
//   EncodePushRequestSnappy(streams, &body);   // POST with Content-Type: application/x-protobuf
//
// Lines and label strings are written as given: invalid UTF-8 is kept (the fields are bytes on the wire, and
// Loki stores lines as sent).
#ifndef VIGIL_WIRE_LOKI_PUSH_ENCODE_H_
#define VIGIL_WIRE_LOKI_PUSH_ENCODE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vigil::wire::loki {

// One entry to encode; `line` must outlive the call.
struct PushEntryRef {
  // Unix time in nanoseconds (negative values are written as Timestamp{seconds<0, 0<=nanos<1e9}).
  int64_t timestamp_ns = 0;
  std::string_view line;
};

// One stream to encode: its label string in selector form (FormatLabelString) and its entries.
struct PushStreamRef {
  std::string_view labels;
  std::span<const PushEntryRef> entries;
};

// Appends the serialized (uncompressed) PushRequest to *out.
void EncodePushRequest(std::span<const PushStreamRef> streams, std::string* out);

// Replaces *out with the snappy block-compressed PushRequest: the body of a protobuf push. `scratch` (may be
// null) holds the uncompressed form; pass the same string across calls to reuse its buffer.
void EncodePushRequestSnappy(std::span<const PushStreamRef> streams, std::string* out, std::string* scratch = nullptr);

// The HTTP Content-Type of an EncodePushRequestSnappy body.
inline constexpr std::string_view kPushProtobufContentType = "application/x-protobuf";

}  // namespace vigil::wire::loki

#endif  // VIGIL_WIRE_LOKI_PUSH_ENCODE_H_
