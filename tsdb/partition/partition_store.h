// PartitionStore: the persisted part of the TSDB. Closed chunks from the head are written here as immutable
// time partitions, one RocksDB column family each (docs/format/partition.md); queries read every partition
// overlapping their range; retention drops whole partitions; compaction merges small adjacent partitions into
// larger ones.
//
//   auto store = *PartitionStore::Open("/data/partitions", {});
//   std::vector<SeriesChunks> series = ...;                       // from the head: labels + encoded chunks
//   PartitionMeta meta = *store->WritePartition({mint, maxt}, series);
//   std::unique_ptr<Querier> q = *store->NewQuerier(t0, t1);
//   store->Compact();                                             // e.g. after each head flush
//   store->ApplyRetention(now, absl::Hours(24 * 15), 0);
//
// Crash safety: a partition becomes visible only when its meta record is written to the catalog (synced),
// after its data is flushed; compaction swaps inputs for the output in one catalog batch before dropping the
// inputs. Open drops column families the catalog does not mention (leftovers of a crash). Thread-safe: writes,
// compaction and retention are serialized; queriers read a snapshot of the partition list and are never
// blocked by them.
#ifndef VIGIL_TSDB_PARTITION_PARTITION_STORE_H_
#define VIGIL_TSDB_PARTITION_PARTITION_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/metrics/registry.h"
#include "model/labels.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/partition/partition_format.h"
#include "tsdb/partition/partition_reader.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb::partition {

// One encoded chunk handed to WritePartition (docs/format/chunk.md). min/max time must match its header.
struct ChunkData {
  std::string bytes;
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;
};

// One series handed to WritePartition: its labels and its chunks (any order; they are sorted).
struct SeriesChunks {
  Labels labels;
  std::vector<ChunkData> chunks;
};

struct PartitionStoreOptions {
  // Options of the RocksDB store Open(dir, ...) creates.
  kv::RocksKvOptions kv;
  // Compaction ranges in ms, ascending; the first is the range partitions are written with.
  std::vector<int64_t> compaction_ranges_ms;  // Empty: DefaultCompactionRanges().
  // Size at which a partition write is cut into another batch.
  size_t write_batch_bytes = 4 << 20;
  // Compact each new partition's column family into one sorted run before it becomes visible.
  bool compact_after_write = true;
  // Times compactions (for Stats and metrics). Null: RealClock().
  Clock* clock = nullptr;
  // Test hook, called at the named points of a write or compaction: "write:data_flushed" (data durable, catalog
  // not yet written), "compact:data_flushed" (output durable, catalog not yet changed), "compact:catalog_written"
  // (inputs not yet dropped), "retention:catalog_written". A non-OK return stops the operation right there,
  // cleaning nothing up, as a crash would; the store must then be discarded and reopened.
  std::function<absl::Status(std::string_view point)> test_hook;
};

// What Stats() reports.
struct PartitionStoreStats {
  uint64_t partitions = 0;
  uint64_t series = 0;  // Summed over partitions: a series in two partitions counts twice.
  uint64_t chunks = 0;
  uint64_t samples = 0;
  uint64_t bytes = 0;  // On disk, all partitions, measured now.
  uint64_t compactions = 0;
  double compaction_seconds = 0;  // Total time spent compacting since Open.
  uint64_t partitions_dropped_by_retention = 0;
};

// What a Compact() call did.
struct CompactionResult {
  std::vector<PartitionMeta> outputs;
  std::vector<PartitionMeta> inputs;
  absl::Duration duration;
};

class PartitionStore : public Queryable {
 public:
  // Opens (creating if needed) the store in directory `dir` on RocksDB.
  static absl::StatusOr<std::unique_ptr<PartitionStore>> Open(std::string_view dir,
                                                              const PartitionStoreOptions& options);
  // Opens the store on an existing KvStore (a MemoryKvStore in tests; reopen by calling again on the same one).
  static absl::StatusOr<std::unique_ptr<PartitionStore>> Open(std::shared_ptr<kv::KvStore> kv,
                                                              const PartitionStoreOptions& options);

  ~PartitionStore() override;

  // Writes a partition covering `range` (every chunk must lie inside it) with `series`, atomically: after a
  // crash at any point, it is either entirely there after reopening or not at all. Series without chunks are
  // skipped. InvalidArgument for duplicate label sets, empty labels, undecodable chunks, chunks whose header
  // disagrees with the given times, chunks outside the range, or two chunks of a series starting together.
  absl::StatusOr<PartitionMeta> WritePartition(TimeRange range, std::span<const SeriesChunks> series);

  // A Querier over every partition overlapping [mint, maxt] (see PartitionQuerier).
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(TimestampMs mint, TimestampMs maxt) override;

  // Drops whole partitions, oldest first: every partition whose max time is before now - max_age (max_age of
  // zero or less: no age limit), then more until the partitions occupy at most max_bytes (0: no size limit).
  // Returns the dropped partitions' metas.
  absl::StatusOr<std::vector<PartitionMeta>> ApplyRetention(TimestampMs now, absl::Duration max_age,
                                                            uint64_t max_bytes);

  // Runs compactions as planned by PlanCompaction until none is left. Each merges its inputs into a new
  // partition with a rewritten index, crash-safely (see the file comment).
  absl::StatusOr<CompactionResult> Compact();

  // The partitions, oldest first.
  std::vector<PartitionMeta> Partitions() const;
  // The compaction ranges in use (ms, ascending; the first is the range partitions are written with).
  const std::vector<int64_t>& compaction_ranges_ms() const { return options_.compaction_ranges_ms; }
  PartitionStoreStats Stats() const;

  // Registers vigil_tsdb_partitions, vigil_tsdb_partition_bytes, vigil_tsdb_partition_samples,
  // vigil_tsdb_compactions_total, vigil_tsdb_compaction_seconds_total and
  // vigil_tsdb_retention_dropped_partitions_total in `registry`; they are removed again when the store is
  // destroyed, so `registry` must outlive it.
  absl::Status RegisterMetrics(metrics::Registry* registry);

  // The underlying key-value store, for tools and tests.
  kv::KvStore* kv() const { return kv_.get(); }

 private:
  PartitionStore(std::shared_ptr<kv::KvStore> kv, const PartitionStoreOptions& options);
  absl::Status Load();
  absl::Status Hook(std::string_view point);
  // Creates the namespace for a new partition and returns its id.
  absl::StatusOr<std::pair<uint64_t, std::shared_ptr<kv::Namespace>>> NewPartitionNamespace()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Flushes, optionally compacts and measures a just-written partition.
  absl::Status Seal(const kv::Namespace& ns, PartitionMeta* meta);
  absl::Status WriteCatalog(kv::WriteBatch* batch);
  // Best-effort removal of a namespace whose write failed (a leftover is also removed at the next Open).
  void Discard(const kv::Namespace& ns);
  // One compaction of `ids`.
  absl::Status CompactOnce(const std::vector<uint64_t>& ids, CompactionResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  std::vector<std::shared_ptr<const PartitionReader>> Snapshot() const;
  uint64_t PartitionBytes(const PartitionReader& p) const;

  std::shared_ptr<kv::KvStore> kv_;
  PartitionStoreOptions options_;
  Clock* clock_;
  // Serializes writes, compaction and retention.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(write_mu_) = 1;
  mutable absl::Mutex mu_;
  std::map<uint64_t, std::shared_ptr<const PartitionReader>> partitions_ ABSL_GUARDED_BY(mu_);
  uint64_t compactions_ ABSL_GUARDED_BY(mu_) = 0;
  double compaction_seconds_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t retention_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  metrics::Registry* registry_ = nullptr;
  std::vector<std::string> metric_names_;
};

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_STORE_H_
