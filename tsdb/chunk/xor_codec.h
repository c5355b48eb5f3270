// Gorilla-style XOR float codec (internal to tsdb/chunk): the fallback value encoding for chunks whose values
// are not exact decimals (random bit patterns, many NaN payloads, floats computed by arithmetic).
//
// The first value is written as its 64 raw bits. Every later value is XORed with its predecessor and written as
//   '0'                                   the XOR is zero (value repeated bit for bit)
//   '1' '0' <64-L-T bits>                 the XOR fits inside the current window (L leading, T trailing zeros)
//   '1' '1' <L: 6 bits> <S-1: 6 bits> <S bits>   a new window of S meaningful bits after L leading zeros
// (control bits in the order listed, each field least significant bit first). The window starts as L = T = 0.
// The encoder takes the cheaper of the two non-zero forms, so a wide stale window never wastes bits.
#ifndef VIGIL_TSDB_CHUNK_XOR_CODEC_H_
#define VIGIL_TSDB_CHUNK_XOR_CODEC_H_

#include <bit>
#include <cstddef>
#include <cstdint>

#include "tsdb/chunk/bit_stream.h"

namespace vigil::tsdb::chunk_internal {

// Counts bits instead of writing them: lets the encoder price the XOR encoding without producing it.
class BitCounter {
 public:
  // Adds `nbits` to the count; the value is ignored.
  void Write(uint64_t /*value*/, int nbits) { bits_ += static_cast<uint64_t>(nbits); }

  // Bits counted so far.
  uint64_t bit_count() const { return bits_; }

 private:
  uint64_t bits_ = 0;
};

// Writes values[0..n) (n >= 1) in the XOR encoding to `sink` (a BitWriter or a BitCounter).
template <typename Sink>
void WriteXor(const double* values, size_t n, Sink* sink) {
  uint64_t prev = std::bit_cast<uint64_t>(values[0]);
  sink->Write(prev, 64);
  int lead = 0;
  int trail = 0;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t cur = std::bit_cast<uint64_t>(values[i]);
    const uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      sink->Write(0, 1);
      continue;
    }
    const int l = std::countl_zero(x);
    const int t = std::countr_zero(x);
    const int sig = 64 - l - t;
    const int window = 64 - lead - trail;
    if (l >= lead && t >= trail && window <= 12 + sig) {
      sink->Write(0b01, 2);  // '1' then '0'
      sink->Write(x >> trail, window);
    } else {
      sink->Write(0b11, 2);
      sink->Write(static_cast<uint64_t>(l), 6);
      sink->Write(static_cast<uint64_t>(sig - 1), 6);
      sink->Write(x >> t, sig);
      lead = l;
      trail = t;
    }
  }
}

// Reads values written by WriteXor. Every read is bounds-checked, so a truncated or corrupt stream ends with an
// error instead of garbage past the buffer.
class XorReader {
 public:
  XorReader() = default;

  // Starts reading at the reader's current position.
  explicit XorReader(const BitReader& r) : r_(r) {}

  // Reads the next value's bit pattern. Returns false if the stream is truncated or corrupt; `position()` then
  // says where.
  bool Next(uint64_t* bits) {
    if (first_) {
      first_ = false;
      if (!r_.ReadChecked(64, &prev_)) return false;
      *bits = prev_;
      return true;
    }
    uint64_t control;
    if (!r_.ReadChecked(1, &control)) return false;
    if (control == 0) {
      *bits = prev_;
      return true;
    }
    if (!r_.ReadChecked(1, &control)) return false;
    if (control == 1) {
      uint64_t l;
      uint64_t s;
      if (!r_.ReadChecked(6, &l) || !r_.ReadChecked(6, &s)) return false;
      if (l + s + 1 > 64) return false;  // The window would not fit in 64 bits.
      lead_ = static_cast<int>(l);
      trail_ = 64 - lead_ - static_cast<int>(s + 1);
    }
    const int window = 64 - lead_ - trail_;
    uint64_t x;
    if (!r_.ReadChecked(window, &x)) return false;
    prev_ ^= x << trail_;
    *bits = prev_;
    return true;
  }

  // Current position in bits (the end of the stream once every value was read).
  uint64_t position() const { return r_.position(); }

 private:
  BitReader r_;
  bool first_ = true;
  uint64_t prev_ = 0;
  int lead_ = 0;
  int trail_ = 0;
};

}  // namespace vigil::tsdb::chunk_internal

#endif  // VIGIL_TSDB_CHUNK_XOR_CODEC_H_
