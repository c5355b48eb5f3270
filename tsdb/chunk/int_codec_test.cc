#include "tsdb/chunk/int_codec.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/chunk/bit_stream.h"

namespace vigil::tsdb::chunk_internal {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(BitStreamTest, RoundTripsFieldsOfEveryWidth) {
  std::mt19937_64 rng(1);
  std::vector<std::pair<uint64_t, int>> fields;
  std::string out;
  BitWriter w(&out);
  for (int i = 0; i < 5000; ++i) {
    const int width = static_cast<int>(rng() % 65);
    const uint64_t value = rng() & LowMask(width);
    fields.emplace_back(value, width);
    w.Write(value | (width < 64 ? (rng() << width) : 0), width);  // High garbage must be ignored.
  }
  const uint64_t bits = w.bit_count();
  w.Flush();
  EXPECT_EQ(out.size(), (bits + 7) / 8);
  BitReader r(Bytes(out), out.size());
  for (const auto& [value, width] : fields) ASSERT_EQ(r.Read(width), value) << "width " << width;
  EXPECT_FALSE(r.overrun());
}

TEST(BitStreamTest, ReadsPastTheEndAsZeroAndReportsOverrun) {
  std::string out = "\xff";
  BitReader r(Bytes(out), out.size());
  uint64_t v;
  EXPECT_FALSE(r.ReadChecked(9, &v));
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(r.Read(12), 0xffu);
  EXPECT_TRUE(r.overrun());
}

TEST(ZigZagTest, Extremes) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, kMin, kMax}) EXPECT_EQ(UnZigZag(ZigZag(v)), v);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
}

TEST(VarBitsTest, RoundTripAndCost) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{1} << 62, (uint64_t{1} << 63) - 1,
                     uint64_t{1} << 63, ~uint64_t{0}}) {
    std::string out;
    BitWriter w(&out);
    WriteVarBits(&w, v);
    EXPECT_EQ(static_cast<int>(w.bit_count()), VarBitsCost(v));
    w.Flush();
    BitReader r(Bytes(out), out.size());
    uint64_t got;
    ASSERT_TRUE(ReadVarBits(&r, &got));
    EXPECT_EQ(got, v);
  }
}

// Sequences of many shapes: constant, narrow, sparse, with outliers, full-range random, extremes.
std::vector<int64_t> MakeSequence(std::mt19937_64& rng, int kind, size_t k) {
  std::vector<int64_t> r(k);
  const int64_t base = static_cast<int64_t>(rng());
  for (size_t i = 0; i < k; ++i) {
    switch (kind) {
      case 0:  // constant
        r[i] = base;
        break;
      case 1:  // narrow range around a base
        r[i] = base / 2 + static_cast<int64_t>(rng() % 1000);
        break;
      case 2:  // sparse: mostly zero
        r[i] = rng() % 20 == 0 ? static_cast<int64_t>(rng() % 50) - 25 : 0;
        break;
      case 3:  // narrow with rare huge outliers
        r[i] = rng() % 50 == 0 ? static_cast<int64_t>(rng()) : static_cast<int64_t>(rng() % 100);
        break;
      case 4:  // full-range random
        r[i] = static_cast<int64_t>(rng());
        break;
      case 5:  // extremes
        r[i] = rng() % 2 ? kMin : kMax;
        break;
      case 6:  // multiples of 1024 (common divisor)
        r[i] = (static_cast<int64_t>(rng() % 100000) - 50000) * 1024;
        break;
      case 7:  // a reset: one large negative among positives
        r[i] = i == k / 2 ? -static_cast<int64_t>(rng() >> 2) : 1300 + static_cast<int64_t>(rng() % 100);
        break;
      default:  // powers of two and their negations
        r[i] = (rng() % 2 ? 1 : -1) * (int64_t{1} << (rng() % 63));
        break;
    }
  }
  return r;
}

TEST(IntCodecTest, RoundTripsAndCostIsExact) {
  std::mt19937_64 rng(42);
  IntPlanner planner;
  for (int iter = 0; iter < 3000; ++iter) {
    const int kind = iter % 9;
    const size_t k = iter % 7 == 0 ? 1 + rng() % 3 : rng() % 400;
    const std::vector<int64_t> r = MakeSequence(rng, kind, k);
    const IntPlan plan = planner.Plan(r.data(), k);
    std::string out = "xy";  // The writer appends; reading starts after these bytes.
    BitWriter w(&out);
    WriteInts(r.data(), k, plan, &w);
    ASSERT_EQ(w.bit_count(), plan.cost_bits) << "kind " << kind << " k " << k;
    w.Flush();
    BitReader reader(Bytes(out), out.size(), 16);
    IntReader ints;
    ASSERT_TRUE(ints.Init(&reader, k, "test").ok());
    EXPECT_EQ(reader.position(), 16 + plan.cost_bits);
    for (size_t i = 0; i < k; ++i) ASSERT_EQ(ints.Next(), r[i]) << "kind " << kind << " index " << i;
  }
}

TEST(IntCodecTest, PatchesOutliersInsteadOfWideningEveryValue) {
  std::vector<int64_t> r(240, 0);
  for (size_t i = 0; i < r.size(); ++i) r[i] = 1000 + static_cast<int64_t>(i % 16);
  r[100] = 1'000'000'000;  // A burst.
  IntPlanner planner;
  const IntPlan plan = planner.Plan(r.data(), r.size());
  EXPECT_EQ(plan.low_bits, 4);
  EXPECT_EQ(plan.exceptions, 1u);
  EXPECT_LT(plan.cost_bits, 240u * 5);
}

TEST(IntCodecTest, SparseSequenceCostsLittle) {
  std::vector<int64_t> r(240, 0);
  r[10] = 7;
  r[11] = -7;
  IntPlanner planner;
  const IntPlan plan = planner.Plan(r.data(), r.size());
  EXPECT_EQ(plan.low_bits, 0);
  EXPECT_LT(plan.cost_bits, 80u);
}

TEST(IntCodecTest, CommonDivisorIsFactoredOut) {
  std::vector<int64_t> r;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) r.push_back(static_cast<int64_t>(rng() % 256) * 4096);
  IntPlanner planner;
  const IntPlan plan = planner.Plan(r.data(), r.size());
  EXPECT_EQ(plan.gcd % 4096, 0u);
  EXPECT_LE(plan.low_bits, 8);
}

// Every truncation of a valid stream either fails Init or (if the cut lies in the trailing padding) decodes
// correctly; never reads outside the buffer (ASan).
TEST(IntCodecTest, TruncatedStreamsAreRejected) {
  std::mt19937_64 rng(5);
  IntPlanner planner;
  for (int kind = 0; kind < 9; ++kind) {
    const std::vector<int64_t> r = MakeSequence(rng, kind, 50);
    const IntPlan plan = planner.Plan(r.data(), r.size());
    std::string out;
    BitWriter w(&out);
    WriteInts(r.data(), r.size(), plan, &w);
    w.Flush();
    for (size_t cut = 0; cut < out.size(); ++cut) {
      const std::string prefix = out.substr(0, cut);
      BitReader reader(Bytes(prefix), prefix.size());
      IntReader ints;
      const absl::Status s = ints.Init(&reader, r.size(), "test");
      if (cut * 8 < plan.cost_bits) {
        EXPECT_FALSE(s.ok()) << "kind " << kind << " cut " << cut;
        EXPECT_THAT(std::string(s.message()), testing::HasSubstr("byte offset"));
      }
    }
  }
}

TEST(IntCodecTest, CorruptPatchPositionsAreRejected) {
  std::vector<int64_t> r(100, 1);
  r[10] = 1 << 20;
  r[20] = 1 << 20;
  IntPlanner planner;
  const IntPlan plan = planner.Plan(r.data(), r.size());
  ASSERT_EQ(plan.exceptions, 2u);
  // Build the same stream by hand with the positions swapped.
  std::string out;
  BitWriter w(&out);
  w.WriteBit(plan.zigzag);
  WriteVarBits(&w, ZigZag(plan.base));
  WriteVarBits(&w, plan.gcd);
  w.Write(static_cast<uint64_t>(plan.low_bits), 7);
  w.Write(plan.exceptions, BitWidth(100));
  w.Write(static_cast<uint64_t>(plan.high_bits), 7);
  for (int i = 0; i < 100; ++i) w.Write(0, plan.low_bits);
  w.Write(20, BitWidth(99));
  w.Write(1, plan.high_bits);
  w.Write(10, BitWidth(99));
  w.Write(1, plan.high_bits);
  w.Flush();
  BitReader reader(Bytes(out), out.size());
  IntReader ints;
  const absl::Status s = ints.Init(&reader, 100, "test");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("not increasing"));
}

}  // namespace
}  // namespace vigil::tsdb::chunk_internal
