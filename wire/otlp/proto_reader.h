// A minimal protobuf wire-format reader over a byte view, for decoders that read messages straight into Vigil's
// own types instead of building the generated classes first (no per-field heap strings, no UTF-8 check that
// fails a whole request for one bad byte). Errors carry the absolute byte offset in the request.
//
//   ProtoReader r(body, 0);
//   while (!r.AtEnd()) {
//     uint32_t field = 0, wire_type = 0;
//     VIGIL_RETURN_IF_ERROR(r.ReadTag(&field, &wire_type));
//     if (field == 1 && wire_type == ProtoReader::kLen) { ... r.ReadLengthDelimited(&bytes, &offset) ... }
//     else VIGIL_RETURN_IF_ERROR(r.Skip(wire_type));
//   }
#ifndef VIGIL_WIRE_OTLP_PROTO_READER_H_
#define VIGIL_WIRE_OTLP_PROTO_READER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace vigil::wire::otlp {

class ProtoReader {
 public:
  // Wire types (protobuf encoding spec).
  static constexpr uint32_t kVarint = 0;
  static constexpr uint32_t kFixed64 = 1;
  static constexpr uint32_t kLen = 2;
  static constexpr uint32_t kStartGroup = 3;
  static constexpr uint32_t kEndGroup = 4;
  static constexpr uint32_t kFixed32 = 5;

  // Reads `data`, which starts at byte `base_offset` of the whole request (for error messages).
  ProtoReader(std::string_view data, size_t base_offset) : data_(data), base_(base_offset) {}

  bool AtEnd() const { return pos_ >= data_.size(); }
  // The absolute offset of the next byte to read.
  size_t offset() const { return base_ + pos_; }

  // Reads a field key. InvalidArgument for a truncated key, field number 0 or above 2^29-1, or wire types 6/7.
  absl::Status ReadTag(uint32_t* field, uint32_t* wire_type);
  absl::Status ReadVarint(uint64_t* value);
  absl::Status ReadFixed32(uint32_t* value);
  absl::Status ReadFixed64(uint64_t* value);
  // Reads a length-delimited field's bytes; `*value_offset` is their absolute offset.
  absl::Status ReadLengthDelimited(std::string_view* value, size_t* value_offset);
  // Skips the value of a field of `wire_type` whose key was just read, including a whole group (nested at
  // most 32 deep), as protobuf parsers skip unknown fields.
  absl::Status Skip(uint32_t wire_type);

  // InvalidArgument "malformed protobuf at byte <offset>: <what>".
  absl::Status Error(std::string_view what) const;

 private:
  absl::Status SkipGroup(int depth);

  std::string_view data_;
  size_t pos_ = 0;
  size_t base_;
};

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_PROTO_READER_H_
