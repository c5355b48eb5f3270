// Merging partitions: the data step of compaction, separate from the catalog bookkeeping in PartitionStore.
#ifndef VIGIL_TSDB_PARTITION_COMPACTOR_H_
#define VIGIL_TSDB_PARTITION_COMPACTOR_H_

#include <memory>
#include <span>

#include "absl/status/status.h"
#include "tsdb/partition/partition_reader.h"
#include "tsdb/partition/partition_writer.h"

namespace vigil::tsdb::partition {

// Streams every series of `inputs` into `writer` in label order, merged by label set: chunks that do not overlap
// in time are copied byte for byte; chunks that overlap are decoded, merged (each timestamp once; the input
// listed first wins a tie, so pass the freshest first) and re-encoded in chunks of up to kDefaultChunkSamples.
// Reads each input once, sequentially, without filling the block cache. Errors name the input and series.
absl::Status MergePartitions(std::span<const std::shared_ptr<const PartitionReader>> inputs, PartitionWriter* writer);

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_COMPACTOR_H_
