// Little helpers for the log store's byte formats: varints, zigzag, big-endian fixed-width integers (keys sort
// bytewise in numeric order), and a bounds-checked reader whose errors name the byte offset.
#ifndef VIGIL_TSDB_LOGS_BYTE_CODEC_H_
#define VIGIL_TSDB_LOGS_BYTE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::tsdb::logs {

// Appends `v` as an unsigned LEB128 varint.
inline void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Appends `v` big-endian in `bytes` bytes.
inline void PutBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
// A timestamp as 8 big-endian bytes that sort like the signed value.
inline void PutOrderedInt64(int64_t v, std::string* out) {
  PutBigEndian(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63), 8, out);
}

// Reads from a byte string; every method fails with DataLoss "<what>: <why> at byte <offset>".
class ByteReader {
 public:
  ByteReader(std::string_view in, std::string_view what) : in_(in), what_(what) {}

  bool done() const { return pos_ >= in_.size(); }
  size_t pos() const { return pos_; }

  absl::Status Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      if (pos_ >= in_.size()) return Error("truncated varint");
      const uint64_t byte = static_cast<uint8_t>(in_[pos_++]);
      if (i == 9 && byte > 1) return Error("varint overflows 64 bits");
      result |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        *v = result;
        return absl::OkStatus();
      }
    }
    return Error("varint longer than 10 bytes");
  }
  absl::Status SignedVarint(int64_t* v) {
    uint64_t u = 0;
    if (absl::Status s = Varint(&u); !s.ok()) return s;
    *v = UnZigZag(u);
    return absl::OkStatus();
  }
  // A varint length then that many bytes (a view into the input).
  absl::Status LengthPrefixed(std::string_view* out) {
    uint64_t n = 0;
    if (absl::Status s = Varint(&n); !s.ok()) return s;
    return Bytes(n, out);
  }
  absl::Status Bytes(uint64_t n, std::string_view* out) {
    if (n > in_.size() - pos_) return Error("length past the end");
    *out = in_.substr(pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }
  absl::Status BigEndian(int bytes, uint64_t* v) {
    std::string_view b;
    if (absl::Status s = Bytes(static_cast<uint64_t>(bytes), &b); !s.ok()) return s;
    uint64_t r = 0;
    for (char c : b) r = (r << 8) | static_cast<uint8_t>(c);
    *v = r;
    return absl::OkStatus();
  }
  absl::Status OrderedInt64(int64_t* v) {
    uint64_t u = 0;
    if (absl::Status s = BigEndian(8, &u); !s.ok()) return s;
    *v = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
    return absl::OkStatus();
  }
  absl::Status Error(std::string_view why) const {
    return absl::DataLossError(absl::StrCat(AV(what_), ": ", AV(why), " at byte ", pos_));
  }

 private:
  std::string_view in_;
  std::string_view what_;
  size_t pos_ = 0;
};

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_BYTE_CODEC_H_
