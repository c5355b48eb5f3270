// Fixed-width little-endian integers in byte buffers, for the on-disk formats (the WAL's and the disk queue's
// segment headers, frames and acknowledgement entries). Byte by byte, so alignment and host order never matter.
#ifndef VIGIL_BASE_ENCODING_LITTLE_ENDIAN_H_
#define VIGIL_BASE_ENCODING_LITTLE_ENDIAN_H_

#include <cstdint>

namespace vigil::encoding {

// Writes `v` to p[0..3], least significant byte first.
inline void PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Writes `v` to p[0..7], least significant byte first.
inline void PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Reads the little-endian u32 at p[0..3].
inline uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Reads the little-endian u64 at p[0..7].
inline uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace vigil::encoding

#endif  // VIGIL_BASE_ENCODING_LITTLE_ENDIAN_H_
