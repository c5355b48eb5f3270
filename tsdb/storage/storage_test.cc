#include "tsdb/storage/storage.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/storage/memory_storage.h"
#include "tsdb/storage/merge_querier.h"
#include "tsdb/storage/series_set.h"

namespace vigil::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Sample> ReadAll(const Series& s) {
  std::vector<Sample> out;
  auto it = s.Iterator();
  while (it->Next()) out.push_back(it->At());
  EXPECT_TRUE(it->Err().ok());
  return out;
}

std::vector<TimestampMs> Times(const std::vector<Sample>& samples) {
  std::vector<TimestampMs> out;
  for (const Sample& s : samples) out.push_back(s.t);
  return out;
}

Matcher M(MatchType type, std::string name, std::string value) {
  return *Matcher::Create(type, std::move(name), std::move(value));
}

TEST(RejectErrorTest, CarriesReasonAndCode) {
  absl::Status s = RejectError(RejectReason::kOutOfOrder, "too late");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "too late");
  EXPECT_EQ(GetRejectReason(s), RejectReason::kOutOfOrder);
  EXPECT_EQ(RejectError(RejectReason::kSeriesLimit, "x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GetRejectReason(absl::InvalidArgumentError("plain")), RejectReason::kNone);
  EXPECT_EQ(RejectReasonName(RejectReason::kDuplicate), "duplicate_sample");
}

TEST(MemoryStorageTest, CommitMakesSamplesVisibleAndRollbackDiscards) {
  MemoryStorage db;
  Labels up{{"__name__", "up"}, {"job", "node"}};
  auto app = db.NewAppender();
  auto ref = app->Append(0, up, 1000, 1);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(db.NumSamples(), 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(db.NumSamples(), 1u);
  ASSERT_TRUE(app->Append(*ref, Labels(), 2000, 0).ok());  // by ref
  app->Rollback();
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(db.NumSamples(), 1u);
}

TEST(MemoryStorageTest, RejectsWhatPrometheusRejects) {
  MemoryStorage db;
  Labels up{{"__name__", "up"}};
  auto app = db.NewAppender();
  ASSERT_TRUE(app->Append(0, up, 2000, 1).ok());
  EXPECT_EQ(GetRejectReason(app->Append(0, up, 1000, 1).status()), RejectReason::kOutOfOrder);
  EXPECT_EQ(GetRejectReason(app->Append(0, up, 2000, 5).status()), RejectReason::kDuplicate);
  EXPECT_TRUE(app->Append(0, up, 2000, 1).ok());  // same timestamp, same value: accepted silently
  auto no_name = app->Append(0, Labels{{"job", "x"}}, 1, 1);
  EXPECT_EQ(GetRejectReason(no_name.status()), RejectReason::kInvalidLabels);
  EXPECT_THAT(std::string(no_name.status().message()), HasSubstr("no metric name"));
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(db.NumSamples(), 1u);
}

TEST(MemoryStorageTest, SelectFiltersByMatchersAndTimeInLabelOrder) {
  MemoryStorage db;
  auto app = db.NewAppender();
  for (const char* inst : {"b", "a", "c"}) {
    for (TimestampMs t = 0; t < 10000; t += 1000) {
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"instance", inst}}, t, 1).ok());
    }
  }
  ASSERT_TRUE(app->Append(0, Labels{{"__name__", "other"}}, 0, 1).ok());
  ASSERT_TRUE(app->Commit().ok());

  auto q = db.NewQuerier(2000, 4000);
  ASSERT_TRUE(q.ok());
  std::vector<Matcher> ms = {M(MatchType::kEqual, "__name__", "up"), M(MatchType::kNotEqual, "instance", "c")};
  auto set = (*q)->Select(true, nullptr, ms);
  std::vector<std::string> got;
  while (set->Next()) {
    got.emplace_back(set->At()->labels().Get("instance"));
    EXPECT_THAT(Times(ReadAll(*set->At())), ElementsAre(2000, 3000, 4000));
  }
  EXPECT_THAT(got, ElementsAre("a", "b"));
  EXPECT_THAT(*(*q)->LabelValues("instance", {}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(*(*q)->LabelNames(ms), ElementsAre("__name__", "instance"));
}

TEST(SeriesIteratorTest, SeekNeverGoesBackAndAppendRangeBounds) {
  VectorSeries s(Labels{{"__name__", "x"}}, {{10, 1}, {20, 2}, {30, 3}, {40, 4}});
  auto it = s.Iterator();
  ASSERT_TRUE(it->Seek(15));
  EXPECT_EQ(it->At().t, 20);
  ASSERT_TRUE(it->Seek(5));  // stays
  EXPECT_EQ(it->At().t, 20);
  EXPECT_FALSE(it->Seek(41));
  std::vector<Sample> out;
  ASSERT_TRUE(s.Iterator()->AppendRange(15, 30, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(20, 30));
}

TEST(MergeSeriesSetsTest, UnionsSeriesAndDeduplicatesSamplesFirstInputWins) {
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}}, c{{"__name__", "c"}};
  std::vector<std::shared_ptr<const Series>> head = {
      std::make_shared<VectorSeries>(a, std::vector<Sample>{{30, 100}, {40, 100}}),
      std::make_shared<VectorSeries>(c, std::vector<Sample>{{1, 1}})};
  std::vector<std::shared_ptr<const Series>> disk = {
      std::make_shared<VectorSeries>(a, std::vector<Sample>{{10, 0}, {30, 0}}),
      std::make_shared<VectorSeries>(b, std::vector<Sample>{{5, 5}})};
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(std::make_unique<VectorSeriesSet>(head));
  sets.push_back(std::make_unique<VectorSeriesSet>(disk));
  auto merged = MergeSeriesSets(std::move(sets));
  std::vector<std::string> names;
  std::vector<std::shared_ptr<const Series>> kept;
  while (merged->Next()) {
    names.emplace_back(merged->At()->labels().MetricName());
    kept.push_back(merged->At());
  }
  ASSERT_TRUE(merged->Err().ok());
  EXPECT_THAT(names, ElementsAre("a", "b", "c"));
  std::vector<Sample> a_samples = ReadAll(*kept[0]);  // still readable after the set moved on
  EXPECT_THAT(Times(a_samples), ElementsAre(10, 30, 40));
  EXPECT_EQ(a_samples[1].v, 100);  // the head (first input) wins at t=30
  auto it = kept[0]->Iterator();
  ASSERT_TRUE(it->Seek(25));
  EXPECT_EQ(it->At().t, 30);
}

// Merges two series with equal labels from two inputs and returns the merged series.
std::shared_ptr<const Series> MergedPair(std::vector<Sample> first, std::vector<Sample> second) {
  Labels a{{"__name__", "a"}};
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(std::make_unique<VectorSeriesSet>(
      std::vector<std::shared_ptr<const Series>>{std::make_shared<VectorSeries>(a, std::move(first))}));
  sets.push_back(std::make_unique<VectorSeriesSet>(
      std::vector<std::shared_ptr<const Series>>{std::make_shared<VectorSeries>(a, std::move(second))}));
  auto merged = MergeSeriesSets(std::move(sets));
  EXPECT_TRUE(merged->Next());
  return merged->At();
}

TEST(MergeSeriesSetsTest, AppendRangeMergesOverlappingInputsFirstWins) {
  auto s = MergedPair({{30, 100}, {40, 100}, {60, 100}}, {{10, 0}, {30, 0}, {50, 0}, {70, 0}});
  auto it = s->Iterator();
  std::vector<Sample> out;
  ASSERT_TRUE(it->AppendRange(10, 60, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(10, 30, 40, 50, 60));
  EXPECT_EQ(out[1].v, 100);
  // Afterwards the iterator stands on the first sample past the range.
  ASSERT_TRUE(it->Seek(61));
  EXPECT_EQ(it->At().t, 70);
  out.clear();
  ASSERT_TRUE(it->AppendRange(0, 100, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(70));
}

TEST(MergeSeriesSetsTest, AppendRangeMergesThreeInputs) {
  Labels a{{"__name__", "a"}};
  std::vector<std::unique_ptr<SeriesSet>> sets;
  for (std::vector<Sample> samples : {std::vector<Sample>{{20, 1}, {40, 1}}, std::vector<Sample>{{10, 2}, {20, 2}},
                                      std::vector<Sample>{{20, 3}, {30, 3}, {40, 3}}}) {
    sets.push_back(std::make_unique<VectorSeriesSet>(
        std::vector<std::shared_ptr<const Series>>{std::make_shared<VectorSeries>(a, std::move(samples))}));
  }
  auto merged = MergeSeriesSets(std::move(sets));
  ASSERT_TRUE(merged->Next());
  std::vector<Sample> out;
  ASSERT_TRUE(merged->At()->Iterator()->AppendRange(0, 100, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(10, 20, 30, 40));
  EXPECT_EQ(out[0].v, 2);
  EXPECT_EQ(out[1].v, 1);
  EXPECT_EQ(out[2].v, 3);
  EXPECT_EQ(out[3].v, 1);
}

TEST(MergeSeriesSetsTest, AppendRangeConcatenatesDisjointInputs) {
  // The head (first input) holds the newest samples, the partitions the older ones.
  auto s = MergedPair({{50, 5}, {60, 6}}, {{10, 1}, {20, 2}});
  std::vector<Sample> out;
  ASSERT_TRUE(s->Iterator()->AppendRange(15, 55, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(20, 50));
  // The current sample of a started iterator is part of what remains.
  auto it = s->Iterator();
  ASSERT_TRUE(it->Next());
  out.clear();
  ASSERT_TRUE(it->AppendRange(0, 100, &out).ok());
  EXPECT_THAT(Times(out), ElementsAre(10, 20, 50, 60));
  EXPECT_FALSE(it->Seek(61));
}

TEST(MergeSeriesSetsTest, ReportsInputError) {
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(std::make_unique<VectorSeriesSet>(std::vector<std::shared_ptr<const Series>>{}));
  sets.push_back(ErrorSeriesSet(absl::DataLossError("partition 7: bad block")));
  auto merged = MergeSeriesSets(std::move(sets));
  EXPECT_FALSE(merged->Next());
  EXPECT_EQ(merged->Err().code(), absl::StatusCode::kDataLoss);
}

TEST(MergeQuerierTest, UnionsSeriesNamesAndValuesAcrossStores) {
  MemoryStorage head, disk;
  auto a = head.NewAppender();
  ASSERT_TRUE(a->Append(0, Labels{{"__name__", "up"}, {"job", "a"}}, 20, 1).ok());
  ASSERT_TRUE(a->Commit().ok());
  auto b = disk.NewAppender();
  ASSERT_TRUE(b->Append(0, Labels{{"__name__", "up"}, {"job", "a"}}, 10, 0).ok());
  ASSERT_TRUE(b->Append(0, Labels{{"__name__", "up"}, {"job", "b"}, {"zone", "z"}}, 10, 0).ok());
  ASSERT_TRUE(b->Commit().ok());
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(*head.NewQuerier(0, 100));
  qs.push_back(*disk.NewQuerier(0, 100));
  auto q = NewMergeQuerier(std::move(qs));
  std::vector<Matcher> ms = {M(MatchType::kEqual, "__name__", "up")};
  auto set = q->Select(false, nullptr, ms);
  ASSERT_TRUE(set->Next());
  EXPECT_THAT(Times(ReadAll(*set->At())), ElementsAre(10, 20));
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->At()->labels().Get("job"), "b");
  EXPECT_FALSE(set->Next());
  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "job", "zone"));
  EXPECT_THAT(*q->LabelValues("job", ms), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace vigil::tsdb
