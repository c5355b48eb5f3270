#include "wire/otlp/proto_reader.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"

namespace vigil::wire::otlp {
namespace {
constexpr int kMaxGroupDepth = 32;
}  // namespace

absl::Status ProtoReader::Error(std::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat("malformed protobuf at byte ", offset(), ": ", std::string(what)));
}

absl::Status ProtoReader::ReadVarint(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Error("truncated varint");
    const auto b = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = result;
      return absl::OkStatus();
    }
  }
  return Error("varint longer than 10 bytes");
}

absl::Status ProtoReader::ReadTag(uint32_t* field, uint32_t* wire_type) {
  const size_t start = pos_;
  uint64_t key = 0;
  VIGIL_RETURN_IF_ERROR(ReadVarint(&key));
  const uint64_t number = key >> 3;
  if (number == 0 || number > (uint64_t{1} << 29) - 1) {
    pos_ = start;
    return Error(absl::StrCat("invalid field number ", number));
  }
  *field = static_cast<uint32_t>(number);
  *wire_type = static_cast<uint32_t>(key & 7);
  if (*wire_type > kFixed32) {
    pos_ = start;
    return Error(absl::StrCat("invalid wire type ", *wire_type, " for field ", number));
  }
  return absl::OkStatus();
}

absl::Status ProtoReader::ReadFixed32(uint32_t* value) {
  if (data_.size() - pos_ < 4) return Error("truncated fixed32");
  uint8_t b[4];
  std::memcpy(b, data_.data() + pos_, 4);
  *value = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
  pos_ += 4;
  return absl::OkStatus();
}

absl::Status ProtoReader::ReadFixed64(uint64_t* value) {
  if (data_.size() - pos_ < 8) return Error("truncated fixed64");
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(data_[pos_ + i]);
  *value = v;
  pos_ += 8;
  return absl::OkStatus();
}

absl::Status ProtoReader::ReadLengthDelimited(std::string_view* value, size_t* value_offset) {
  const size_t start = pos_;
  uint64_t len = 0;
  VIGIL_RETURN_IF_ERROR(ReadVarint(&len));
  const size_t left = data_.size() - pos_;
  if (len > left) {
    pos_ = start;
    return Error(absl::StrCat("length ", len, " runs past the end of its message (", left, " bytes left)"));
  }
  *value_offset = base_ + pos_;
  *value = data_.substr(pos_, len);
  pos_ += len;
  return absl::OkStatus();
}

absl::Status ProtoReader::SkipGroup(int depth) {
  if (depth > kMaxGroupDepth) return Error("groups nested too deep");
  while (true) {
    if (AtEnd()) return Error("unterminated group");
    uint32_t field = 0;
    uint32_t wire_type = 0;
    VIGIL_RETURN_IF_ERROR(ReadTag(&field, &wire_type));
    if (wire_type == kEndGroup) return absl::OkStatus();
    if (wire_type == kStartGroup) {
      VIGIL_RETURN_IF_ERROR(SkipGroup(depth + 1));
    } else {
      VIGIL_RETURN_IF_ERROR(Skip(wire_type));
    }
  }
}

absl::Status ProtoReader::Skip(uint32_t wire_type) {
  switch (wire_type) {
    case kVarint: {
      uint64_t v = 0;
      return ReadVarint(&v);
    }
    case kFixed64: {
      uint64_t v = 0;
      return ReadFixed64(&v);
    }
    case kLen: {
      std::string_view v;
      size_t off = 0;
      return ReadLengthDelimited(&v, &off);
    }
    case kStartGroup:
      return SkipGroup(1);
    case kEndGroup:
      return Error("unexpected end of group");
    case kFixed32: {
      uint32_t v = 0;
      return ReadFixed32(&v);
    }
    default:
      return Error(absl::StrCat("invalid wire type ", wire_type));
  }
}

}  // namespace vigil::wire::otlp
