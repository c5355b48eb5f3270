#include "tsdb/wal/wal_writer.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock/clock.h"
#include "base/fs/in_memory_file_system.h"
#include "gtest/gtest.h"
#include "model/sample.h"
#include "tsdb/wal/fault_file_system.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/wal_test_util.h"

namespace vigil::wal {
namespace {

using testing::ExpectSameSamples;
using testing::ExpectSameSeries;
using testing::MakeSamples;
using testing::MakeSeries;
using testing::ReplayAll;
using testing::Replayed;

constexpr char kDir[] = "/data/wal";

std::unique_ptr<WalWriter> MustOpen(FileSystem* fs, WalOptions options = {}) {
  absl::StatusOr<std::unique_ptr<WalWriter>> w = WalWriter::Open(fs, kDir, options);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? *std::move(w) : nullptr;
}

Replayed MustReplay(FileSystem* fs, ReplayOptions options = {}) {
  absl::StatusOr<Replayed> r = ReplayAll(fs, kDir, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : Replayed();
}

TEST(WalWriterTest, RoundTripsSeriesAndSpecialFloats) {
  InMemoryFileSystem fs;
  std::vector<SeriesRecord> series = MakeSeries(3);
  std::vector<SampleRecord> samples = {
      {1, 1700000000000, 1.0},
      {2, 1700000000000, StaleNaN()},
      {3, -5, std::numeric_limits<double>::infinity()},
      {1, std::numeric_limits<int64_t>::max(), -0.0},
      {2, std::numeric_limits<int64_t>::min(), std::bit_cast<double>(uint64_t{0x7ff8000000000abc})},
  };
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  ASSERT_TRUE(w->LogSeries(std::span(series).first(2)).ok());
  ASSERT_TRUE(w->LogSamples(std::span(samples).first(2)).ok());
  ASSERT_TRUE(w->Log(std::span(series).subspan(2), std::span(samples).subspan(2)).ok());
  ASSERT_TRUE(w->Close().ok());

  WalStats stats = w->Stats();
  EXPECT_EQ(stats.series_written, 3u);
  EXPECT_EQ(stats.samples_written, 5u);
  EXPECT_EQ(stats.records_written, 4u);
  EXPECT_EQ(stats.segments_created, 1u);
  EXPECT_EQ(stats.bytes_written, fs.Stat("/data/wal/00000000")->size);

  Replayed r = MustReplay(&fs);
  ExpectSameSeries(r.series, series);
  ExpectSameSamples(r.samples, samples);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.torn_bytes, 0u);
  ASSERT_EQ(r.result.segments.size(), 1u);
  EXPECT_EQ(r.result.segments[0].max_t, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r.result.records, 4u);
}

TEST(WalWriterTest, RotatesSegmentsAtTheSizeLimit) {
  InMemoryFileSystem fs;
  constexpr uint64_t kSegment = 1024;
  std::unique_ptr<WalWriter> w = MustOpen(&fs, {.segment_size = kSegment});
  std::vector<SampleRecord> all;
  for (int i = 0; i < 50; ++i) {
    std::vector<SampleRecord> batch = MakeSamples(20, 1000 * i, i);
    ASSERT_TRUE(w->LogSamples(batch).ok());
    all.insert(all.end(), batch.begin(), batch.end());
  }
  // One batch larger than a segment is cut into records that each fit.
  std::vector<SampleRecord> big = MakeSamples(300, 99999);
  ASSERT_TRUE(w->LogSamples(big).ok());
  all.insert(all.end(), big.begin(), big.end());
  ASSERT_TRUE(w->Close().ok());

  absl::StatusOr<std::vector<std::string>> names = fs.ListDir(kDir);
  ASSERT_TRUE(names.ok());
  EXPECT_GT(names->size(), 10u);
  for (const std::string& name : *names) {
    EXPECT_LE(fs.Stat(std::string(kDir) + "/" + name)->size, kSegment) << name;
  }
  EXPECT_EQ(w->Stats().segments_created, names->size());
  Replayed r = MustReplay(&fs);
  ExpectSameSamples(r.samples, all);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.segments.size(), names->size());
}

TEST(WalWriterTest, RefusesASeriesLargerThanASegment) {
  InMemoryFileSystem fs;
  std::unique_ptr<WalWriter> w = MustOpen(&fs, {.segment_size = 256});
  const uint64_t before = w->Stats().bytes_written;
  std::vector<SeriesRecord> series = {{1, Labels{{"a", "b"}}}, {2, Labels{{"big", std::string(300, 'x')}}}};
  absl::Status s = w->LogSeries(series);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(w->Stats().bytes_written, before);
  EXPECT_TRUE(w->LogSeries(std::span(series).first(1)).ok());
}

TEST(WalWriterTest, ValidatesOptions) {
  InMemoryFileSystem fs;
  EXPECT_FALSE(WalWriter::Open(&fs, kDir, {.segment_size = 10}).ok());
  EXPECT_FALSE(WalWriter::Open(&fs, kDir, {.segment_size = kMaxSegmentSize + 1}).ok());
  EXPECT_FALSE(
      WalWriter::Open(&fs, kDir, {.sync_policy = SyncPolicy::kInterval, .sync_interval = absl::ZeroDuration()}).ok());
}

TEST(WalWriterTest, EachOpenStartsANewSegmentAfterTheExistingOnes) {
  InMemoryFileSystem fs;
  std::vector<SampleRecord> a = MakeSamples(10, 1000), b = MakeSamples(10, 2000);
  {
    std::unique_ptr<WalWriter> w = MustOpen(&fs);
    ASSERT_TRUE(w->LogSamples(a).ok());
    ASSERT_EQ(*w->Rotate(), 1u);
  }
  ASSERT_TRUE(fs.WriteFileAtomic("/data/wal/00000002.tmp.1.0", "leftover", false).ok());
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  EXPECT_EQ(w->CurrentSegment(), 2u);
  EXPECT_FALSE(fs.Exists("/data/wal/00000002.tmp.1.0"));
  ASSERT_TRUE(w->LogSamples(b).ok());
  a.insert(a.end(), b.begin(), b.end());
  Replayed r = MustReplay(&fs);
  ExpectSameSamples(r.samples, a);
  EXPECT_TRUE(r.result.corruptions.empty());
}

TEST(WalWriterTest, WriteErrorFailsTheCallAndLeavesNothingBehind) {
  InMemoryFileSystem fs;
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  std::vector<SampleRecord> ok1 = MakeSamples(5, 1000), lost = MakeSamples(5, 2000), ok2 = MakeSamples(5, 3000);
  ASSERT_TRUE(w->LogSamples(ok1).ok());
  fs.SetWriteError(absl::ResourceExhaustedError("no space left on device"));
  absl::Status s = w->LogSamples(lost);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("00000000"), std::string_view::npos) << s;
  fs.SetWriteError(absl::OkStatus());
  ASSERT_TRUE(w->LogSamples(ok2).ok());
  EXPECT_EQ(w->Stats().write_errors, 1u);

  ok1.insert(ok1.end(), ok2.begin(), ok2.end());
  Replayed r = MustReplay(&fs);
  ExpectSameSamples(r.samples, ok1);
  EXPECT_TRUE(r.result.corruptions.empty());
}

TEST(WalWriterTest, DiskFullMidWriteTruncatesThePartialFrame) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  std::vector<SampleRecord> ok1 = MakeSamples(5, 1000), lost = MakeSamples(50, 2000), ok2 = MakeSamples(5, 3000);
  ASSERT_TRUE(w->LogSamples(ok1).ok());
  const uint64_t good_size = mem.Stat("/data/wal/00000000")->size;
  fs.FailAppendsAfter(37);
  EXPECT_EQ(w->LogSamples(lost).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(mem.Stat("/data/wal/00000000")->size, good_size);
  fs.FailAppendsAfter(-1);
  ASSERT_TRUE(w->LogSamples(ok2).ok());
  ok1.insert(ok1.end(), ok2.begin(), ok2.end());
  Replayed r = MustReplay(&mem);
  ExpectSameSamples(r.samples, ok1);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.torn_bytes, 0u);
}

TEST(WalWriterTest, PartialFrameThatCannotBeTruncatedIsRetriedAndIgnoredOnReplay) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  std::vector<SampleRecord> ok1 = MakeSamples(5, 1000), lost = MakeSamples(50, 2000), ok2 = MakeSamples(5, 3000);
  ASSERT_TRUE(w->LogSamples(ok1).ok());
  const uint64_t good_size = mem.Stat("/data/wal/00000000")->size;
  // The append writes 37 bytes and fails; the truncation after it fails too.
  fs.FailAppendsAfter(37);
  fs.CrashAfter(1);
  EXPECT_FALSE(w->LogSamples(lost).ok());
  EXPECT_EQ(mem.Stat("/data/wal/00000000")->size, good_size + 37);
  EXPECT_FALSE(w->LogSamples(ok2).ok());  // Refuses to append after the partial frame.

  // Were the process to die now, replay would drop the partial frame as a torn tail.
  Replayed crashed = MustReplay(&mem, {.repair_torn_tail = false});
  ExpectSameSamples(crashed.samples, ok1);
  EXPECT_TRUE(crashed.result.corruptions.empty());
  EXPECT_EQ(crashed.result.torn_bytes, 37u);

  // Once the file system recovers, the next write truncates first.
  fs.CrashAfter(-1);
  fs.FailAppendsAfter(-1);
  ASSERT_TRUE(w->LogSamples(ok2).ok());
  ok1.insert(ok1.end(), ok2.begin(), ok2.end());
  Replayed r = MustReplay(&mem);
  ExpectSameSamples(r.samples, ok1);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.torn_bytes, 0u);
}

TEST(WalWriterTest, SyncPolicyNoneNeverSyncs) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  std::unique_ptr<WalWriter> w = MustOpen(&fs, {.segment_size = 512, .sync_policy = SyncPolicy::kNone});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(w->LogSamples(MakeSamples(10, i)).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_GT(w->Stats().segments_created, 1u);
  EXPECT_EQ(fs.syncs(), 0);
  EXPECT_EQ(w->Stats().fsyncs, 0u);
}

TEST(WalWriterTest, SyncPolicyAlwaysSyncsEveryCall) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  FakeClock clock;
  std::unique_ptr<WalWriter> w = MustOpen(&fs, {.sync_policy = SyncPolicy::kAlways, .clock = &clock});
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(w->LogSamples(MakeSamples(10, i)).ok());
  EXPECT_EQ(fs.syncs(), 7);
  EXPECT_EQ(w->Stats().fsyncs, 7u);
  // Everything acknowledged survives power loss.
  mem.DropUnsyncedData();
  EXPECT_EQ(MustReplay(&mem).samples.size(), 70u);
}

TEST(WalWriterTest, SyncPolicyIntervalSyncsAtMostOncePerInterval) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  FakeClock clock;
  std::unique_ptr<WalWriter> w =
      MustOpen(&fs, {.sync_policy = SyncPolicy::kInterval, .sync_interval = absl::Milliseconds(100), .clock = &clock});
  auto log = [&] { ASSERT_TRUE(w->LogSamples(MakeSamples(3)).ok()); };
  log();
  EXPECT_EQ(fs.syncs(), 0);
  clock.Advance(absl::Milliseconds(60));
  log();
  EXPECT_EQ(fs.syncs(), 0);
  clock.Advance(absl::Milliseconds(40));
  log();
  EXPECT_EQ(fs.syncs(), 1);
  log();
  clock.Advance(absl::Milliseconds(99));
  log();
  EXPECT_EQ(fs.syncs(), 1);
  clock.Advance(absl::Milliseconds(1));
  log();
  EXPECT_EQ(fs.syncs(), 2);
  ASSERT_TRUE(w->Sync().ok());
  EXPECT_EQ(fs.syncs(), 3);
  ASSERT_TRUE(w->Close().ok());  // Close syncs what the interval left.
  EXPECT_EQ(fs.syncs(), 4);
  EXPECT_EQ(w->Stats().fsyncs, 4u);
}

TEST(WalWriterTest, ConcurrentWritersAreAllCommittedInOrderPerThread) {
  InMemoryFileSystem fs;
  std::unique_ptr<WalWriter> w = MustOpen(&fs, {.segment_size = 64 << 10, .sync_policy = SyncPolicy::kAlways});
  constexpr int kThreads = 4, kCalls = 200, kPerCall = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int c = 0; c < kCalls; ++c) {
        std::vector<SampleRecord> batch;
        for (int i = 0; i < kPerCall; ++i) batch.push_back({static_cast<uint64_t>(t), c * kPerCall + i, 1.0 * t});
        ASSERT_TRUE(w->LogSamples(batch).ok());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  WalStats stats = w->Stats();
  EXPECT_EQ(stats.samples_written, uint64_t{kThreads * kCalls * kPerCall});
  EXPECT_LE(stats.commits, uint64_t{kThreads * kCalls});
  EXPECT_EQ(stats.fsyncs, stats.commits + stats.segments_created - 1);  // Plus one per rotation.

  Replayed r = MustReplay(&fs);
  EXPECT_TRUE(r.result.corruptions.empty());
  std::vector<int64_t> next(kThreads, 0);
  for (const SampleRecord& s : r.samples) {
    ASSERT_LT(s.ref, uint64_t{kThreads});
    EXPECT_EQ(s.t, next[s.ref]++) << "thread " << s.ref;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kCalls * kPerCall);
}

TEST(WalWriterTest, ClosedWriterRefusesWrites) {
  InMemoryFileSystem fs;
  std::unique_ptr<WalWriter> w = MustOpen(&fs);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_TRUE(w->Close().ok());
  EXPECT_EQ(w->LogSamples(MakeSamples(1)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Rotate().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(w->LogSamples({}).ok());  // Nothing to write is not an error.
}

TEST(WalWriterTest, FirstSegmentToKeepFollowsSampleTimes) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);  // Renames directories, as checkpoints need.
  {
    // Two segments from an earlier run: max t 100 and 250.
    std::unique_ptr<WalWriter> w = MustOpen(&fs);
    ASSERT_TRUE(w->LogSamples(std::vector<SampleRecord>{{1, 100, 1}}).ok());
    ASSERT_TRUE(w->Rotate().ok());
    ASSERT_TRUE(w->LogSamples(std::vector<SampleRecord>{{1, 250, 1}}).ok());
  }
  std::unique_ptr<WalWriter> w = MustOpen(&fs);  // Segment 2.
  ASSERT_TRUE(w->LogSamples(std::vector<SampleRecord>{{1, 300, 1}, {2, 50, 1}}).ok());
  ASSERT_TRUE(w->Rotate().ok());  // Segment 3.
  ASSERT_TRUE(w->LogSeries(MakeSeries(1)).ok());
  ASSERT_TRUE(w->Rotate().ok());  // Segment 4, current.
  // Segments of the earlier run are unknown, hence kept.
  EXPECT_EQ(w->FirstSegmentToKeep(1000), 0u);
  Replayed r = MustReplay(&fs);
  for (const ReplayedSegment& s : r.result.segments) w->NoteSegmentMaxTime(s.index, s.max_t);
  EXPECT_EQ(w->FirstSegmentToKeep(100), 0u);
  EXPECT_EQ(w->FirstSegmentToKeep(101), 1u);
  EXPECT_EQ(w->FirstSegmentToKeep(251), 2u);
  EXPECT_EQ(w->FirstSegmentToKeep(301), 4u);  // Segment 3 holds only series; 4 is being written.

  ASSERT_TRUE(w->Checkpoint(MakeSeries(1), 2).ok());
  EXPECT_EQ(w->FirstSegmentToKeep(0), 2u);
  EXPECT_EQ(w->Stats().checkpoints, 1u);
  EXPECT_EQ(w->Checkpoint(MakeSeries(1), 5).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::wal
