// CRC-32C (Castagnoli), the frame checksum of the WAL (docs/format/wal.md) and of the agent's disk queue.
//
//   uint32_t crc = vigil::Crc32c("123456789");      // 0xE3069283
//   crc = vigil::Crc32cExtend(crc, more);           // as Crc32c(first + more)
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time) and a slicing-by-8 table
// otherwise. Both give the same result for every input.
#ifndef VIGIL_BASE_HASH_CRC32C_H_
#define VIGIL_BASE_HASH_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil {

// The CRC of `data` appended to input whose CRC was `crc` (0 for no input).
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);
inline uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  return Crc32cExtend(crc, data.data(), data.size());
}

// The CRC-32C of `data`.
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

namespace crc32c_internal {

// The table implementation, exposed so tests can compare it with the hardware one.
uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n);
// The SSE4.2 implementation. Requires HardwareAvailable().
uint32_t ExtendHardware(uint32_t crc, const char* data, size_t n);
// Whether this CPU (and build) can run ExtendHardware.
bool HardwareAvailable();

}  // namespace crc32c_internal
}  // namespace vigil

#endif  // VIGIL_BASE_HASH_CRC32C_H_
