#include "exporters/queue/disk_queue.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/fs/in_memory_file_system.h"
#include "base/metrics/metric.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::queue {
namespace {

using ::testing::ElementsAre;

constexpr char kDir[] = "/q";

class DiskQueueTest : public ::testing::Test {
 protected:
  DiskQueueOptions Options(SyncPolicy policy = SyncPolicy::kNone) {
    DiskQueueOptions o;
    o.sync_policy = policy;
    o.clock = &clock_;
    o.metrics = {&records_, &bytes_, &items_, &dropped_records_, &dropped_bytes_, &dropped_items_, &corrupt_};
    return o;
  }

  std::unique_ptr<DiskQueue> Open(DiskQueueOptions o) {
    absl::StatusOr<std::unique_ptr<DiskQueue>> q = DiskQueue::Open(&fs_, kDir, std::move(o));
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? std::move(*q) : nullptr;
  }
  std::unique_ptr<DiskQueue> Open() { return Open(Options()); }

  // Peeks and acknowledges everything, returning the records' data in order.
  static std::vector<std::string> Drain(DiskQueue* q) {
    std::vector<std::string> out;
    QueueRecord rec;
    for (;;) {
      absl::StatusOr<bool> got = q->Peek(&rec);
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || !*got) return out;
      out.push_back(rec.data);
      EXPECT_TRUE(q->Ack(rec.id).ok());
    }
  }

  // Everything in the queue, oldest first, without acknowledging: a second instance opened on the same files
  // sees what a restart after kill -9 would see.
  std::vector<std::string> ContentsAfterRestart(DiskQueueOptions o) {
    std::unique_ptr<DiskQueue> q = Open(std::move(o));
    if (q == nullptr) return {};
    last_restart_stats_ = q->stats();
    return Drain(q.get());
  }

  std::string OnlySegmentPath() {
    absl::StatusOr<std::vector<std::string>> names = fs_.ListDir(kDir);
    std::vector<std::string> segments;
    for (const std::string& n : *names) {
      if (ParseSegmentName(n)) segments.push_back(n);
    }
    EXPECT_EQ(segments.size(), 1u);
    return segments.empty() ? "" : absl::StrCat(kDir, "/", segments[0]);
  }

  InMemoryFileSystem fs_;
  FakeClock clock_;
  metrics::Gauge records_, bytes_, items_;
  metrics::Counter dropped_records_, dropped_bytes_, dropped_items_, corrupt_;
  DiskQueueStats last_restart_stats_;
};

TEST_F(DiskQueueTest, DeliversInOrderAndPeekDoesNotRemove) {
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_TRUE(q->Append("one", 1).ok());
  ASSERT_TRUE(q->Append("two", 2).ok());
  ASSERT_TRUE(q->Append("three", 3).ok());
  EXPECT_EQ(records_.Value(), 3);
  EXPECT_EQ(bytes_.Value(), 11);
  EXPECT_EQ(items_.Value(), 6);

  QueueRecord a, b;
  ASSERT_TRUE(*q->Peek(&a));
  ASSERT_TRUE(*q->Peek(&b));
  EXPECT_EQ(a.data, "one");
  EXPECT_EQ(b.data, "one");
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.items, 1u);
  EXPECT_THAT(Drain(q.get()), ElementsAre("one", "two", "three"));
  EXPECT_EQ(records_.Value(), 0);
  EXPECT_EQ(q->stats().acked_records, 3u);
  QueueRecord none;
  EXPECT_FALSE(*q->Peek(&none));
}

TEST_F(DiskQueueTest, ForEachVisitsPendingRecordsWithoutRemovingThemAlsoAfterRestart) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    ASSERT_TRUE(q->Append("one", 1).ok());
    ASSERT_TRUE(q->Append("two", 2).ok());
    ASSERT_TRUE(q->Append("three", 3).ok());
    QueueRecord first;
    ASSERT_TRUE(*q->Peek(&first));
    ASSERT_TRUE(q->Ack(first.id).ok());
    ASSERT_TRUE(q->Close().ok());
  }
  std::unique_ptr<DiskQueue> q = Open();
  std::vector<std::pair<std::string, uint32_t>> seen;
  ASSERT_TRUE(q->ForEach([&](const QueueRecord& r) { seen.emplace_back(r.data, r.items); }).ok());
  EXPECT_THAT(seen,
              ElementsAre(std::pair<std::string, uint32_t>("two", 2), std::pair<std::string, uint32_t>("three", 3)));
  EXPECT_EQ(q->stats().records, 2u);
  EXPECT_THAT(Drain(q.get()), ElementsAre("two", "three"));
}

TEST_F(DiskQueueTest, AckMustBeInOrderAndIsIdempotent) {
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_TRUE(q->Append("a").ok());
  ASSERT_TRUE(q->Append("b").ok());
  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  EXPECT_EQ(q->Ack(rec.id + 1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(q->Ack(rec.id).ok());
  EXPECT_TRUE(q->Ack(rec.id).ok());  // Already gone: a no-op.
  EXPECT_EQ(q->stats().records, 1u);
}

TEST_F(DiskQueueTest, RejectsEmptyAndOversizedRecords) {
  DiskQueueOptions o = Options();
  o.max_bytes = 10;
  std::unique_ptr<DiskQueue> q = Open(o);
  EXPECT_EQ(q->Append("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(q->Append(std::string(11, 'x')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(q->Append(std::string(10, 'x')).ok());
}

TEST_F(DiskQueueTest, RejectsBadOptions) {
  DiskQueueOptions o = Options();
  o.max_bytes = 0;
  EXPECT_EQ(DiskQueue::Open(&fs_, kDir, o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.segment_bytes = 10;
  EXPECT_EQ(DiskQueue::Open(&fs_, kDir, o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DiskQueueTest, DropsTheOldestBeyondTheBoundAndCountsThem) {
  DiskQueueOptions o = Options();
  o.max_bytes = 100;
  std::unique_ptr<DiskQueue> q = Open(o);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q->Append(std::string(40, static_cast<char>('a' + i)), 5).ok());
  DiskQueueStats s = q->stats();
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.bytes, 80u);
  EXPECT_EQ(s.dropped_records, 2u);
  EXPECT_EQ(s.dropped_bytes, 80u);
  EXPECT_EQ(s.dropped_items, 10u);
  EXPECT_EQ(dropped_records_.Value(), 2);
  EXPECT_EQ(dropped_bytes_.Value(), 80);
  EXPECT_EQ(dropped_items_.Value(), 10);
  EXPECT_EQ(records_.Value(), 2);
  // The drops are persisted: a restart does not bring them back.
  EXPECT_THAT(ContentsAfterRestart(o), ElementsAre(std::string(40, 'c'), std::string(40, 'd')));
}

TEST_F(DiskQueueTest, DropOfARecordBeingSentMakesItsAckANoOp) {
  DiskQueueOptions o = Options();
  o.max_bytes = 10;
  std::unique_ptr<DiskQueue> q = Open(o);
  ASSERT_TRUE(q->Append("0123456789").ok());
  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  ASSERT_TRUE(q->Append("abcdefghij").ok());  // Drops the record being "sent".
  EXPECT_TRUE(q->Ack(rec.id).ok());
  EXPECT_THAT(Drain(q.get()), ElementsAre("abcdefghij"));
}

TEST_F(DiskQueueTest, RestartRedeliversUnacknowledgedRecordsOnly) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    for (const char* r : {"r1", "r2", "r3", "r4"}) ASSERT_TRUE(q->Append(r).ok());
    QueueRecord rec;
    ASSERT_TRUE(*q->Peek(&rec));
    ASSERT_TRUE(q->Ack(rec.id).ok());
    ASSERT_TRUE(*q->Peek(&rec));  // r2 peeked, not acknowledged: it must come back.
    // A second instance sees what a restart after kill -9 at this point would.
    std::unique_ptr<DiskQueue> after_crash = Open();
    EXPECT_EQ(after_crash->stats().records, 3u);
  }
  std::unique_ptr<DiskQueue> q = Open();
  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  EXPECT_EQ(rec.data, "r2");
  ASSERT_TRUE(q->Ack(rec.id).ok());
  q.reset();
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("r3", "r4"));
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre());
}

TEST_F(DiskQueueTest, RollsSegmentsAndRemovesConsumedOnes) {
  DiskQueueOptions o = Options();
  o.segment_bytes = 100;
  std::unique_ptr<DiskQueue> q = Open(o);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q->Append(absl::StrCat("record-", i, std::string(30, '.'))).ok());
  EXPECT_GE(q->stats().segments, 5u);
  std::vector<std::string> got = Drain(q.get());
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[9].substr(0, 8), "record-9");
  EXPECT_EQ(q->stats().segments, 1u);  // Only the one being appended to.
  absl::StatusOr<std::vector<std::string>> names = fs_.ListDir(kDir);
  int segments = 0;
  for (const std::string& n : *names) segments += ParseSegmentName(n).has_value();
  EXPECT_EQ(segments, 1);
  q.reset();
  EXPECT_THAT(ContentsAfterRestart(o), ElementsAre());
}

TEST_F(DiskQueueTest, RecordLargerThanASegmentGetsItsOwn) {
  DiskQueueOptions o = Options();
  o.segment_bytes = 64;
  std::unique_ptr<DiskQueue> q = Open(o);
  ASSERT_TRUE(q->Append(std::string(500, 'L')).ok());
  ASSERT_TRUE(q->Append("small").ok());
  q.reset();
  EXPECT_THAT(ContentsAfterRestart(o), ElementsAre(std::string(500, 'L'), "small"));
}

TEST_F(DiskQueueTest, TornTailIsTruncatedOnOpen) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    for (const char* r : {"first", "second", "third"}) ASSERT_TRUE(q->Append(r).ok());
  }
  const std::string path = OnlySegmentPath();
  const uint64_t size = fs_.Stat(path)->size;
  // A frame whose write was cut short: 10 bytes of its header.
  std::string frame;
  AppendFrame("fourth", 1, &frame);
  {
    std::unique_ptr<WritableFile> f = *fs_.OpenAppendable(path);
    ASSERT_TRUE(f->Append(frame.substr(0, 10)).ok());
  }
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("first", "second", "third"));
  EXPECT_EQ(last_restart_stats_.truncated_bytes, 10u);
  EXPECT_EQ(last_restart_stats_.corrupt_regions, 0u);
  EXPECT_FALSE(fs_.Exists(path));  // Wholly consumed by the drain, so removed; before that it was cut back.
  EXPECT_GT(size, kSegmentHeaderSize);
}

TEST_F(DiskQueueTest, TornLastRecordIsLostButNothingBefore) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    for (const char* r : {"first", "second", "third"}) ASSERT_TRUE(q->Append(r).ok());
  }
  const std::string path = OnlySegmentPath();
  ASSERT_TRUE(fs_.Truncate(path, fs_.Stat(path)->size - 2).ok());
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("first", "second"));
  EXPECT_EQ(last_restart_stats_.truncated_bytes, kFrameHeaderSize + 3);
}

TEST_F(DiskQueueTest, CorruptionInTheMiddleIsSkippedAndCounted) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    for (const char* r : {"first", "second", "third"}) ASSERT_TRUE(q->Append(r).ok());
  }
  const std::string path = OnlySegmentPath();
  std::string bytes = *fs_.ReadFile(path);
  const size_t second_payload = kSegmentHeaderSize + kFrameHeaderSize + 5 + kFrameHeaderSize;
  bytes[second_payload + 2] ^= 0x01;
  ASSERT_TRUE(fs_.WriteFileAtomic(path, bytes, true).ok());
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("first", "third"));
  EXPECT_EQ(last_restart_stats_.corrupt_regions, 1u);
  EXPECT_EQ(last_restart_stats_.corrupt_bytes, kFrameHeaderSize + 6);
  EXPECT_EQ(corrupt_.Value(), 1);
}

TEST_F(DiskQueueTest, SegmentWithGarbageHeaderIsRemovedAndCounted) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    ASSERT_TRUE(q->Append("lost").ok());
  }
  const std::string path = OnlySegmentPath();
  ASSERT_TRUE(fs_.WriteFileAtomic(path, "garbage that is no segment", true).ok());
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre());
  EXPECT_EQ(last_restart_stats_.corrupt_regions, 1u);
  EXPECT_FALSE(fs_.Exists(path));
}

TEST_F(DiskQueueTest, PowerLossKeepsWhatAlwaysSynced) {
  std::unique_ptr<DiskQueue> q = Open(Options(SyncPolicy::kAlways));
  for (const char* r : {"r1", "r2", "r3"}) ASSERT_TRUE(q->Append(r).ok());
  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  ASSERT_TRUE(q->Ack(rec.id).ok());
  fs_.DropUnsyncedData();
  EXPECT_THAT(ContentsAfterRestart(Options(SyncPolicy::kAlways)), ElementsAre("r2", "r3"));
}

TEST_F(DiskQueueTest, PowerLossWithoutSyncLosesOnlyUnsyncedRecords) {
  std::unique_ptr<DiskQueue> q = Open(Options(SyncPolicy::kNone));
  for (const char* r : {"r1", "r2"}) ASSERT_TRUE(q->Append(r).ok());
  fs_.DropUnsyncedData();
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre());
  EXPECT_EQ(last_restart_stats_.corrupt_regions, 0u);  // A lost header is a torn write, not corruption.
}

TEST_F(DiskQueueTest, IntervalPolicySyncsOncePerInterval) {
  std::unique_ptr<DiskQueue> q = Open(Options(SyncPolicy::kInterval));
  ASSERT_TRUE(q->Append("r1").ok());  // Within the first interval: not synced yet.
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(q->Append("r2").ok());  // Due: syncs r1 and r2.
  ASSERT_TRUE(q->Append("r3").ok());  // Not due again.
  fs_.DropUnsyncedData();
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("r1", "r2"));
}

TEST_F(DiskQueueTest, ExplicitSyncMakesEverythingDurable) {
  std::unique_ptr<DiskQueue> q = Open(Options(SyncPolicy::kNone));
  for (const char* r : {"r1", "r2"}) ASSERT_TRUE(q->Append(r).ok());
  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  ASSERT_TRUE(q->Ack(rec.id).ok());
  ASSERT_TRUE(q->Sync().ok());
  fs_.DropUnsyncedData();
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("r2"));
}

TEST_F(DiskQueueTest, FailedWriteQueuesNothingAndLaterAppendsWork) {
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_TRUE(q->Append("before").ok());
  fs_.SetWriteError(absl::ResourceExhaustedError("no space left on device"));
  EXPECT_EQ(q->Append("during").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(q->stats().records, 1u);
  fs_.SetWriteError(absl::OkStatus());
  ASSERT_TRUE(q->Append("after").ok());
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("before", "after"));
}

TEST_F(DiskQueueTest, AckLogIsCompactedAndStillCorrect) {
  std::unique_ptr<DiskQueue> q = Open();
  constexpr int kRecords = 5000;  // Acknowledgements beyond the log's compaction size.
  for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(q->Append(absl::StrCat("r", i)).ok());
  QueueRecord rec;
  for (int i = 0; i < kRecords - 1; ++i) {
    ASSERT_TRUE(*q->Peek(&rec));
    ASSERT_TRUE(q->Ack(rec.id).ok());
  }
  EXPECT_LE(fs_.Stat(JoinPath(kDir, kAckLogName))->size, 64u << 10);
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre(absl::StrCat("r", kRecords - 1)));
}

TEST_F(DiskQueueTest, BoundIsAppliedToWhatOpenFinds) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    for (const char* r : {"aaaa", "bbbb", "cccc"}) ASSERT_TRUE(q->Append(r).ok());
  }
  DiskQueueOptions o = Options();
  o.max_bytes = 8;
  EXPECT_THAT(ContentsAfterRestart(o), ElementsAre("bbbb", "cccc"));
  EXPECT_EQ(last_restart_stats_.dropped_records, 1u);
}

TEST_F(DiskQueueTest, WaitForRecordWakesOnAppendAndOnShutdown) {
  std::unique_ptr<DiskQueue> q = Open();
  bool got = false;
  std::thread consumer([&] { got = q->WaitForRecord(); });
  ASSERT_TRUE(q->Append("x").ok());
  consumer.join();
  EXPECT_TRUE(got);

  QueueRecord rec;
  ASSERT_TRUE(*q->Peek(&rec));
  ASSERT_TRUE(q->Ack(rec.id).ok());
  EXPECT_TRUE(q->WaitUntilEmpty());
  bool woke = true;
  std::thread waiter([&] { woke = q->WaitForRecord(); });
  q->Shutdown();
  waiter.join();
  EXPECT_FALSE(woke);
  EXPECT_FALSE(q->WaitForRecord());
}

TEST_F(DiskQueueTest, ProducerAndConsumerThreads) {
  DiskQueueOptions o = Options();
  o.segment_bytes = 4096;  // Many segment rolls and removals while both run.
  std::unique_ptr<DiskQueue> q = Open(o);
  constexpr int kRecords = 3000;
  std::thread producer([&] {
    for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(q->Append(absl::StrCat("record ", i)).ok());
  });
  std::vector<std::string> got;
  QueueRecord rec;
  while (static_cast<int>(got.size()) < kRecords && q->WaitForRecord()) {
    absl::StatusOr<bool> ok = q->Peek(&rec);
    ASSERT_TRUE(ok.ok() && *ok);
    got.push_back(rec.data);
    ASSERT_TRUE(q->Ack(rec.id).ok());
  }
  producer.join();
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) ASSERT_EQ(got[i], absl::StrCat("record ", i));
  EXPECT_EQ(q->stats().segments, 1u);
}

TEST_F(DiskQueueTest, AppendAfterCloseFails) {
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_TRUE(q->Append("kept").ok());
  ASSERT_TRUE(q->Close().ok());
  EXPECT_EQ(q->Append("late").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(q->Close().ok());
  EXPECT_THAT(ContentsAfterRestart(Options()), ElementsAre("kept"));
}

}  // namespace
}  // namespace vigil::queue
