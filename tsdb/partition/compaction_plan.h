// Which partitions to compact next: a pure function of the partitions' metas, so the policy is testable alone.
#ifndef VIGIL_TSDB_PARTITION_COMPACTION_PLAN_H_
#define VIGIL_TSDB_PARTITION_COMPACTION_PLAN_H_

#include <cstdint>
#include <span>
#include <vector>

#include "tsdb/partition/partition_format.h"

namespace vigil::tsdb::partition {

// Prometheus' default block ranges: 2h, then each range 3x the previous (see docs/format/partition.md).
std::vector<int64_t> DefaultCompactionRanges();

// The ids of the partitions to merge next (at least two), or none. In order of preference:
//  1. partitions whose time ranges overlap (each overlap cluster, oldest first), so reads stop merging them;
//  2. for each range r of `ranges_ms` after the first, smallest first: the partitions lying entirely inside one
//     aligned window [k*r, (k+1)*r) and shorter than r, once the window is closed — some partition starts at or
//     after its end, so the head will not add to it — and holds at least two of them (oldest window first).
std::vector<uint64_t> PlanCompaction(std::span<const PartitionMeta> partitions, std::span<const int64_t> ranges_ms);

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_COMPACTION_PLAN_H_
