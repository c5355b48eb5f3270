// Unsigned LEB128 varints (protobuf's and Prometheus' uvarint) for the encoders that write them: WAL records and
// remote_write requests built without the protobuf runtime.
#ifndef VIGIL_BASE_ENCODING_VARINT_H_
#define VIGIL_BASE_ENCODING_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>

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

}  // namespace vigil::encoding

#endif  // VIGIL_BASE_ENCODING_VARINT_H_
