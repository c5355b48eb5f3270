#include "tsdb/head/mem_series.h"

#include <bit>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/chunk/chunk_iterator.h"

namespace vigil::tsdb {
namespace {

std::vector<Sample> ReadRange(const MemSeries& s, TimestampMs mint, TimestampMs maxt) {
  SeriesLock lock(&s.mu());
  auto snap = std::make_shared<const SeriesSnapshot>(s.Snapshot(mint, maxt));
  HeadSeriesIterator it(snap, mint, maxt);
  std::vector<Sample> out;
  while (it.Next()) out.push_back(it.At());
  EXPECT_TRUE(it.Err().ok()) << it.Err();
  return out;
}

std::vector<HeadChunkPtr> Chunks(const MemSeries& s) {
  SeriesLock lock(&s.mu());
  std::vector<HeadChunkPtr> out;
  s.ChunksBefore(kMaxTimestampMs, &out);
  return out;
}

class MemSeriesTest : public ::testing::Test {
 protected:
  AppendVerdict Add(TimestampMs t, double v) {
    SeriesLock lock(&series_.mu());
    return series_.Append(t, v, opts_, min_valid_);
  }

  SeriesOptions opts_{
      .chunk_range_ms = 1000, .samples_per_chunk = 4, .out_of_order_window_ms = 0, .out_of_order_capacity = 3};
  TimestampMs min_valid_ = kMinTimestampMs;
  MemSeries series_{7, InternedLabels()};
};

TEST_F(MemSeriesTest, CutsAtSampleCount) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Add(i * 10, i), AppendVerdict::kInOrder);
  const std::vector<HeadChunkPtr> chunks = Chunks(series_);
  ASSERT_EQ(chunks.size(), 2u);  // 4 + 4 closed, 2 open
  EXPECT_EQ(chunks[0]->min_time, 0);
  EXPECT_EQ(chunks[0]->max_time, 30);
  EXPECT_EQ(chunks[0]->num_samples, 4u);
  EXPECT_EQ(chunks[1]->min_time, 40);
  ChunkIterator it(chunks[1]->data);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().t, 40);
  EXPECT_EQ(it.At().v, 4);
  EXPECT_EQ(ReadRange(series_, kMinTimestampMs, kMaxTimestampMs).size(), 10u);
}

TEST_F(MemSeriesTest, CutsAtAlignedRangeBoundaries) {
  // Ranges of 1000 ms: [-1000, 0), [0, 1000), [1000, 2000) ...
  for (TimestampMs t : {-900, -1, 0, 999, 1000, 3500}) EXPECT_EQ(Add(t, 1), AppendVerdict::kInOrder);
  const std::vector<HeadChunkPtr> chunks = Chunks(series_);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0]->min_time, -900);
  EXPECT_EQ(chunks[0]->max_time, -1);
  EXPECT_EQ(chunks[1]->min_time, 0);
  EXPECT_EQ(chunks[1]->max_time, 999);
  EXPECT_EQ(chunks[2]->min_time, 1000);
  EXPECT_EQ(chunks[2]->num_samples, 1u);
  EXPECT_EQ(ChunkRangeIndex(-1, 1000), -1);
  EXPECT_EQ(ChunkRangeIndex(-1000, 1000), -1);
  EXPECT_EQ(ChunkRangeIndex(-1001, 1000), -2);
}

TEST_F(MemSeriesTest, ClassifiesDuplicatesOrderAndBounds) {
  EXPECT_EQ(Add(100, 1), AppendVerdict::kInOrder);
  EXPECT_EQ(Add(100, 1), AppendVerdict::kDuplicateIgnored);
  EXPECT_EQ(Add(100, 2), AppendVerdict::kRejectDuplicate);
  EXPECT_EQ(Add(99, 1), AppendVerdict::kRejectOutOfOrder);
  min_valid_ = 200;
  EXPECT_EQ(Add(150, 1), AppendVerdict::kRejectOutOfBounds);
  EXPECT_EQ(Add(200, 1), AppendVerdict::kInOrder);
  // NaNs compare by bit pattern: the stale marker is not a duplicate of an ordinary NaN.
  EXPECT_EQ(Add(300, StaleNaN()), AppendVerdict::kInOrder);
  EXPECT_EQ(Add(300, StaleNaN()), AppendVerdict::kDuplicateIgnored);
  EXPECT_EQ(Add(300, std::nan("")), AppendVerdict::kRejectDuplicate);
}

TEST_F(MemSeriesTest, OutOfOrderWindowBuffersAndMerges) {
  opts_.out_of_order_window_ms = 500;
  for (TimestampMs t : {1000, 1100, 1200}) EXPECT_EQ(Add(t, t), AppendVerdict::kInOrder);
  EXPECT_EQ(Add(1050, 1050), AppendVerdict::kOutOfOrder);
  EXPECT_EQ(Add(1050, 1050), AppendVerdict::kDuplicateIgnored);
  EXPECT_EQ(Add(1050, 7), AppendVerdict::kRejectDuplicate);
  EXPECT_EQ(Add(1100, 7), AppendVerdict::kRejectDuplicate);  // taken by an in-order sample
  EXPECT_EQ(Add(699, 1), AppendVerdict::kRejectOutOfOrder);  // beyond the window
  EXPECT_EQ(Add(700, 700), AppendVerdict::kOutOfOrder);
  const std::vector<Sample> got = ReadRange(series_, kMinTimestampMs, kMaxTimestampMs);
  std::vector<TimestampMs> ts;
  for (const Sample& s : got) ts.push_back(s.t);
  EXPECT_EQ(ts, (std::vector<TimestampMs>{700, 1000, 1050, 1100, 1200}));
  // The third out-of-order sample fills the buffer (capacity 3): cut into one chunk per aligned range.
  EXPECT_EQ(Add(990, 990), AppendVerdict::kOutOfOrder);
  std::vector<HeadChunkPtr> chunks = Chunks(series_);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(chunks[0]->out_of_order);
  EXPECT_EQ(chunks[0]->min_time, 700);
  EXPECT_EQ(chunks[0]->max_time, 990);
  EXPECT_EQ(chunks[1]->min_time, 1050);
  EXPECT_EQ(ReadRange(series_, kMinTimestampMs, kMaxTimestampMs).size(), 6u);
  EXPECT_EQ(Add(990, 1), AppendVerdict::kRejectDuplicate);  // found in an out-of-order chunk
}

// Random in-order and out-of-order samples, read back over random ranges, against a std::map.
TEST_F(MemSeriesTest, IteratorMatchesReferenceOnRandomData) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 30; ++round) {
    MemSeries series(1, InternedLabels());
    SeriesOptions opts{.chunk_range_ms = 100 + static_cast<int64_t>(rng() % 1000),
                       .samples_per_chunk = 1 + static_cast<uint32_t>(rng() % 20),
                       .out_of_order_window_ms = round % 3 == 0 ? 0 : 300,
                       .out_of_order_capacity = 1 + static_cast<uint32_t>(rng() % 10)};
    std::map<TimestampMs, double> want;
    TimestampMs newest = kMinTimestampMs;
    for (int i = 0; i < 400; ++i) {
      const TimestampMs t = static_cast<TimestampMs>(rng() % 5000) - 1000 + i * 10;
      const double v = static_cast<double>(rng() % 100);
      AppendVerdict got;
      {
        SeriesLock lock(&series.mu());
        got = series.Append(t, v, opts, kMinTimestampMs);
      }
      if (got == AppendVerdict::kInOrder || got == AppendVerdict::kOutOfOrder) {
        ASSERT_FALSE(want.contains(t));
        want[t] = v;
        newest = std::max(newest, t);
      } else if (got == AppendVerdict::kRejectOutOfOrder) {
        ASSERT_LT(t, newest);
      }
      if (i % 97 == 0) {
        SeriesLock lock(&series.mu());
        series.CloseBefore(t, opts);  // exercises cutting before a boundary
      }
    }
    for (int q = 0; q < 20; ++q) {
      TimestampMs mint = static_cast<TimestampMs>(rng() % 9000) - 1500;
      TimestampMs maxt = mint + static_cast<TimestampMs>(rng() % 3000);
      std::vector<Sample> expect;
      for (auto it = want.lower_bound(mint); it != want.end() && it->first <= maxt; ++it) {
        expect.push_back({it->first, it->second});
      }
      const std::vector<Sample> got = ReadRange(series, mint, maxt);
      ASSERT_EQ(got.size(), expect.size()) << "round " << round << " [" << mint << ", " << maxt << "]";
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].t, expect[i].t);
        ASSERT_EQ(got[i].v, expect[i].v);
      }
      // Seek and AppendRange agree with Next.
      SeriesLock lock(&series.mu());
      auto snap = std::make_shared<const SeriesSnapshot>(series.Snapshot(kMinTimestampMs, kMaxTimestampMs));
      HeadSeriesIterator it(snap, kMinTimestampMs, kMaxTimestampMs);
      std::vector<Sample> ranged;
      ASSERT_TRUE(it.AppendRange(mint, maxt, &ranged).ok());
      ASSERT_EQ(ranged.size(), expect.size());
      auto after = want.upper_bound(maxt);
      if (!expect.empty() && after != want.end()) {
        EXPECT_EQ(it.At().t, after->first);
      }
      HeadSeriesIterator seeker(snap, kMinTimestampMs, kMaxTimestampMs);
      auto first = want.lower_bound(mint);
      ASSERT_EQ(seeker.Seek(mint), first != want.end());
      if (first != want.end()) {
        EXPECT_EQ(seeker.At().t, first->first);
        EXPECT_TRUE(seeker.Seek(mint - 100));  // never moves backwards
        EXPECT_EQ(seeker.At().t, first->first);
      }
    }
  }
}

TEST_F(MemSeriesTest, CloseTruncateAndMemory) {
  for (int i = 0; i < 6; ++i) Add(i * 300, i);  // ranges of 1000: [0, 900] and [1200, 1500]
  SeriesLock lock(&series_.mu());
  const size_t before = series_.MemoryBytes();
  EXPECT_GT(before, sizeof(MemSeries));
  std::vector<HeadChunkPtr> chunks;
  series_.ChunksBefore(1000, &chunks);
  EXPECT_EQ(chunks.size(), 1u);  // cut when 1200 arrived
  series_.CloseBefore(2000, opts_);
  chunks.clear();
  series_.ChunksBefore(2000, &chunks);
  EXPECT_EQ(chunks.size(), 2u);
  EXPECT_EQ(series_.MinTime(), 0);
  EXPECT_EQ(series_.MaxTime(), 1500);
  EXPECT_TRUE(series_.Overlaps(1400, 1400));
  EXPECT_FALSE(series_.Overlaps(1600, 1700));
  EXPECT_EQ(series_.TruncateBefore(1000), 1u);
  EXPECT_EQ(series_.MinTime(), 1200);
  EXPECT_EQ(series_.TruncateBefore(2000), 1u);
  EXPECT_TRUE(series_.Empty());
  EXPECT_EQ(series_.newest_time(), 1500);  // order is still enforced after truncation
  EXPECT_LT(series_.MemoryBytes(), before);
}

}  // namespace
}  // namespace vigil::tsdb
