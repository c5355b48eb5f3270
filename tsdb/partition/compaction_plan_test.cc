#include "tsdb/partition/compaction_plan.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::tsdb::partition {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kH = 3600 * 1000;

PartitionMeta P(uint64_t id, int64_t from_h, int64_t to_h) {
  return PartitionMeta{.id = id, .range = {from_h * kH, to_h * kH - 1}};
}

TEST(CompactionPlanTest, WaitsUntilTheWindowIsClosed) {
  const auto ranges = DefaultCompactionRanges();
  std::vector<PartitionMeta> p = {P(1, 0, 2), P(2, 2, 4)};
  EXPECT_THAT(PlanCompaction(p, ranges), IsEmpty());  // The head may still add 4h-6h.
  p.push_back(P(3, 4, 6));
  EXPECT_THAT(PlanCompaction(p, ranges), IsEmpty());  // Still the newest window.
  p.push_back(P(4, 6, 8));
  EXPECT_THAT(PlanCompaction(p, ranges), ElementsAre(1, 2, 3));
}

TEST(CompactionPlanTest, NextLevelAfterTheFirst) {
  const auto ranges = DefaultCompactionRanges();
  // Three 6h partitions fill the 18h window [0, 18h); a later partition closes it.
  std::vector<PartitionMeta> p = {P(1, 0, 6), P(2, 6, 12), P(3, 12, 18), P(4, 18, 20)};
  EXPECT_THAT(PlanCompaction(p, ranges), ElementsAre(1, 2, 3));
  // Lone partitions and partitions already the window's size stay.
  std::vector<PartitionMeta> q = {P(1, 0, 54), P(2, 54, 56), P(3, 108, 110)};
  EXPECT_THAT(PlanCompaction(q, ranges), IsEmpty());
}

TEST(CompactionPlanTest, OverlapsFirst) {
  const auto ranges = DefaultCompactionRanges();
  std::vector<PartitionMeta> p = {P(1, 0, 2), P(2, 2, 4), P(3, 4, 6), P(4, 6, 8), P(5, 7, 9)};
  EXPECT_THAT(PlanCompaction(p, ranges), ElementsAre(4, 5));
}

TEST(CompactionPlanTest, NegativeTimesAndStraddlers) {
  const auto ranges = DefaultCompactionRanges();
  std::vector<PartitionMeta> p = {P(1, -6, -4), P(2, -4, -2), P(3, -2, 0), P(4, 0, 2)};
  EXPECT_THAT(PlanCompaction(p, ranges), ElementsAre(1, 2, 3));
  // 5h-7h straddles the 6h windows, so only the 18h window [0, 18h) takes it, with its neighbour.
  std::vector<PartitionMeta> q = {P(1, 5, 7), P(2, 7, 9), P(3, 20, 22)};
  EXPECT_THAT(PlanCompaction(q, ranges), ElementsAre(1, 2));
  std::vector<PartitionMeta> r = {P(1, 17, 19), P(2, 19, 21), P(3, 60, 62)};  // 17h-19h fits only the 54h window.
  EXPECT_THAT(PlanCompaction(r, ranges), ElementsAre(1, 2));
  std::vector<PartitionMeta> s = {P(1, 53, 55), P(2, 55, 57), P(3, 200, 202)};  // Straddles every window.
  EXPECT_THAT(PlanCompaction(s, ranges), IsEmpty());
}

}  // namespace
}  // namespace vigil::tsdb::partition
