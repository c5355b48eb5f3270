// Bit-level writer and reader used by the chunk encodings (internal to tsdb/chunk).
//
// Bits are packed least-significant first: the first bit written is bit 0 of byte 0, and a field of n bits is
// stored with its least significant bit first. This order lets the reader fetch a whole 64-bit little-endian
// word and shift, which is the fast path of every decoder in this package.
//
// The reader never touches memory outside the buffer it was given: loads near the end are assembled byte by byte
// and bits past the end read as zero. Callers that need to know whether a field lies inside the buffer check
// `remaining_bits()` (or use `ReadChecked`) first; the chunk decoders validate whole regions up front and then use
// the unchecked `Read`.
#ifndef VIGIL_TSDB_CHUNK_BIT_STREAM_H_
#define VIGIL_TSDB_CHUNK_BIT_STREAM_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace vigil::tsdb::chunk_internal {

// Returns a mask of the low `nbits` bits; nbits in [0, 64].
inline constexpr uint64_t LowMask(int nbits) { return nbits >= 64 ? ~uint64_t{0} : (uint64_t{1} << nbits) - 1; }

// Number of bits needed to write `x` in binary (0 for 0, 64 for values with the top bit set).
inline constexpr int BitWidth(uint64_t x) { return static_cast<int>(std::bit_width(x)); }

// Maps signed integers to unsigned so that small magnitudes get small codes: 0,-1,1,-2,... -> 0,1,2,3,...
inline constexpr uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

// Inverse of ZigZag.
inline constexpr int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

// Appends bits to a std::string, least significant bit first. Call Flush() once at the end; the last byte is
// padded with zero bits.
class BitWriter {
 public:
  // Writes into `out`, appending after whatever it already holds. `out` must outlive the writer.
  explicit BitWriter(std::string* out) : out_(out), start_bytes_(out->size()) {}

  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  // Writes the low `nbits` bits of `value` (nbits in [0, 64]); higher bits of `value` are ignored.
  void Write(uint64_t value, int nbits) {
    if (nbits == 0) return;
    value &= LowMask(nbits);
    acc_ |= value << acc_bits_;
    const int total = acc_bits_ + nbits;
    if (total >= 64) {
      char buf[8];
      const uint64_t le = ToLittleEndian(acc_);
      std::memcpy(buf, &le, 8);
      out_->append(buf, 8);
      acc_ = acc_bits_ == 0 ? 0 : value >> (64 - acc_bits_);
      acc_bits_ = total - 64;
    } else {
      acc_bits_ = total;
    }
  }

  // Writes one bit.
  void WriteBit(bool bit) { Write(bit ? 1 : 0, 1); }

  // Writes the pending bits, zero-padding the last byte. The writer must not be used afterwards.
  void Flush() {
    while (acc_bits_ > 0) {
      out_->push_back(static_cast<char>(acc_ & 0xff));
      acc_ >>= 8;
      acc_bits_ -= 8;
    }
    acc_bits_ = 0;
    acc_ = 0;
  }

  // Bits written so far by this writer.
  uint64_t bit_count() const { return (out_->size() - start_bytes_) * 8 + static_cast<uint64_t>(acc_bits_); }

 private:
  static uint64_t ToLittleEndian(uint64_t v) {
    if constexpr (std::endian::native == std::endian::little) {
      return v;
    } else {
      return __builtin_bswap64(v);
    }
  }

  std::string* out_;
  size_t start_bytes_;
  uint64_t acc_ = 0;
  int acc_bits_ = 0;
};

// Reads bits from a byte buffer it does not own. Copyable: a decoder keeps one reader per region it walks.
class BitReader {
 public:
  BitReader() = default;

  // Reads `size` bytes at `data`, starting at bit `bit_pos` (counted from the first byte).
  BitReader(const uint8_t* data, size_t size, uint64_t bit_pos = 0) : data_(data), size_(size), pos_(bit_pos) {}

  // Reads `nbits` bits (nbits in [0, 64]). Bits past the end of the buffer read as zero; the position still
  // advances, so a later `overrun()` reports it.
  uint64_t Read(int nbits) {
    if (nbits == 0) return 0;
    const uint64_t byte = pos_ >> 3;
    const int off = static_cast<int>(pos_ & 7);
    uint64_t v = Load64(byte) >> off;
    if (nbits > 64 - off) v |= static_cast<uint64_t>(Load8(byte + 8)) << (64 - off);
    pos_ += static_cast<uint64_t>(nbits);
    return v & LowMask(nbits);
  }

  // Reads one bit.
  bool ReadBit() { return Read(1) != 0; }

  // Reads `nbits` bits into `*out` if they lie inside the buffer; otherwise returns false and leaves the position
  // unchanged.
  bool ReadChecked(int nbits, uint64_t* out) {
    if (static_cast<uint64_t>(nbits) > remaining_bits()) return false;
    *out = Read(nbits);
    return true;
  }

  // Moves the position by `nbits` without reading.
  void Skip(uint64_t nbits) { pos_ += nbits; }

  // Current position in bits from the start of the buffer.
  uint64_t position() const { return pos_; }

  // Bits left before the end of the buffer (0 once the position is at or past the end).
  uint64_t remaining_bits() const {
    const uint64_t total = static_cast<uint64_t>(size_) * 8;
    return pos_ >= total ? 0 : total - pos_;
  }

  // True once a read went past the end of the buffer.
  bool overrun() const { return pos_ > static_cast<uint64_t>(size_) * 8; }

 private:
  uint8_t Load8(uint64_t byte) const { return byte < size_ ? data_[byte] : 0; }

  uint64_t Load64(uint64_t byte) const {
    if (byte + 8 <= size_) {
      uint64_t v;
      std::memcpy(&v, data_ + byte, 8);
      if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
      return v;
    }
    uint64_t v = 0;
    for (uint64_t i = 0; i < 8 && byte + i < size_; ++i) v |= static_cast<uint64_t>(data_[byte + i]) << (8 * i);
    return v;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint64_t pos_ = 0;
};

}  // namespace vigil::tsdb::chunk_internal

#endif  // VIGIL_TSDB_CHUNK_BIT_STREAM_H_
