#include "tsdb/index/mem_postings.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/symbol_table.h"

namespace vigil::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Matcher M(MatchType type, std::string name, std::string value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

class MemPostingsTest : public ::testing::Test {
 protected:
  void AddSeries(SeriesId id, const Labels& labels) {
    interned_[id] = symbols_.Intern(labels);
    labels_[id] = labels;
    index_.Add(id, interned_[id]);
  }

  void DeleteSeries(const std::vector<SeriesId>& ids) {
    std::vector<MemPostings::Entry> entries;
    for (SeriesId id : ids) entries.push_back({id, &interned_[id]});
    index_.Delete(entries);
    for (SeriesId id : ids) labels_.erase(id);
  }

  // What PostingsForMatchers must return, by evaluating every matcher on every series.
  std::vector<SeriesId> BruteForce(const std::vector<Matcher>& matchers) const {
    std::vector<SeriesId> out;
    for (const auto& [id, labels] : labels_) {
      bool all = true;
      for (const Matcher& m : matchers) all = all && m.Matches(labels.Get(m.name()));
      if (all) out.push_back(id);
    }
    return out;
  }

  SymbolTable symbols_;
  MemPostings index_{&symbols_};
  std::map<SeriesId, InternedLabels> interned_;
  std::map<SeriesId, Labels> labels_;
};

TEST_F(MemPostingsTest, PrometheusEmptyMatcherSemantics) {
  AddSeries(1, {{"__name__", "up"}, {"job", "api"}});
  AddSeries(2, {{"__name__", "up"}, {"job", "web"}});
  AddSeries(3, {{"__name__", "up"}});
  AddSeries(5, {{"__name__", "down"}, {"job", "api"}});
  const std::vector<Matcher> up = {M(MatchType::kEqual, "__name__", "up")};
  auto with = [&](Matcher m) {
    std::vector<Matcher> ms = up;
    ms.push_back(std::move(m));
    return index_.PostingsForMatchers(ms);
  };
  EXPECT_THAT(with(M(MatchType::kEqual, "job", "")), ElementsAre(3));  // series without job
  EXPECT_THAT(with(M(MatchType::kNotEqual, "job", "api")), ElementsAre(2, 3));
  EXPECT_THAT(with(M(MatchType::kRegexMatch, "job", ".*")), ElementsAre(1, 2, 3));
  EXPECT_THAT(with(M(MatchType::kRegexMatch, "job", ".+")), ElementsAre(1, 2));
  EXPECT_THAT(with(M(MatchType::kRegexNoMatch, "job", "a.*")), ElementsAre(2, 3));
  EXPECT_THAT(with(M(MatchType::kNotEqual, "job", "")), ElementsAre(1, 2));
  EXPECT_THAT(with(M(MatchType::kEqual, "absent", "")), ElementsAre(1, 2, 3));
  EXPECT_THAT(with(M(MatchType::kEqual, "absent", "x")), IsEmpty());
  EXPECT_THAT(with(M(MatchType::kEqual, "job", "nope")), IsEmpty());
  // Only empty-matching matchers: everything but the rejected values (the query layer refuses such selectors).
  EXPECT_THAT(index_.PostingsForMatchers(std::vector<Matcher>{M(MatchType::kNotEqual, "job", "api")}),
              ElementsAre(2, 3));
  EXPECT_THAT(index_.PostingsForMatchers({}), ElementsAre(1, 2, 3, 5));
}

TEST_F(MemPostingsTest, DictionariesAndDelete) {
  AddSeries(4, {{"__name__", "up"}, {"job", "api"}});
  AddSeries(2, {{"__name__", "up"}, {"job", "web"}, {"zone", "a"}});  // Out of order: inserted in place.
  AddSeries(9, {{"__name__", "cpu"}, {"job", "api"}});
  index_.Add(9, interned_[9]);  // Twice is a no-op.
  EXPECT_EQ(index_.NumSeries(), 3u);
  EXPECT_THAT(index_.All(), ElementsAre(2, 4, 9));
  EXPECT_THAT(index_.Get("job", "api"), ElementsAre(4, 9));
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "job", "zone"));
  EXPECT_THAT(index_.LabelValues("job"), ElementsAre("api", "web"));
  EXPECT_THAT(index_.LabelValues("nope"), IsEmpty());
  const size_t bytes = index_.MemoryBytes();
  EXPECT_GT(bytes, 0u);

  DeleteSeries({2, 9});
  EXPECT_THAT(index_.All(), ElementsAre(4));
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "job"));  // zone had only series 2
  EXPECT_THAT(index_.LabelValues("job"), ElementsAre("api"));
  EXPECT_THAT(index_.LabelValues("__name__"), ElementsAre("up"));
  EXPECT_THAT(index_.Get("job", "api"), ElementsAre(4));
}

TEST_F(MemPostingsTest, ListsGrowBeyondInlineStorage) {
  for (SeriesId id = 1; id <= 1000; ++id) {
    AddSeries(id, {{"__name__", "m"}, {"i", std::to_string(id)}, {"mod", std::to_string(id % 3)}});
  }
  EXPECT_EQ(index_.Get("mod", "1").size(), 334u);
  std::vector<SeriesId> odd;
  for (SeriesId id = 1; id <= 1000; id += 2) odd.push_back(id);
  DeleteSeries(odd);
  EXPECT_EQ(index_.NumSeries(), 500u);
  EXPECT_EQ(index_.LabelValues("i").size(), 500u);
  EXPECT_EQ(index_.PostingsForMatchers(std::vector<Matcher>{M(MatchType::kEqual, "mod", "1")}),
            BruteForce({M(MatchType::kEqual, "mod", "1")}));
}

// Hundreds of random selectors over random label sets, checked against per-series evaluation; then again after
// deleting a random part of the series.
TEST_F(MemPostingsTest, MatchesBruteForceOnRandomData) {
  std::mt19937_64 rng(20240611);
  const std::vector<std::string> names = {"job", "instance", "code", "env", "zone"};
  const std::vector<std::string> values = {"a", "b", "ab", "ba", "abc", "500", "503", "200", "x-y", "é"};
  const std::vector<std::string> patterns = {"",    ".*",    ".+",  "a.*",     ".*b",   "a|b",   "5..",
                                             "ab?", "[ab]+", "x-y", "(?i)A.*", ".*b.*", "é|200", "nope"};
  auto pick = [&rng](const std::vector<std::string>& from) { return from[rng() % from.size()]; };

  for (SeriesId id = 1; id <= 600; ++id) {
    LabelsBuilder b;
    b.Set("__name__", id % 4 == 0 ? "other" : "metric");
    for (const std::string& n : names) {
      if (rng() % 3 != 0) b.Set(n, pick(values));
    }
    AddSeries(id * 3, b.Build());  // Gaps in the ids, as after garbage collection.
  }

  const MatchType types[] = {MatchType::kEqual, MatchType::kNotEqual, MatchType::kRegexMatch, MatchType::kRegexNoMatch};
  auto random_selector = [&] {
    std::vector<Matcher> ms;
    const size_t n = 1 + rng() % 4;
    for (size_t i = 0; i < n; ++i) {
      const MatchType type = types[rng() % 4];
      std::string name = rng() % 10 == 0 ? "__name__" : (rng() % 12 == 0 ? "missing" : pick(names));
      std::string value;
      if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
        value = rng() % 6 == 0 ? "" : (name == "__name__" ? "metric" : pick(values));
      } else {
        value = pick(patterns);
      }
      ms.push_back(M(type, std::move(name), std::move(value)));
    }
    return ms;
  };

  int nonempty = 0;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 400; ++i) {
      const std::vector<Matcher> ms = random_selector();
      const std::vector<SeriesId> want = BruteForce(ms);
      std::string desc;
      for (const Matcher& m : ms) desc += m.ToString() + " ";
      ASSERT_EQ(index_.PostingsForMatchers(ms), want) << desc;
      nonempty += want.empty() ? 0 : 1;
    }
    std::vector<SeriesId> victims;
    for (const auto& [id, labels] : labels_) {
      if (rng() % 2 == 0) victims.push_back(id);
    }
    DeleteSeries(victims);
  }
  EXPECT_GT(nonempty, 200);  // The random selectors are not trivially empty.
}

}  // namespace
}  // namespace vigil::tsdb
