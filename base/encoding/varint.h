// Unsigned LEB128 varints (protobuf's and Prometheus' uvarint) for the encoders that write them (WAL records,
// remote_write requests built without the protobuf runtime) and the readers of small framed records.
#ifndef VIGIL_BASE_ENCODING_VARINT_H_
#define VIGIL_BASE_ENCODING_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::encoding {

// Bytes AppendVarint writes for `v` (1 to 10).
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Appends `v`: 7 bits per byte, low groups first, the high bit set on every byte but the last.
inline void AppendVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Reads a varint from in[*pos...] into *v and advances *pos past it. False (nothing advanced) when the input
// ends inside the varint or it is longer than 10 bytes.
inline bool ReadVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = *pos, shift = 0; i < in.size() && shift < 70; ++i, shift += 7) {
    const uint8_t b = static_cast<uint8_t>(in[i]);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      *v = result;
      *pos = i + 1;
      return true;
    }
  }
  return false;
}

}  // namespace vigil::encoding

#endif  // VIGIL_BASE_ENCODING_VARINT_H_
