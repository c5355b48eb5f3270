// The metrics TSDB of vigil-store: the in-memory head, its write-ahead log, and the persisted partitions,
// behind the Storage interface.
//
//   write:  Appender -> head (validates) -> Commit -> WAL (durable per sync policy) -> visible
//   read:   Querier  -> head querier + partition querier, merged (head wins on equal timestamps)
//   aging:  Maintain() moves whole aligned chunk ranges from the head to a new partition, checkpoints the WAL,
//           drops old partitions by retention (time and size) and compacts small partitions into larger ones.
//
// Directory layout under DbOptions::dir:
//   wal/          segments and checkpoints (docs/format/wal.md)
//   partitions/   the RocksDB database of persisted partitions (docs/format/partition.md)
#ifndef VIGIL_TSDB_DB_DB_H_
#define VIGIL_TSDB_DB_DB_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/metrics/registry.h"
#include "tsdb/head/head.h"
#include "tsdb/partition/partition_store.h"
#include "tsdb/storage/storage.h"
#include "tsdb/wal/wal_writer.h"

namespace vigil::tsdb {

struct DbOptions {
  std::string dir;
  // Samples older than now - retention are refused (kTooOld) and partitions entirely older are dropped.
  // Zero disables time-based retention.
  absl::Duration retention = absl::Hours(24 * 15);
  // Largest size of the data directory (partitions + WAL); the oldest partitions are dropped beyond it.
  // Zero disables size-based retention.
  int64_t retention_bytes = 0;
  // Head settings: chunk range, out-of-order window, limits. commit_log is set by the Db.
  HeadOptions head;
  wal::WalOptions wal;
  partition::PartitionStoreOptions partitions;
  // Persist the head's oldest range once the head spans more than this many chunk ranges (Prometheus: 1.5).
  double persist_after_ranges = 1.5;
};

// What Open found and did, for the start-up log line and /metrics.
struct OpenReport {
  uint64_t wal_series = 0;
  uint64_t wal_samples = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_corruptions = 0;
  uint64_t wal_torn_bytes = 0;
  absl::Duration replay_duration;
};

class Db : public Storage {
 public:
  // Opens (creating if missing) the database in options.dir and replays the WAL into the head. Damage found in
  // the WAL is logged and counted, never fatal: what can be read is recovered. `clock` and `registry` must
  // outlive the Db; `registry` may be null.
  static absl::StatusOr<std::unique_ptr<Db>> Open(DbOptions options, Clock* clock, metrics::Registry* registry);

  // Flushes the head to partitions and closes (see Close). Errors are logged.
  ~Db() override;

  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(TimestampMs mint, TimestampMs maxt) override;
  std::unique_ptr<Appender> NewAppender() override;

  // One round of background work; the store calls it periodically (every minute), and at once when a commit
  // leaves the head ready to persist (see AwaitMaintenance); tests call it directly. Persists the head's old
  // ranges, checkpoints the WAL, applies retention, compacts partitions.
  absl::Status Maintain();
  // Blocks until `timeout` passes, a commit finds the head spanning more than persist_after_ranges chunk ranges
  // (as Prometheus' appender triggers a head compaction), or WakeMaintenance is called; then clears the request.
  // A backfill is thus persisted while it streams in, rather than all at once a minute later with the whole of
  // it held in memory.
  void AwaitMaintenance(absl::Duration timeout);
  void WakeMaintenance();
  // Whether a maintenance round was requested and not yet awaited.
  bool MaintenanceRequested() const { return maintenance_requested_.load(std::memory_order_acquire); }

  // Persists everything in the head (open chunks included) to partitions and empties the WAL, then closes.
  // Graceful shutdown calls this so the data directory holds compact partitions and a small WAL. Idempotent.
  absl::Status Close();

  const OpenReport& open_report() const { return open_report_; }
  Head& head() { return *head_; }
  partition::PartitionStore& partitions() { return *partitions_; }
  // Bytes of the WAL directory (segments and checkpoints).
  uint64_t WalBytes() const;

 private:
  class WalCommitLog;
  class DbAppender;

  Db(DbOptions options, Clock* clock);
  absl::Status Replay();
  // Moves every closed head chunk before `cut` to partitions and drops it from the head and the WAL.
  absl::Status PersistBefore(TimestampMs cut) ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintain_mu_);
  absl::Status RegisterMetrics(metrics::Registry* registry);

  DbOptions options_;
  Clock* clock_;
  // Declaration order is destruction order reversed: the head goes first, then its commit log and the WAL.
  std::unique_ptr<partition::PartitionStore> partitions_;
  std::unique_ptr<wal::WalWriter> wal_;
  std::unique_ptr<WalCommitLog> commit_log_;
  std::unique_ptr<Head> head_;
  OpenReport open_report_;
  // Whether the head spans more than persist_after_ranges chunk ranges.
  bool PersistDue() const;

  absl::Mutex maintain_mu_;
  std::atomic<bool> maintenance_requested_{false};
  absl::Mutex wake_mu_;
  bool wake_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool closed_ ABSL_GUARDED_BY(maintain_mu_) = false;
  std::atomic<uint64_t> rejected_too_old_{0};
  std::atomic<uint64_t> persisted_chunks_{0};
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_DB_DB_H_
