#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/chunk/chunk_iterator.h"
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
using testing::SameSamples;
using ::testing::SizeIs;
using testing::TestOptions;

std::vector<Matcher> All() { return {M(MatchType::kRegexMatch, "__name__", ".+")}; }

Labels Series(int i) { return {{"__name__", "m"}, {"i", std::to_string(i)}}; }

// Collects what ForEachSeriesChunksBefore hands over, decoded.
std::map<SeriesRef, std::pair<Labels, std::vector<Sample>>> Persist(Head& head, TimestampMs t) {
  std::map<SeriesRef, std::pair<Labels, std::vector<Sample>>> out;
  absl::Status s = head.ForEachSeriesChunksBefore(t, [&](const PersistSeries& ps) {
    auto& [labels, samples] = out[ps.ref];
    labels = ps.labels;
    for (const HeadChunkPtr& c : ps.chunks) {
      EXPECT_LT(c->max_time, t);
      ChunkIterator it(c->data);
      while (it.Next()) samples.push_back(it.At());
      EXPECT_TRUE(it.Err().ok());
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(HeadMaintenanceTest, PersistTruncateAndCollect) {
  auto head = *Head::Create(TestOptions());  // ranges of 1000 ms
  auto app = head->NewAppender();
  // Series 0 and 1 have samples in [0, 2000); series 2 only in [1000, 3000).
  for (TimestampMs t = 0; t < 2000; t += 100) {
    ASSERT_TRUE(app->Append(0, Series(0), t, 1).ok());
    ASSERT_TRUE(app->Append(0, Series(1), t, 2).ok());
  }
  for (TimestampMs t = 1000; t < 3000; t += 100) ASSERT_TRUE(app->Append(0, Series(2), t, 3).ok());
  ASSERT_TRUE(app->Commit().ok());
  const size_t bytes_before = head->MemoryBytes();
  EXPECT_EQ(head->NumSeries(), 3u);
  EXPECT_EQ(head->MinTime(), 0);
  EXPECT_EQ(head->MaxTime(), 2900);

  head->SetMinValidTime(1000);
  auto persisted = Persist(*head, 1000);
  ASSERT_THAT(persisted, SizeIs(2));  // series 2 has nothing before 1000
  for (const auto& [ref, entry] : persisted) EXPECT_THAT(entry.second, SizeIs(10));
  TruncateStats stats = head->TruncateBefore(1000);
  EXPECT_EQ(stats.series_removed, 0u);  // all still hold samples in [1000, 2000)
  EXPECT_GE(stats.chunks_removed, 2u);
  EXPECT_EQ(head->MinTime(), 1000);
  for (const auto& [labels, samples] : Query(*head, All())) EXPECT_EQ(samples.front().t, 1000) << labels.ToString();

  // Series 0 and 1 end before 2000: persisting and truncating at 2000 collects them, open chunks included.
  head->SetMinValidTime(2000);
  persisted = Persist(*head, 2000);
  ASSERT_THAT(persisted, SizeIs(3));
  stats = head->TruncateBefore(2000);
  EXPECT_EQ(stats.series_removed, 2u);
  EXPECT_EQ(head->NumSeries(), 1u);
  EXPECT_EQ(head->Stats().series_removed, 2u);
  EXPECT_LT(head->MemoryBytes(), bytes_before);
  auto q = *head->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  EXPECT_THAT(*q->LabelValues("i", {}), ElementsAre("2"));
  EXPECT_THAT(Query(*head, {M(MatchType::kEqual, "i", "0")}), IsEmpty());

  // The collected labels come back as a new series with a new ref.
  const SeriesRef old_ref = persisted.begin()->first;
  absl::StatusOr<SeriesRef> again = app->Append(0, Series(0), 2500, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(*again, old_ref);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Query(*head, {M(MatchType::kEqual, "i", "0")}), SizeIs(1));
  EXPECT_EQ(GetRejectReason(app->Append(0, Series(0), 1999, 1).status()), RejectReason::kOutOfBounds);
}

TEST(HeadMaintenanceTest, PinnedAndUnpublishedSeries) {
  auto head = *Head::Create(TestOptions());
  auto app = head->NewAppender();
  ASSERT_TRUE(app->Append(0, Series(0), 100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  // A series in an uncommitted batch survives truncation, even if it holds nothing yet.
  auto pending = head->NewAppender();
  ASSERT_TRUE(pending->Append(0, Series(0), 5000, 1).ok());
  ASSERT_TRUE(pending->Append(0, Series(7), 5000, 1).ok());
  Persist(*head, 1000);
  EXPECT_EQ(head->TruncateBefore(1000).series_removed, 0u);
  ASSERT_TRUE(pending->Commit().ok());
  EXPECT_THAT(Query(*head, All()), SizeIs(2));

  // A series whose only sample was refused exists unpublished until the next collection.
  EXPECT_FALSE(app->Append(0, Series(9), 10, 1).ok());  // out of bounds
  auto rejected = head->NewAppender();
  ASSERT_TRUE(rejected->Append(0, Series(8), 6000, 1).ok());
  rejected->Rollback();
  EXPECT_EQ(head->NumSeries(), 3u);
  EXPECT_THAT(Query(*head, {M(MatchType::kEqual, "i", "8")}), IsEmpty());
  EXPECT_EQ(head->TruncateBefore(1000).series_removed, 1u);
  EXPECT_EQ(head->NumSeries(), 2u);
}

TEST(HeadMaintenanceTest, ForEachSeriesListsLoggedSeries) {
  RecordingCommitLog log;
  HeadOptions opts = TestOptions();
  opts.commit_log = &log;
  auto head = *Head::Create(opts);
  auto app = head->NewAppender();
  const SeriesRef a = *app->Append(0, Series(1), 10, 1);
  const SeriesRef b = *app->Append(0, Series(2), 10, 1);
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(0, Series(3), 10, 1).ok());
  app->Rollback();  // series 3 exists but was never logged
  ASSERT_TRUE(head->ReplaySeries(100, Series(4)).ok());
  std::vector<std::pair<SeriesRef, Labels>> got;
  head->ForEachSeries([&](SeriesRef ref, const Labels& labels) { got.emplace_back(ref, labels); });
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0].first, a);
  EXPECT_EQ(got[0].second, Series(1));
  EXPECT_EQ(got[1].first, b);
  EXPECT_EQ(got[2].first, 100u);
  EXPECT_EQ(head->NumSeries(), 4u);
}

TEST(HeadMaintenanceTest, PersistStopsAtFirstError) {
  auto head = *Head::Create(TestOptions());
  auto app = head->NewAppender();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(app->Append(0, Series(i), 10, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  int calls = 0;
  absl::Status s = head->ForEachSeriesChunksBefore(1000, [&](const PersistSeries&) {
    ++calls;
    return absl::InternalError("kv write failed");
  });
  EXPECT_THAT(s.message(), HasSubstr("kv write failed"));
  EXPECT_EQ(calls, 1);
}

// Everything committed through a RecordingCommitLog is replayed into a fresh head: same refs, same data.
TEST(HeadMaintenanceTest, ReplayKeepsRefs) {
  RecordingCommitLog log;
  HeadOptions opts = TestOptions();
  opts.commit_log = &log;
  opts.out_of_order_window_ms = 300;
  auto head = *Head::Create(opts);
  std::map<Labels, SeriesRef> refs;
  auto app = head->NewAppender();
  for (int step = 0; step < 400; ++step) {
    const Labels l = Series(step % 13);
    const TimestampMs t = step * 10 - (step % 7 == 0 ? 200 : 0);  // some out-of-order samples
    absl::StatusOr<SeriesRef> ref = app->Append(0, l, t, step);
    if (ref.ok()) refs[l] = *ref;
    if (step % 50 == 0) {
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  const auto want = Query(*head, All());

  HeadOptions ropts = TestOptions();  // no commit log
  ropts.out_of_order_window_ms = 300;
  auto replayed = *Head::Create(ropts);
  for (const RefSeries& s : log.series()) ASSERT_TRUE(replayed->ReplaySeries(s.ref, s.labels).ok());
  for (const RefSeries& s : log.series()) ASSERT_TRUE(replayed->ReplaySeries(s.ref, s.labels).ok());  // repeat
  const std::vector<RefSample> samples = log.samples();
  ReplayStats stats = replayed->ReplaySamples(samples);
  EXPECT_EQ(stats.applied, head->Stats().samples_appended);
  EXPECT_EQ(stats.unknown_series, 0u);
  replayed->EndReplay();

  const auto got = Query(*replayed, All());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [labels, samples] : want) {
    ASSERT_TRUE(got.contains(labels));
    EXPECT_TRUE(SameSamples(got.at(labels), samples)) << labels.ToString();
  }
  // The refs the WAL recorded still name the same series; new series get fresh refs.
  auto rapp = replayed->NewAppender();
  for (const auto& [labels, ref] : refs) EXPECT_EQ(*rapp->Append(ref, Labels(), 100'000, 1), ref);
  SeriesRef max_ref = 0;
  for (const auto& [labels, ref] : refs) max_ref = std::max(max_ref, ref);
  EXPECT_GT(*rapp->Append(0, Series(99), 100'000, 1), max_ref);
  ASSERT_TRUE(rapp->Commit().ok());
}

TEST(HeadMaintenanceTest, ReplayAliasesConflictsAndUnknownRefs) {
  auto head = *Head::Create(TestOptions());
  ASSERT_TRUE(head->ReplaySeries(5, Series(1)).ok());
  ASSERT_TRUE(head->ReplaySeries(9, Series(1)).ok());  // same labels logged again under another ref
  absl::Status conflict = head->ReplaySeries(5, Series(2));
  EXPECT_EQ(conflict.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(conflict.message(), HasSubstr("ref 5 already holds {__name__=\"m\", i=\"1\"}"));
  EXPECT_EQ(head->ReplaySeries(0, Series(3)).code(), absl::StatusCode::kInvalidArgument);
  const RefSample samples[] = {{5, 10, 1}, {9, 20, 2}, {77, 30, 3}, {5, 5, 4}, {5, 20, 2}};
  ReplayStats stats = head->ReplaySamples(samples);
  EXPECT_EQ(stats.applied, 2u);
  EXPECT_EQ(stats.unknown_series, 1u);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.duplicates_ignored, 1u);
  EXPECT_EQ(head->NumSeries(), 1u);
  head->EndReplay();
  const RefSample late[] = {{9, 40, 1}};
  EXPECT_EQ(head->ReplaySamples(late).unknown_series, 1u);
  auto got = Query(*head, All());
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(got.begin()->second, SizeIs(2));
  // New series never reuse a replayed ref.
  auto app = head->NewAppender();
  EXPECT_GT(*app->Append(0, Series(4), 100, 1), 9u);
}

TEST(HeadMaintenanceTest, MemoryPerSeries) {
  HeadOptions opts;  // production defaults
  auto head = *Head::Create(opts);
  auto app = head->NewAppender();
  const int kSeries = 1000;
  for (int i = 0; i < kSeries; ++i) {
    for (int s = 0; s < 120; ++s) {
      ASSERT_TRUE(app->Append(0,
                              {{"__name__", "node_cpu_seconds_total"},
                               {"cpu", std::to_string(i % 8)},
                               {"instance", "host-" + std::to_string(i / 8) + ":9100"},
                               {"job", "node"},
                               {"mode", "idle"}},
                              1'700'000'000'000 + s * 15'000, 1000.0 + s * 0.25)
                      .ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  const HeadMemory m = head->Memory();
  EXPECT_GT(m.series, 0u);
  EXPECT_GT(m.postings, 0u);
  EXPECT_GT(m.symbols, 0u);
  // Half an open chunk per series: far below Prometheus' 4-8 KB per series.
  EXPECT_LT(m.total() / kSeries, 1500u) << "series " << m.series << " maps " << m.series_maps << " postings "
                                        << m.postings << " symbols " << m.symbols;
}

}  // namespace
}  // namespace vigil::tsdb
