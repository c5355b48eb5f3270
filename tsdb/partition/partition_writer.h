// PartitionWriter: fills one partition's namespace from a stream of series in label order.
//
// Used by PartitionStore for new partitions and for compaction results. Writes go in bounded batches without
// the RocksDB WAL; Finish flushes them, so when it returns the data is durable — and still invisible until the
// caller records the meta in the catalog (docs/format/partition.md, "Writing").
#ifndef VIGIL_TSDB_PARTITION_PARTITION_WRITER_H_
#define VIGIL_TSDB_PARTITION_PARTITION_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/partition/partition_format.h"

namespace vigil::tsdb::partition {

class PartitionWriter {
 public:
  // Writes into `ns` (new and empty), cutting batches at about `batch_bytes`.
  PartitionWriter(kv::KvStore* kv, std::shared_ptr<kv::Namespace> ns, size_t batch_bytes);

  // Starts the next series. Labels must be non-empty, sort strictly after the previous series' (Compare), and
  // have no '\0' in a name; otherwise InvalidArgument naming the labels.
  absl::Status StartSeries(const Labels& labels);

  // Adds a chunk to the current series. Its header must parse, hold at least one sample, and start after the
  // previous chunk of the series started.
  absl::Status AddChunk(std::string_view chunk);

  // Writes the postings and listing, flushes the namespace and returns the partition's meta (bytes not set).
  absl::StatusOr<PartitionMeta> Finish(uint64_t id, TimeRange range, uint32_t level);

  uint32_t num_series() const { return num_series_; }
  uint64_t num_samples() const { return num_samples_; }

 private:
  absl::Status MaybeWrite();

  kv::KvStore* kv_;
  std::shared_ptr<kv::Namespace> ns_;
  size_t batch_bytes_;
  std::unique_ptr<kv::WriteBatch> batch_;
  std::string buf_;
  Labels last_labels_;
  uint32_t num_series_ = 0;
  uint64_t num_chunks_ = 0;
  uint64_t num_samples_ = 0;
  int64_t max_chunk_span_ = 0;
  bool series_has_chunk_ = false;
  TimestampMs last_chunk_min_ = 0;
  // "name\0value" -> ids, in ascending order as series arrive in id order.
  absl::flat_hash_map<std::string, std::vector<uint32_t>> postings_;
};

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_WRITER_H_
