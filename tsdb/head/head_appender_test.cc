#include "tsdb/head/head_appender.h"

#include <cmath>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/head/head.h"
#include "tsdb/head/head_test_util.h"

namespace vigil::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::M;
using testing::Query;
using testing::RecordingCommitLog;
using ::testing::SizeIs;
using testing::TestOptions;

const Labels kUp = {{"__name__", "up"}, {"job", "node"}};
const Labels kCpu = {{"__name__", "cpu"}, {"job", "node"}, {"mode", "idle"}};

std::vector<Matcher> All() { return {M(MatchType::kRegexMatch, "__name__", ".+")}; }

std::vector<TimestampMs> Times(const std::vector<Sample>& samples) {
  std::vector<TimestampMs> out;
  for (const Sample& s : samples) out.push_back(s.t);
  return out;
}

class HeadAppenderTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(TestOptions()); }

  void Make(HeadOptions opts) {
    opts.commit_log = &log_;
    absl::StatusOr<std::unique_ptr<Head>> h = Head::Create(opts);
    ASSERT_TRUE(h.ok()) << h.status();
    head_ = *std::move(h);
  }

  // Appends one sample in its own commit.
  absl::Status AppendOne(const Labels& labels, TimestampMs t, double v) {
    auto app = head_->NewAppender();
    absl::StatusOr<SeriesRef> ref = app->Append(0, labels, t, v);
    if (!ref.ok()) return ref.status();
    return app->Commit();
  }

  RecordingCommitLog log_;
  std::unique_ptr<Head> head_;
};

TEST_F(HeadAppenderTest, NothingVisibleUntilCommit) {
  auto app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, kUp, 10, 1).ok());
  ASSERT_TRUE(app->Append(0, kUp, 20, 2).ok());
  EXPECT_THAT(Query(*head_, All()), IsEmpty());
  EXPECT_EQ(head_->MinTime(), kMaxTimestampMs);
  EXPECT_EQ(log_.calls(), 0);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(*head_, All());
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(Times(got[kUp]), ElementsAre(10, 20));
  EXPECT_EQ(head_->MinTime(), 10);
  EXPECT_EQ(head_->MaxTime(), 20);
  EXPECT_EQ(head_->Stats().samples_appended, 2u);
  // The appender is reusable.
  ASSERT_TRUE(app->Append(0, kUp, 30, 3).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Times(Query(*head_, All())[kUp]), ElementsAre(10, 20, 30));
}

TEST_F(HeadAppenderTest, RollbackDiscards) {
  ASSERT_TRUE(AppendOne(kUp, 10, 1).ok());
  {
    auto app = head_->NewAppender();
    ASSERT_TRUE(app->Append(0, kUp, 20, 2).ok());
    ASSERT_TRUE(app->Append(0, kCpu, 20, 2).ok());
    app->Rollback();
    ASSERT_TRUE(app->Commit().ok());  // nothing left to commit
    ASSERT_TRUE(app->Append(0, kUp, 30, 3).ok());
  }  // destroyed uncommitted: rolled back
  auto got = Query(*head_, All());
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(Times(got[kUp]), ElementsAre(10));
  // A rolled-back timestamp is free again.
  ASSERT_TRUE(AppendOne(kUp, 20, 5).ok());
}

TEST_F(HeadAppenderTest, CommitLogSeesNewSeriesOnceAndSamplesInOrder) {
  auto app = head_->NewAppender();
  absl::StatusOr<SeriesRef> up = app->Append(0, kUp, 10, 1);
  absl::StatusOr<SeriesRef> cpu = app->Append(0, kCpu, 10, 2);
  ASSERT_TRUE(up.ok() && cpu.ok());
  EXPECT_NE(*up, *cpu);
  EXPECT_EQ(*app->Append(*up, Labels(), 20, 3), *up);  // by ref, no labels
  EXPECT_EQ(*app->Append(0, kUp, 30, 4), *up);         // by labels again
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(*cpu, kCpu, 40, 5).ok());
  ASSERT_TRUE(app->Commit().ok());
  const std::vector<RefSeries> series = log_.series();
  ASSERT_THAT(series, SizeIs(2));
  EXPECT_EQ(series[0].ref, *up);
  EXPECT_EQ(series[0].labels, kUp);
  EXPECT_EQ(series[1].labels, kCpu);
  const std::vector<RefSample> samples = log_.samples();
  ASSERT_THAT(samples, SizeIs(5));
  EXPECT_EQ(samples[2].ref, *up);
  EXPECT_EQ(samples[2].t, 20);
  EXPECT_EQ(samples[4].ref, *cpu);
  EXPECT_EQ(log_.calls(), 2);
}

TEST_F(HeadAppenderTest, CommitLogFailureMakesNothingVisible) {
  ASSERT_TRUE(AppendOne(kUp, 10, 1).ok());
  log_.SetFailure(absl::UnavailableError("disk full"));
  auto app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, kUp, 20, 2).ok());
  ASSERT_TRUE(app->Append(0, kCpu, 20, 2).ok());
  absl::Status s = app->Commit();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("disk full"));
  EXPECT_THAT(s.message(), HasSubstr("head commit of 2 samples"));
  auto got = Query(*head_, All());
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(Times(got[kUp]), ElementsAre(10));
  EXPECT_EQ(head_->MaxTime(), 10);
  EXPECT_EQ(head_->Stats().commit_failures, 1u);
  auto q = *head_->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  EXPECT_THAT(*q->LabelValues("__name__", {}), ElementsAre("up"));

  // Once the log works again, the series that failed to log is logged by the next commit that uses it.
  log_.SetFailure(absl::OkStatus());
  ASSERT_TRUE(app->Append(0, kCpu, 20, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  const std::vector<RefSeries> series = log_.series();
  ASSERT_THAT(series, SizeIs(2));
  EXPECT_EQ(series[1].labels, kCpu);
  EXPECT_THAT(Query(*head_, All()), SizeIs(2));
}

TEST_F(HeadAppenderTest, RejectReasonsAndMessages) {
  HeadOptions o = TestOptions();
  o.max_series = 2;
  o.max_labels_per_series = 3;
  o.max_label_name_length = 10;
  o.max_label_value_length = 12;
  Make(o);
  auto app = head_->NewAppender();
  auto reject = [&](SeriesRef ref, const Labels& l, TimestampMs t, double v, RejectReason want,
                    const std::string& text) {
    absl::StatusOr<SeriesRef> r = app->Append(ref, l, t, v);
    ASSERT_FALSE(r.ok()) << l.ToString() << " " << t;
    EXPECT_EQ(GetRejectReason(r.status()), want) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(text));
  };
  reject(0, Labels(), 1, 1, RejectReason::kInvalidLabels, "empty label set");
  reject(0, {{"job", "x"}}, 1, 1, RejectReason::kInvalidLabels, "series {job=\"x\"} has no __name__ label");
  reject(0, {{"__name__", "1up"}}, 1, 1, RejectReason::kInvalidLabels, "invalid metric name \"1up\"");
  reject(0, {{"__name__", "up"}, {"bad-name", "x"}}, 1, 1, RejectReason::kInvalidLabels, "invalid label name");
  reject(0, {{"__name__", "up"}, {"a", "1"}, {"b", "2"}, {"c", "3"}}, 1, 1, RejectReason::kLabelLimit,
         "has 4 labels, more than the limit of 3");
  reject(0, {{"__name__", "up"}, {"very_long_name", "1"}}, 1, 1, RejectReason::kLabelLimit,
         "label name \"very_long_name\" is 14 bytes long, more than the limit of 10");
  reject(0, {{"__name__", "up"}, {"a", "0123456789abc"}}, 1, 1, RejectReason::kLabelLimit,
         "value of label a (\"0123456789abc\") is 13 bytes long, more than the limit of 12");

  ASSERT_TRUE(app->Append(0, kUp, 100, 1).ok());
  ASSERT_TRUE(app->Append(0, kCpu, 100, 1).ok());
  reject(0, {{"__name__", "third"}}, 100, 1, RejectReason::kSeriesLimit,
         "the head holds 2 series, the limit (max_series); series {__name__=\"third\"} not created");

  // Against this batch's pending samples ...
  reject(0, kUp, 100, 2, RejectReason::kDuplicate,
         "duplicate sample for timestamp 100: value 2 differs from the stored value 1 of series "
         "{__name__=\"up\", job=\"node\"}");
  EXPECT_TRUE(app->Append(0, kUp, 100, 1).ok());  // same value: accepted silently
  reject(0, kUp, 99, 1, RejectReason::kOutOfOrder,
         "out of order sample: timestamp 99 is older than the newest sample (100) of series "
         "{__name__=\"up\", job=\"node\"} by more than the out-of-order window of 0 ms");
  ASSERT_TRUE(app->Commit().ok());
  // ... and against committed ones.
  reject(0, kUp, 100, 0.5, RejectReason::kDuplicate, "duplicate sample for timestamp 100: value 0.5 differs");
  reject(0, kCpu, 50, 1, RejectReason::kOutOfOrder, "out of order sample: timestamp 50");
  head_->SetMinValidTime(1000);
  reject(0, kUp, 999, 1, RejectReason::kOutOfBounds,
         "out of bounds: timestamp 999 is before the head's minimum valid time 1000");
  EXPECT_EQ(RejectReasonName(GetRejectReason(app->Append(0, kUp, 5, 1).status())), "out_of_bounds");
  // The appender stays usable after refusals.
  ASSERT_TRUE(app->Append(0, kUp, 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Times(Query(*head_, All())[kUp]), ElementsAre(100, 1000));
  // Refused series were never created.
  EXPECT_EQ(head_->NumSeries(), 2u);
}

TEST_F(HeadAppenderTest, RefsAndStaleRefs) {
  auto app = head_->NewAppender();
  const SeriesRef up = *app->Append(0, kUp, 10, 1);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(*app->Append(up, kUp, 20, 1), up);
  // A ref whose series does not carry these labels: the labels decide.
  const SeriesRef cpu = *app->Append(up, kCpu, 20, 1);
  EXPECT_NE(cpu, up);
  absl::StatusOr<SeriesRef> unknown = app->Append(12345, Labels(), 20, 1);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown series ref 12345"));
  EXPECT_EQ(*app->Append(12345, kUp, 30, 1), up);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(*head_, All());
  EXPECT_THAT(Times(got[kUp]), ElementsAre(10, 20, 30));
  EXPECT_THAT(Times(got[kCpu]), ElementsAre(20));
}

TEST_F(HeadAppenderTest, OutOfOrderWindow) {
  HeadOptions o = TestOptions();
  o.out_of_order_window_ms = 100;
  Make(o);
  ASSERT_TRUE(AppendOne(kUp, 1000, 1).ok());
  auto app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, kUp, 950, 2).ok());
  ASSERT_TRUE(app->Append(0, kUp, 900, 3).ok());  // exactly at the window's edge
  absl::StatusOr<SeriesRef> too_old = app->Append(0, kUp, 899, 4);
  EXPECT_EQ(GetRejectReason(too_old.status()), RejectReason::kOutOfOrder);
  EXPECT_THAT(too_old.status().message(), HasSubstr("out-of-order window of 100 ms"));
  EXPECT_TRUE(app->Append(0, kUp, 950, 2).ok());  // pending duplicate, same value
  EXPECT_EQ(GetRejectReason(app->Append(0, kUp, 950, 9).status()), RejectReason::kDuplicate);
  EXPECT_EQ(GetRejectReason(app->Append(0, kUp, 1000, 9).status()), RejectReason::kDuplicate);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(GetRejectReason(AppendOne(kUp, 950, 7)), RejectReason::kDuplicate);
  EXPECT_TRUE(AppendOne(kUp, 950, 2).ok());
  auto got = Query(*head_, All());
  EXPECT_THAT(Times(got[kUp]), ElementsAre(900, 950, 1000));
  EXPECT_EQ(head_->MinTime(), 900);
  EXPECT_EQ(head_->Stats().out_of_order_appended, 2u);
  // Many out-of-order samples are cut into chunks and still read back merged.
  ASSERT_TRUE(AppendOne(kUp, 1100, 1).ok());
  for (TimestampMs t = 1001; t < 1100; t += 7) ASSERT_TRUE(AppendOne(kUp, t, 1).ok()) << t;
  EXPECT_THAT(Query(*head_, All())[kUp], SizeIs(4 + 15));
}

TEST_F(HeadAppenderTest, ConcurrentCommitMakesPendingSampleStale) {
  auto a = head_->NewAppender();
  auto b = head_->NewAppender();
  ASSERT_TRUE(a->Append(0, kUp, 10, 1).ok());
  ASSERT_TRUE(b->Append(0, kUp, 20, 2).ok());
  ASSERT_TRUE(b->Commit().ok());
  ASSERT_TRUE(a->Commit().ok());  // 10 is now out of order: dropped and counted
  EXPECT_THAT(Times(Query(*head_, All())[kUp]), ElementsAre(20));
  EXPECT_EQ(head_->Stats().samples_dropped_at_commit, 1u);
}

TEST_F(HeadAppenderTest, ChunksAreCutWhileAppending) {
  // TestOptions: 8 samples per chunk, ranges of 1000 ms.
  auto app = head_->NewAppender();
  for (TimestampMs t = 0; t < 3000; t += 50) ASSERT_TRUE(app->Append(0, kUp, t, static_cast<double>(t)).ok());
  ASSERT_TRUE(app->Commit().ok());
  std::vector<HeadChunkPtr> chunks;
  ASSERT_TRUE(head_
                  ->ForEachSeriesChunksBefore(kMaxTimestampMs,
                                              [&](const PersistSeries& s) {
                                                chunks.assign(s.chunks.begin(), s.chunks.end());
                                                return absl::OkStatus();
                                              })
                  .ok());
  // 20 samples per range: 8 + 8 + 4 per range, 3 ranges.
  ASSERT_THAT(chunks, SizeIs(9));
  EXPECT_EQ(chunks[2]->min_time, 800);
  EXPECT_EQ(chunks[2]->max_time, 950);
  EXPECT_EQ(chunks[3]->min_time, 1000);
  EXPECT_THAT(Query(*head_, All())[kUp], SizeIs(60));
}

TEST(HeadOptionsTest, RejectsBadOptions) {
  HeadOptions o;
  o.samples_per_chunk = 0;
  EXPECT_THAT(Head::Create(o).status().message(), HasSubstr("samples_per_chunk must be in [1, 65536], got 0"));
  o = HeadOptions();
  o.chunk_range_ms = 0;
  EXPECT_FALSE(Head::Create(o).ok());
  o = HeadOptions();
  o.out_of_order_window_ms = -1;
  EXPECT_FALSE(Head::Create(o).ok());
  o = HeadOptions();
  o.out_of_order_capacity = 0;
  EXPECT_FALSE(Head::Create(o).ok());
  EXPECT_TRUE(Head::Create(HeadOptions()).ok());
}

}  // namespace
}  // namespace vigil::tsdb
