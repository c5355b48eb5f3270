#include "tsdb/wal/checkpoint.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/fs/in_memory_file_system.h"
#include "gtest/gtest.h"
#include "tsdb/wal/fault_file_system.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/wal_test_util.h"
#include "tsdb/wal/wal_writer.h"

namespace vigil::wal {
namespace {

using testing::ExpectSameSamples;
using testing::ExpectSameSeries;
using testing::MakeSamples;
using testing::MakeSeries;
using testing::ReplayAll;
using testing::Replayed;

constexpr char kDir[] = "/wal";

Replayed MustReplay(FileSystem* fs) {
  absl::StatusOr<Replayed> r = ReplayAll(fs, kDir);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : Replayed();
}

std::set<uint64_t> Refs(const std::vector<SeriesRecord>& series) {
  std::set<uint64_t> out;
  for (const SeriesRecord& s : series) out.insert(s.ref);
  return out;
}

// A WAL as a head leaves it: segment 0 holds series 1..10 and old samples, segment 1 series 11..15 and newer
// samples, segment 2 is being written. Series 6..10 have died since; the live ones are 1..5 and 11..15.
struct Fixture {
  std::vector<SeriesRecord> old_series = MakeSeries(10, 1);
  std::vector<SeriesRecord> new_series = MakeSeries(5, 11);
  std::vector<SampleRecord> old_samples = MakeSamples(30, 1000, 1);
  std::vector<SampleRecord> new_samples = MakeSamples(30, 5000, 11);
  std::vector<SeriesRecord> live;

  explicit Fixture(FileSystem* fs) {
    for (const SeriesRecord& s : old_series) {
      if (s.ref <= 5) live.push_back(s);
    }
    live.insert(live.end(), new_series.begin(), new_series.end());
    auto w = WalWriter::Open(fs, kDir, {.sync_policy = SyncPolicy::kAlways});
    EXPECT_TRUE(w.ok()) << w.status();
    EXPECT_TRUE((*w)->Log(old_series, old_samples).ok());
    EXPECT_TRUE((*w)->Rotate().ok());
    EXPECT_TRUE((*w)->Log(new_series, new_samples).ok());
    EXPECT_TRUE((*w)->Rotate().ok());
  }
};

TEST(CheckpointTest, KeepsLiveSeriesAndDropsOldSegments) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  Fixture f(&fs);
  CheckpointStats stats;
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, f.live, 1, kDefaultSegmentSize, &stats).ok());
  EXPECT_TRUE(stats.written);
  EXPECT_EQ(stats.series, 10u);
  EXPECT_EQ(stats.segments_deleted, 1u);
  EXPECT_FALSE(mem.Exists("/wal/00000000"));
  EXPECT_TRUE(mem.Exists("/wal/checkpoint.00000001/00000000"));
  EXPECT_FALSE(mem.Exists("/wal/checkpoint.00000001.tmp"));

  Replayed r = MustReplay(&mem);
  EXPECT_EQ(r.result.checkpoint, 1u);
  EXPECT_TRUE(r.result.corruptions.empty());
  // The checkpoint's series first, then segment 1's (again: a repeated ref is harmless).
  std::vector<SeriesRecord> want = f.live;
  want.insert(want.end(), f.new_series.begin(), f.new_series.end());
  ExpectSameSeries(r.series, want);
  ExpectSameSamples(r.samples, f.new_samples);
  ASSERT_EQ(r.result.segments.size(), 2u);
  EXPECT_EQ(r.result.segments[0].index, 1u);

  // Again with the same number: the existing checkpoint is kept.
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, {}, 1, kDefaultSegmentSize, &stats).ok());
  EXPECT_FALSE(stats.written);
  ExpectSameSeries(MustReplay(&mem).series, want);

  // A later one replaces it; an earlier one is refused.
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, f.new_series, 2, kDefaultSegmentSize, &stats).ok());
  EXPECT_EQ(stats.checkpoints_deleted, 1u);
  EXPECT_FALSE(mem.Exists("/wal/checkpoint.00000001"));
  EXPECT_EQ(WriteCheckpoint(&fs, kDir, {}, 1, kDefaultSegmentSize).code(), absl::StatusCode::kFailedPrecondition);
  Replayed r2 = MustReplay(&mem);
  ExpectSameSeries(r2.series, f.new_series);
  EXPECT_TRUE(r2.samples.empty());
}

TEST(CheckpointTest, LargeCheckpointSpansSeveralFiles) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  std::vector<SeriesRecord> series = MakeSeries(500);
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, series, 0, 1024).ok());
  EXPECT_GT(mem.ListDir("/wal/checkpoint.00000000")->size(), 10u);
  Replayed r = MustReplay(&mem);
  EXPECT_TRUE(r.result.corruptions.empty());
  ExpectSameSeries(r.series, series);
}

// Stops the checkpoint after every possible number of file system operations, as a crash would, then checks
// that the WAL replays cleanly with every live series and every sample of the kept segments, also after a
// power loss; and that a new checkpoint then completes.
TEST(CheckpointTest, CrashAtEveryStepLeavesAReplayableWal) {
  bool completed = false;
  int64_t ops = 0;
  for (; !completed; ++ops) {
    ASSERT_LT(ops, 100) << "the checkpoint never completed";
    SCOPED_TRACE("crash after " + std::to_string(ops) + " operations");
    InMemoryFileSystem mem;
    FaultFileSystem fs(&mem);
    Fixture f(&fs);
    fs.CrashAfter(ops);
    absl::Status s = WriteCheckpoint(&fs, kDir, f.live, 1, kDefaultSegmentSize);
    completed = s.ok();
    EXPECT_EQ(completed, !fs.crashed()) << s;

    for (bool power_loss : {false, true}) {
      if (power_loss) mem.DropUnsyncedData();
      Replayed r = MustReplay(&mem);
      EXPECT_TRUE(r.result.corruptions.empty()) << r.result.corruptions[0].ToString();
      EXPECT_EQ(r.result.torn_bytes, 0u);
      std::set<uint64_t> refs = Refs(r.series);
      for (const SeriesRecord& s : f.live) EXPECT_TRUE(refs.count(s.ref)) << "lost series " << s.ref;
      // Either the old state (everything) or the new one (segment 1 on).
      if (r.result.checkpoint.has_value()) {
        ExpectSameSamples(r.samples, f.new_samples);
      } else {
        std::vector<SampleRecord> all = f.old_samples;
        all.insert(all.end(), f.new_samples.begin(), f.new_samples.end());
        ExpectSameSamples(r.samples, all);
      }
    }
    // After the "restart" the next checkpoint finishes the job.
    fs.CrashAfter(-1);
    ASSERT_TRUE(WriteCheckpoint(&fs, kDir, f.live, 1, kDefaultSegmentSize).ok());
    EXPECT_EQ(*mem.ListDir(kDir), (std::vector<std::string>{"00000001", "00000002", "checkpoint.00000001"}));
    Replayed r = MustReplay(&mem);
    EXPECT_TRUE(r.result.corruptions.empty());
    ExpectSameSamples(r.samples, f.new_samples);
  }
  // mkdir, create + append + sync + close, dir sync, rename, dir sync, remove, dir sync: every step was cut.
  EXPECT_GE(ops, 9);
}

TEST(CheckpointTest, WriteErrorLeavesNoTemporaryDirectoryAndNoDamage) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  Fixture f(&fs);
  fs.FailAppendsAfter(100);
  absl::Status s = WriteCheckpoint(&fs, kDir, MakeSeries(1000), 1, kDefaultSegmentSize);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("checkpoint.00000001"), std::string_view::npos) << s;
  EXPECT_FALSE(mem.Exists("/wal/checkpoint.00000001.tmp"));
  EXPECT_TRUE(mem.Exists("/wal/00000000"));
  Replayed r = MustReplay(&mem);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.samples.size(), 60u);
}

TEST(CheckpointTest, LeftoverTemporaryDirectoryIsIgnoredThenRemoved) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  Fixture f(&fs);
  ASSERT_TRUE(mem.CreateDirs("/wal/checkpoint.00000001.tmp").ok());
  ASSERT_TRUE(mem.WriteFileAtomic("/wal/checkpoint.00000001.tmp/00000000", "garbage", false).ok());
  Replayed before = MustReplay(&mem);
  EXPECT_FALSE(before.result.checkpoint.has_value());
  EXPECT_TRUE(before.result.corruptions.empty());
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, f.live, 1, kDefaultSegmentSize).ok());
  EXPECT_FALSE(mem.Exists("/wal/checkpoint.00000001.tmp"));
  Replayed after = MustReplay(&mem);
  EXPECT_TRUE(after.result.corruptions.empty());
  EXPECT_EQ(after.result.checkpoint, 1u);
}

TEST(CheckpointTest, CorruptCheckpointIsReported) {
  InMemoryFileSystem mem;
  FaultFileSystem fs(&mem);
  Fixture f(&fs);
  ASSERT_TRUE(WriteCheckpoint(&fs, kDir, f.live, 1, kDefaultSegmentSize).ok());
  const std::string file = "/wal/checkpoint.00000001/00000000";
  std::string bytes = *mem.ReadFile(file);
  ASSERT_TRUE(mem.WriteFileAtomic(file, bytes.substr(0, bytes.size() - 1), true).ok());
  Replayed r = MustReplay(&mem);
  ASSERT_EQ(r.result.corruptions.size(), 1u);  // Not a torn tail: checkpoints are synced before the rename.
  EXPECT_EQ(r.result.corruptions[0].file, "checkpoint.00000001/00000000");
  ExpectSameSamples(r.samples, f.new_samples);
}

}  // namespace
}  // namespace vigil::wal
