// Writing protobuf wire format by hand: tags, varints, fixed-width and length-delimited fields, with the proto3
// rule of omitting zero and empty scalars (the Opt* forms). For encoders that must not carry the protobuf runtime
// (the agent) or build a message tree just to serialize it. A nested message's length precedes it, so callers
// compute each message's size (with the *Size functions) before writing its fields.
#ifndef VIGIL_WIRE_OTLP_PROTO_WRITER_H_
#define VIGIL_WIRE_OTLP_PROTO_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/encoding/little_endian.h"
#include "base/encoding/varint.h"

namespace vigil::wire::otlp::proto {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

inline size_t TagSize(uint32_t field) { return encoding::VarintSize(field << 3); }
inline size_t Delimited(uint32_t field, size_t n) { return TagSize(field) + encoding::VarintSize(n) + n; }
inline size_t VarintField(uint32_t field, uint64_t v) { return TagSize(field) + encoding::VarintSize(v); }
// proto3 scalars: omitted when zero or empty.
inline size_t OptVarint(uint32_t field, uint64_t v) { return v == 0 ? 0 : VarintField(field, v); }
inline size_t OptFixed64(uint32_t field, uint64_t v) { return v == 0 ? 0 : TagSize(field) + 8; }
inline size_t OptFixed32(uint32_t field, uint32_t v) { return v == 0 ? 0 : TagSize(field) + 4; }
inline size_t OptBytes(uint32_t field, std::string_view s) { return s.empty() ? 0 : Delimited(field, s.size()); }

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void Varint(uint32_t field, uint64_t v) {
    Tag(field, kVarint);
    encoding::AppendVarint(v, out_);
  }
  void Fixed64(uint32_t field, uint64_t v) {
    Tag(field, kFixed64);
    char b[8];
    encoding::PutFixed64(b, v);
    out_->append(b, 8);
  }
  void Fixed32(uint32_t field, uint32_t v) {
    Tag(field, kFixed32);
    char b[4];
    encoding::PutFixed32(b, v);
    out_->append(b, 4);
  }
  void Bytes(uint32_t field, std::string_view s) {
    Header(field, s.size());
    out_->append(s);
  }
  // The tag and length of a nested message of `size` bytes; its fields follow.
  void Header(uint32_t field, size_t size) {
    Tag(field, kLengthDelimited);
    encoding::AppendVarint(size, out_);
  }
  void OptVarint(uint32_t field, uint64_t v) {
    if (v != 0) Varint(field, v);
  }
  void OptFixed64(uint32_t field, uint64_t v) {
    if (v != 0) Fixed64(field, v);
  }
  void OptFixed32(uint32_t field, uint32_t v) {
    if (v != 0) Fixed32(field, v);
  }
  void OptBytes(uint32_t field, std::string_view s) {
    if (!s.empty()) Bytes(field, s);
  }

 private:
  void Tag(uint32_t field, WireType type) { encoding::AppendVarint((field << 3) | type, out_); }
  std::string* out_;
};

}  // namespace vigil::wire::otlp::proto

#endif  // VIGIL_WIRE_OTLP_PROTO_WRITER_H_
