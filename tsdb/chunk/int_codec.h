// Integer sequence codec of the chunk format (internal to tsdb/chunk): patched frame-of-reference bit packing
// with a common divisor.
//
// A sequence r[0..k) of int64 (timestamp deltas, decimal mantissas or their differences) is written as
//
//   mode      1 bit    0: u = (r - base) / gcd            (base = minimum, offsets are unsigned)
//                      1: u = ZigZag((r - base) / gcd)    (base = median, offsets are signed)
//   base      VarBits  ZigZag(base)
//   gcd       VarBits  common divisor of all offsets; 0 means every r equals base and nothing follows
//   b         7 bits   low bits per value, 0..64
//   E         BitWidth(k) bits   number of exceptions (values with u >= 2^b)
//   hb        7 bits   (only if E > 0) high bits per exception, 1..64-b
//   low parts k x b bits: u & (2^b - 1)
//   patches   E x (position: BitWidth(k-1) bits, high: hb bits): u >> b, positions strictly increasing
//
// All arithmetic wraps modulo 2^64, so every int64 sequence round-trips. The planner picks the mode and b that
// minimise the size exactly (the cost is computed from a histogram of value widths, not estimated), which makes
// rare outliers (counter resets, bursts, jittered scrapes) cost only their patch instead of widening every
// value. See docs/format/chunk.md.
#ifndef VIGIL_TSDB_CHUNK_INT_CODEC_H_
#define VIGIL_TSDB_CHUNK_INT_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/chunk/bit_stream.h"

namespace vigil::tsdb::chunk_internal {

// Writes `v` as a 6-bit length L (63 stands for 64) followed by L bits: small numbers cost few bits, any uint64
// fits.
void WriteVarBits(BitWriter* w, uint64_t v);

// Size in bits of WriteVarBits(v).
int VarBitsCost(uint64_t v);

// Reads a VarBits field. Returns false if it does not lie inside the buffer.
bool ReadVarBits(BitReader* r, uint64_t* v);

// How one sequence is written: the result of IntPlanner::Plan, consumed by WriteInts.
struct IntPlan {
  bool zigzag = false;      // mode bit
  int64_t base = 0;         // minimum (mode 0) or median (mode 1)
  uint64_t gcd = 0;         // 0: all values equal base
  int low_bits = 0;         // b
  int high_bits = 0;        // hb (0 when there are no exceptions)
  uint32_t exceptions = 0;  // E
  uint64_t cost_bits = 0;   // exact encoded size in bits, header included
};

// Chooses the cheapest IntPlan for a sequence. Holds scratch space so that planning allocates nothing once the
// scratch has grown to the largest sequence seen.
class IntPlanner {
 public:
  IntPlanner() = default;

  // Reserves scratch for sequences of up to `k` values.
  void Reserve(size_t k) { scratch_.reserve(k); }

  // Returns the smallest encoding of r[0..k). k may be 0 (then the plan costs 0 bits and WriteInts writes
  // nothing).
  IntPlan Plan(const int64_t* r, size_t k);

 private:
  IntPlan PlanMode(const int64_t* r, size_t k, bool zigzag, int64_t base);

  std::vector<int64_t> scratch_;
};

// Writes r[0..k) as planned by IntPlanner::Plan for the same sequence.
void WriteInts(const int64_t* r, size_t k, const IntPlan& plan, BitWriter* w);

// Decodes a sequence written by WriteInts, one value at a time, without allocating.
class IntReader {
 public:
  IntReader() = default;

  // Parses the stream header at `*r` for a sequence of `k` values, checks that the whole stream lies inside the
  // buffer and that the patch positions are valid, and advances `*r` past the stream. Errors name `what` (e.g.
  // "timestamp deltas") and the byte offset.
  absl::Status Init(BitReader* r, uint64_t k, std::string_view what);

  // Returns the next value. Must be called at most k times after a successful Init.
  int64_t Next() {
    if (constant_) return base_;
    uint64_t u = low_.Read(low_bits_);
    if (index_ == next_patch_) {
      u |= next_high_ << low_bits_;
      LoadPatch();
    }
    ++index_;
    const uint64_t offset = zigzag_ ? static_cast<uint64_t>(UnZigZag(u)) : u;
    return static_cast<int64_t>(static_cast<uint64_t>(base_) + offset * gcd_);
  }

 private:
  void LoadPatch() {
    if (patches_left_ == 0) {
      next_patch_ = ~uint64_t{0};
      return;
    }
    --patches_left_;
    next_patch_ = patches_.Read(pos_bits_);
    next_high_ = patches_.Read(high_bits_);
  }

  bool constant_ = true;
  bool zigzag_ = false;
  int64_t base_ = 0;
  uint64_t gcd_ = 0;
  int low_bits_ = 0;
  int high_bits_ = 0;
  int pos_bits_ = 0;
  uint64_t index_ = 0;
  uint64_t patches_left_ = 0;
  uint64_t next_patch_ = ~uint64_t{0};
  uint64_t next_high_ = 0;
  BitReader low_;
  BitReader patches_;
};

}  // namespace vigil::tsdb::chunk_internal

#endif  // VIGIL_TSDB_CHUNK_INT_CODEC_H_
