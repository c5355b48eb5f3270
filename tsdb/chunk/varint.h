// Byte-oriented LEB128 varints for the chunk header (internal to tsdb/chunk).
#ifndef VIGIL_TSDB_CHUNK_VARINT_H_
#define VIGIL_TSDB_CHUNK_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::tsdb::chunk_internal {

// Appends `v` as an unsigned LEB128 varint: 7 bits per byte, low groups first, high bit set on all but the last.
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Result of GetVarint.
enum class VarintResult { kOk, kTruncated, kOverflow };

// Decodes a varint at `*pos` in `in`, advancing `*pos` past it on success. kTruncated if the input ends inside
// the varint, kOverflow if it is longer than 10 bytes or does not fit in 64 bits.
inline VarintResult GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (*pos + static_cast<size_t>(i) >= in.size()) return VarintResult::kTruncated;
    const uint64_t byte = static_cast<uint8_t>(in[*pos + static_cast<size_t>(i)]);
    if (i == 9 && byte > 1) return VarintResult::kOverflow;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *pos += static_cast<size_t>(i) + 1;
      *v = result;
      return VarintResult::kOk;
    }
  }
  return VarintResult::kOverflow;
}

}  // namespace vigil::tsdb::chunk_internal

#endif  // VIGIL_TSDB_CHUNK_VARINT_H_
