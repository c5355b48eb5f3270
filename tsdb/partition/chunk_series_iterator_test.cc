#include "tsdb/partition/chunk_series_iterator.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/chunk/chunk_appender.h"

namespace vigil::tsdb::partition {
namespace {

using ::testing::HasSubstr;

// Owns chunk bytes for the refs.
struct Chunks {
  std::vector<std::unique_ptr<std::string>> bytes;
  std::vector<ChunkRef> refs;

  void Add(std::vector<Sample> samples, uint32_t priority) {
    std::vector<int64_t> ts;
    std::vector<double> vs;
    for (const Sample& s : samples) {
      ts.push_back(s.t);
      vs.push_back(s.v);
    }
    auto b = std::make_unique<std::string>();
    ChunkEncoder enc;
    ASSERT_TRUE(enc.Encode(ts, vs, b.get()).ok());
    refs.push_back(ChunkRef{*b, ts.front(), ts.back(), priority, 1});
    bytes.push_back(std::move(b));
  }
  ChunkSeriesIterator Iter(TimestampMs mint = kMinTimestampMs, TimestampMs maxt = kMaxTimestampMs) {
    std::vector<ChunkRef> sorted = refs;
    SortChunkRefs(&sorted);
    return ChunkSeriesIterator(nullptr, sorted, mint, maxt);
  }
};

std::vector<Sample> Range(int64_t from, int64_t to, int64_t step, double base) {
  std::vector<Sample> out;
  for (int64_t t = from; t <= to; t += step) out.push_back({t, base + static_cast<double>(t)});
  return out;
}

std::vector<Sample> Drain(SeriesIterator& it) {
  std::vector<Sample> out;
  while (it.Next()) out.push_back(it.At());
  EXPECT_TRUE(it.Err().ok()) << it.Err();
  return out;
}

void ExpectSame(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(got[i].v, want[i].v) << i;
  }
}

TEST(ChunkSeriesIteratorTest, ChainsChunksInOrder) {
  Chunks c;
  c.Add(Range(2000, 2900, 100, 0), 0);  // Added out of order on purpose.
  c.Add(Range(0, 900, 100, 0), 0);
  c.Add(Range(1000, 1900, 100, 0), 0);
  auto it = c.Iter();
  ExpectSame(Drain(it), Range(0, 2900, 100, 0));
  EXPECT_FALSE(it.Next());
}

TEST(ChunkSeriesIteratorTest, OverlapDeduplicatesAndLowerPriorityWins) {
  Chunks c;
  c.Add(Range(0, 1000, 100, 0), 1);      // Older source.
  c.Add(Range(500, 1500, 100, 0.5), 0);  // Fresher source, overlapping 500..1000.
  c.Add(Range(550, 650, 100, 9), 2);     // Odd timestamps 550, 650 only here.
  auto it = c.Iter();
  std::vector<Sample> want = Range(0, 400, 100, 0);
  for (int64_t t = 500; t <= 1500; t += 100) {
    want.push_back({t, 0.5 + static_cast<double>(t)});
    if (t == 500 || t == 600) want.push_back({t + 50, 9 + static_cast<double>(t + 50)});
  }
  ExpectSame(Drain(it), want);
}

TEST(ChunkSeriesIteratorTest, ClampsToRangeAndSeeks) {
  Chunks c;
  c.Add(Range(0, 900, 100, 0), 0);
  c.Add(Range(1000, 1900, 100, 0), 0);
  auto it = c.Iter(250, 1450);
  ExpectSame(Drain(it), Range(300, 1400, 100, 0));

  auto s = c.Iter(250, 1450);
  ASSERT_TRUE(s.Seek(1050));
  EXPECT_EQ(s.At().t, 1100);
  ASSERT_TRUE(s.Seek(0));  // Never moves back.
  EXPECT_EQ(s.At().t, 1100);
  EXPECT_FALSE(s.Seek(1401));
  EXPECT_FALSE(s.Next());

  auto empty = c.Iter(5000, 6000);
  EXPECT_FALSE(empty.Next());
  auto inverted = c.Iter(10, 5);
  EXPECT_FALSE(inverted.Next());
}

TEST(ChunkSeriesIteratorTest, AppendRangeMatchesNext) {
  Chunks c;
  c.Add(Range(0, 900, 100, 0), 1);
  c.Add(Range(1000, 1900, 100, 0), 1);
  c.Add(Range(1500, 2500, 50, 3), 0);
  c.Add(Range(3000, 3900, 100, 0), 0);
  for (TimestampMs from : {-100, 0, 450, 1600, 3950}) {
    for (TimestampMs to : {0, 1200, 1700, 3500, 10000}) {
      auto a = c.Iter(-50, 3800);
      std::vector<Sample> bulk;
      ASSERT_TRUE(a.AppendRange(from, to, &bulk).ok());
      auto b = c.Iter(-50, 3800);
      std::vector<Sample> one;
      for (const Sample& s : Drain(b)) {
        if (s.t >= from && s.t <= to) one.push_back(s);
      }
      ExpectSame(bulk, one);
      // The iterator continues after the range.
      if (a.Next()) {
        EXPECT_GT(a.At().t, to);
        EXPECT_LE(a.At().t, 3800);
      }
    }
  }
}

TEST(ChunkSeriesIteratorTest, CorruptChunkIsAnErrorNotACrash) {
  Chunks c;
  c.Add(Range(0, 900, 100, 0), 0);
  c.Add(Range(1000, 1900, 100, 0.25), 0);
  std::string& b = *c.bytes[1];
  b.resize(b.size() / 2);
  c.refs[1].bytes = b;
  auto it = c.Iter();
  int n = 0;
  while (it.Next()) ++n;
  EXPECT_GE(n, 10);
  EXPECT_EQ(it.Err().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(it.Err().message(), HasSubstr("chunk with min time 1000"));
  EXPECT_FALSE(it.Next());
}

}  // namespace
}  // namespace vigil::tsdb::partition
