#include "tsdb/index/postings.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::tsdb {
namespace {

using Ids = std::vector<SeriesId>;

Ids RandomList(std::mt19937_64& rng, size_t n, SeriesId universe) {
  std::set<SeriesId> s;
  std::uniform_int_distribution<SeriesId> dist(0, universe - 1);
  while (s.size() < n && s.size() < universe) s.insert(dist(rng));
  return Ids(s.begin(), s.end());
}

Ids RefIntersect(const Ids& a, const Ids& b) {
  Ids out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Ids RefSubtract(const Ids& a, const Ids& b) {
  Ids out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

TEST(GallopToTest, FindsFirstNotLess) {
  const Ids list = {2, 4, 6, 8, 10, 12, 14, 16, 18, 20};
  for (size_t from = 0; from <= list.size(); ++from) {
    for (SeriesId target = 0; target <= 22; ++target) {
      size_t want = from;
      while (want < list.size() && list[want] < target) ++want;
      EXPECT_EQ(GallopTo(list, from, target), want) << "from " << from << " target " << target;
    }
  }
}

TEST(PostingsTest, SmallCases) {
  Ids out = {99};  // Outputs are cleared first.
  Intersect(Ids{1, 3, 5}, Ids{3, 4, 5}, &out);
  EXPECT_EQ(out, (Ids{3, 5}));
  Intersect(Ids{}, Ids{1, 2}, &out);
  EXPECT_TRUE(out.empty());
  Subtract(Ids{1, 2, 3, 4}, Ids{2, 4, 6}, &out);
  EXPECT_EQ(out, (Ids{1, 3}));
  Subtract(Ids{1, 2}, Ids{}, &out);
  EXPECT_EQ(out, (Ids{1, 2}));
  const std::vector<Ids> owned = {{1, 5}, {2, 5, 9}, {}, {0, 9}};
  const std::vector<PostingsSpan> lists(owned.begin(), owned.end());
  Union(lists, &out);
  EXPECT_EQ(out, (Ids{0, 1, 2, 5, 9}));
  IntersectAll({}, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(Contains(Ids{1, 4, 7}, 4));
  EXPECT_FALSE(Contains(Ids{1, 4, 7}, 5));
}

// Random lists of very different sizes exercise the linear and the galloping paths against std:: algorithms.
TEST(PostingsTest, MatchesStdAlgorithmsOnRandomLists) {
  std::mt19937_64 rng(42);
  const size_t sizes[] = {0, 1, 2, 5, 17, 100, 1000, 5000};
  for (int round = 0; round < 4; ++round) {
    for (size_t na : sizes) {
      for (size_t nb : sizes) {
        const SeriesId universe = 2 * std::max<size_t>({na, nb, 1}) + 10;
        const Ids a = RandomList(rng, na, universe);
        const Ids b = RandomList(rng, nb, universe);
        Ids out;
        Intersect(a, b, &out);
        ASSERT_EQ(out, RefIntersect(a, b)) << na << " x " << nb;
        Subtract(a, b, &out);
        ASSERT_EQ(out, RefSubtract(a, b)) << na << " - " << nb;
        Subtract(b, a, &out);
        ASSERT_EQ(out, RefSubtract(b, a)) << nb << " - " << na;
      }
    }
  }
}

TEST(PostingsTest, UnionAndIntersectAllOfManyLists) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const size_t k = 1 + rng() % 40;
    std::vector<Ids> owned;
    std::set<SeriesId> want_union;
    for (size_t i = 0; i < k; ++i) {
      owned.push_back(RandomList(rng, rng() % 300, 1000));
      want_union.insert(owned.back().begin(), owned.back().end());
    }
    std::vector<PostingsSpan> lists(owned.begin(), owned.end());
    Ids out;
    Union(lists, &out);
    ASSERT_EQ(out, Ids(want_union.begin(), want_union.end()));
    UnionDisjoint(lists, &out);  // Not disjoint here; still must return the set.
    ASSERT_EQ(out, Ids(want_union.begin(), want_union.end()));

    Ids want = owned[0];
    for (size_t i = 1; i < k; ++i) want = RefIntersect(want, owned[i]);
    IntersectAll(lists, &out);
    ASSERT_EQ(out, want);
  }
}

TEST(PostingsTest, UnionDisjointOfSingletons) {
  std::vector<Ids> owned;
  for (SeriesId id = 100; id > 0; --id) owned.push_back({id * 3});
  std::vector<PostingsSpan> lists(owned.begin(), owned.end());
  Ids out;
  UnionDisjoint(lists, &out);
  ASSERT_EQ(out.size(), 100u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
  EXPECT_EQ(out.front(), 3u);
  EXPECT_EQ(out.back(), 300u);
}

}  // namespace
}  // namespace vigil::tsdb
