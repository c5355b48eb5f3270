#include "tsdb/partition/compaction_plan.h"

#include <algorithm>
#include <map>

namespace vigil::tsdb::partition {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::vector<int64_t> DefaultCompactionRanges() { return {2 * kHourMs, 6 * kHourMs, 18 * kHourMs, 54 * kHourMs}; }

std::vector<uint64_t> PlanCompaction(std::span<const PartitionMeta> partitions, std::span<const int64_t> ranges_ms) {
  std::vector<const PartitionMeta*> sorted;
  for (const PartitionMeta& p : partitions) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const PartitionMeta* a, const PartitionMeta* b) {
    if (a->range.min_time != b->range.min_time) return a->range.min_time < b->range.min_time;
    return a->id < b->id;
  });

  // 1. Overlap clusters.
  for (size_t i = 0; i < sorted.size();) {
    TimestampMs cluster_max = sorted[i]->range.max_time;
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j]->range.min_time <= cluster_max) {
      cluster_max = std::max(cluster_max, sorted[j]->range.max_time);
      ++j;
    }
    if (j - i >= 2) {
      std::vector<uint64_t> ids;
      for (size_t k = i; k < j; ++k) ids.push_back(sorted[k]->id);
      return ids;
    }
    i = j;
  }

  // 2. Closed windows of each larger range.
  TimestampMs newest_start = kMinTimestampMs;
  for (const PartitionMeta* p : sorted) newest_start = std::max(newest_start, p->range.min_time);
  for (size_t r = 1; r < ranges_ms.size(); ++r) {
    const int64_t range = ranges_ms[r];
    if (range <= 0) continue;
    std::map<int64_t, std::vector<uint64_t>> windows;
    for (const PartitionMeta* p : sorted) {
      const int64_t w = FloorDiv(p->range.min_time, range);
      if (FloorDiv(p->range.max_time, range) != w) continue;             // Straddles windows.
      if (p->range.max_time - p->range.min_time >= range - 1) continue;  // Already this size.
      int64_t end;                                                       // Exclusive.
      if (__builtin_mul_overflow(w + 1, range, &end)) continue;
      if (newest_start < end) continue;  // Not closed yet.
      windows[w].push_back(p->id);
    }
    for (auto& [w, ids] : windows) {
      if (ids.size() >= 2) return ids;
    }
  }
  return {};
}

}  // namespace vigil::tsdb::partition
