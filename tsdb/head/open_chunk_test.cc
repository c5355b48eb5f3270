#include "tsdb/head/open_chunk.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::tsdb {
namespace {

std::vector<Sample> ReadAll(const OpenChunk& c) {
  std::vector<Sample> out;
  OpenChunkReader r(c.bytes(), c.min_time(), c.num_samples());
  while (r.Next()) out.push_back(r.At());
  return out;
}

void ExpectRoundTrip(const std::vector<Sample>& in) {
  OpenChunk c;
  for (const Sample& s : in) c.Append(s.t, s.v);
  ASSERT_EQ(c.num_samples(), in.size());
  const std::vector<Sample> out = ReadAll(c);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].t, in[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i].v), std::bit_cast<uint64_t>(in[i].v)) << i;
  }
  std::vector<int64_t> ts;
  std::vector<double> vs;
  c.Decode(&ts, &vs);
  ASSERT_EQ(ts.size(), in.size());
  if (!in.empty()) {
    EXPECT_EQ(c.min_time(), in.front().t);
    EXPECT_EQ(c.max_time(), in.back().t);
  }
}

TEST(OpenChunkTest, RoundTripsSpecialValuesAndExtremeTimestamps) {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectRoundTrip({{kMinTimestampMs, 0.0},
                   {-5, -0.0},
                   {0, StaleNaN()},
                   {1, std::nan("")},
                   {2, inf},
                   {3, -inf},
                   {4, std::numeric_limits<double>::denorm_min()},
                   {kMaxTimestampMs, 1e300}});
  ExpectRoundTrip({{7, 1.5}});
}

TEST(OpenChunkTest, RoundTripsRandomSeries) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 200; ++round) {
    std::vector<Sample> in;
    TimestampMs t = static_cast<TimestampMs>(rng() % 2'000'000'000'000) - 1'000'000'000'000;
    double v = 100;
    const size_t n = 1 + rng() % 300;
    for (size_t i = 0; i < n; ++i) {
      t += 1 + static_cast<TimestampMs>(round % 3 == 0 ? rng() % 100'000 : 15'000 + rng() % 5);
      switch (rng() % 4) {
        case 0:
          break;  // repeated value
        case 1:
          v += 1;
          break;
        case 2:
          v = static_cast<double>(rng() % 1000) / 100;
          break;
        default:
          v = std::bit_cast<double>(rng());
      }
      in.push_back({t, v});
    }
    ExpectRoundTrip(in);
  }
}

TEST(OpenChunkTest, IsCompactForRegularSeries) {
  OpenChunk constant;
  OpenChunk counter;
  for (int i = 0; i < 240; ++i) {
    constant.Append(1'700'000'000'000 + i * 15'000, 1.0);
    counter.Append(1'700'000'000'000 + i * 15'000, 1000.0 + i * 3);
  }
  // One byte of timestamp and one tag byte per sample (the first value costs its bytes once).
  EXPECT_LE(constant.bytes().size(), 2 * 240 + 8u);
  EXPECT_LE(counter.bytes().size(), 5 * 240u);
  EXPECT_LT(counter.HeapBytes(), 16 * 240u / 2);  // well under ChunkAppender's 16 bytes per sample
  counter.Clear();
  EXPECT_TRUE(counter.empty());
  EXPECT_EQ(counter.HeapBytes(), 0u);
}

TEST(OpenChunkTest, ReaderStopsAtTruncatedInput) {
  OpenChunk c;
  for (int i = 0; i < 50; ++i) c.Append(i * 1000, std::bit_cast<double>(uint64_t{0x123456789abcdef} * i));
  for (size_t cut = 0; cut < c.bytes().size(); ++cut) {
    OpenChunkReader r(c.bytes().substr(0, cut), 0, c.num_samples());
    uint32_t n = 0;
    while (r.Next()) ++n;
    EXPECT_LT(n, c.num_samples()) << cut;
  }
}

}  // namespace
}  // namespace vigil::tsdb
