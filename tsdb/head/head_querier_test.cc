#include "tsdb/head/head_querier.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/head/head.h"
#include "tsdb/head/head_test_util.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::M;
using testing::SameSamples;
using testing::SelectAll;
using testing::TestOptions;

TEST(HeadQuerierTest, SelectSortedLabelsAndHints) {
  auto head = *Head::Create(TestOptions());
  auto app = head->NewAppender();
  const Labels b = {{"__name__", "up"}, {"job", "b"}};
  const Labels a = {{"__name__", "up"}, {"job", "a"}};
  const Labels other = {{"__name__", "cpu"}, {"zone", "z"}};
  ASSERT_TRUE(app->Append(0, b, 100, 1).ok());  // created first: lower ref
  ASSERT_TRUE(app->Append(0, a, 200, 2).ok());
  ASSERT_TRUE(app->Append(0, other, 300, 3).ok());
  ASSERT_TRUE(app->Commit().ok());

  auto q = *head->NewQuerier(0, 1000);
  auto got = SelectAll(*q, true, {M(MatchType::kEqual, "__name__", "up")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, a);
  EXPECT_EQ(got[1].first, b);

  // Series without samples in the range are not returned; hints narrow the range.
  auto q2 = *head->NewQuerier(150, 1000);
  EXPECT_EQ(SelectAll(*q2, true, {M(MatchType::kEqual, "__name__", "up")}).size(), 1u);
  SelectHints hints;
  hints.start = 250;
  hints.end = 400;
  auto set = q->Select(true, &hints, std::vector<Matcher>{M(MatchType::kRegexMatch, "__name__", ".+")});
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->At()->labels(), other);
  EXPECT_FALSE(set->Next());
  hints.func = "series";
  set = q->Select(false, &hints, std::vector<Matcher>{M(MatchType::kEqual, "__name__", "cpu")});
  ASSERT_TRUE(set->Next());
  EXPECT_FALSE(set->At()->Iterator()->Next());  // labels only

  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "job", "zone"));
  EXPECT_THAT(*q->LabelNames(std::vector<Matcher>{M(MatchType::kEqual, "__name__", "up")}),
              ElementsAre("__name__", "job"));
  EXPECT_THAT(*q->LabelValues("job", {}), ElementsAre("a", "b"));
  EXPECT_THAT(*q2->LabelValues("job", std::vector<Matcher>{M(MatchType::kEqual, "__name__", "up")}), ElementsAre("a"));
  EXPECT_THAT(*q->LabelValues("nope", std::vector<Matcher>{M(MatchType::kEqual, "__name__", "up")}), IsEmpty());
  auto outside = *head->NewQuerier(5000, 6000);
  EXPECT_THAT(*outside->LabelNames({}), IsEmpty());
  EXPECT_FALSE(head->NewQuerier(10, 5).ok());
}

TEST(HeadQuerierTest, SeriesOutliveQuerierAndHeadAndIgnoreLaterAppends) {
  std::shared_ptr<const Series> series;
  {
    auto head = *Head::Create(TestOptions());
    const Labels l = {{"__name__", "up"}};
    auto app = head->NewAppender();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(app->Append(0, l, i, i).ok());
    ASSERT_TRUE(app->Commit().ok());
    {
      auto q = *head->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
      auto set = q->Select(false, nullptr, std::vector<Matcher>{M(MatchType::kEqual, "__name__", "up")});
      ASSERT_TRUE(set->Next());
      series = set->At();
    }
    ASSERT_TRUE(app->Append(0, l, 100, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  std::vector<Sample> got;
  ASSERT_TRUE(series->Iterator()->AppendRange(kMinTimestampMs, kMaxTimestampMs, &got).ok());
  EXPECT_EQ(got.size(), 20u);
}

// Random series and samples written to the head and to MemoryStorage (the reference); random selectors and ranges
// must give identical answers.
TEST(HeadQuerierTest, MatchesMemoryStorageOnRandomData) {
  std::mt19937_64 rng(99);
  auto head = *Head::Create(TestOptions());
  MemoryStorage ref;
  const std::vector<std::string> values = {"a", "b", "c", "ab", "x1", "x2"};
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::vector<Labels> series;
  for (int i = 0; i < 150; ++i) {
    LabelsBuilder b;
    b.Set("__name__", i % 3 == 0 ? "m1" : "m2");
    b.Set("job", pick(values));
    if (rng() % 2) b.Set("inst", std::to_string(i));
    if (rng() % 3) b.Set("env", pick(values));
    series.push_back(b.Build());
  }
  auto happ = head->NewAppender();
  auto rapp = ref.NewAppender();
  std::vector<TimestampMs> last(series.size(), 0);
  for (int step = 0; step < 6000; ++step) {
    const size_t k = rng() % series.size();
    // Mostly increasing; sometimes repeated or older (both stores refuse those identically).
    const TimestampMs t = last[k] + static_cast<TimestampMs>(rng() % 400) - 40;
    const double v = static_cast<double>(rng() % 50);
    absl::StatusOr<SeriesRef> h = happ->Append(0, series[k], t, v);
    absl::StatusOr<SeriesRef> r = rapp->Append(0, series[k], t, v);
    ASSERT_EQ(h.ok(), r.ok()) << series[k].ToString() << " t=" << t << " " << h.status() << " / " << r.status();
    if (h.ok()) last[k] = std::max(last[k], t);
    if (step % 500 == 0) {
      ASSERT_TRUE(happ->Commit().ok());
      ASSERT_TRUE(rapp->Commit().ok());
    }
  }
  ASSERT_TRUE(happ->Commit().ok());
  ASSERT_TRUE(rapp->Commit().ok());

  const MatchType types[] = {MatchType::kEqual, MatchType::kNotEqual, MatchType::kRegexMatch, MatchType::kRegexNoMatch};
  const std::vector<std::string> names = {"__name__", "job", "inst", "env"};
  const std::vector<std::string> patterns = {"a", "x.", ".*", ".+", "a|b", "1.*", "", "m1", "m2|x1"};
  for (int round = 0; round < 300; ++round) {
    std::vector<Matcher> ms = {M(MatchType::kRegexMatch, "__name__", round % 2 ? "m.*" : "m1")};
    for (size_t n = rng() % 3; n > 0; --n) {
      ms.push_back(M(types[rng() % 4], pick(names), pick(patterns)));
    }
    TimestampMs mint = static_cast<TimestampMs>(rng() % 80'000) - 1000;
    TimestampMs maxt = mint + static_cast<TimestampMs>(rng() % 90'000);
    if (round % 10 == 0) {
      mint = kMinTimestampMs;
      maxt = kMaxTimestampMs;
    }
    auto hq = *head->NewQuerier(mint, maxt);
    auto rq = *ref.NewQuerier(mint, maxt);
    const auto want = SelectAll(*rq, true, ms);
    const auto got = SelectAll(*hq, true, ms);
    ASSERT_EQ(got.size(), want.size()) << "round " << round;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].first, want[i].first) << "round " << round;
      ASSERT_TRUE(SameSamples(got[i].second, want[i].second)) << got[i].first.ToString();
    }
    ASSERT_EQ(*hq->LabelNames(ms), *rq->LabelNames(ms));
    ASSERT_EQ(*hq->LabelValues("job", ms), *rq->LabelValues("job", ms));
    if (mint == kMinTimestampMs) {
      ASSERT_EQ(*hq->LabelNames({}), *rq->LabelNames({}));
      ASSERT_EQ(*hq->LabelValues("env", {}), *rq->LabelValues("env", {}));
    }
    // Unsorted: the same series in some order.
    auto unsorted = SelectAll(*hq, false, ms);
    std::sort(unsorted.begin(), unsorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    ASSERT_EQ(unsorted.size(), want.size());
  }
}

}  // namespace
}  // namespace vigil::tsdb
