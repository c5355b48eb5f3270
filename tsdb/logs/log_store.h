// LogStore: Vigil's log storage (the Loki replacement's ingester and store in one), on RocksDB through tsdb/kv.
//
//   write:  Append (validates, refuses entries outside the windows) -> Commit: one kv batch with the entries
//           (a WAL record) and any new streams, synced per options -> applied to the in-memory head -> visible
//   head:   per stream, one open chunk of entries in memory; cut when it reaches chunk_target_bytes (or ages,
//           or the head exceeds max_head_bytes), compressed (zstd by default) and written to the time partition
//           of its first entry, keyed by (stream id, min time); WAL records whose entries are all in chunks are
//           deleted
//   read:   stream selection through postings (tsdb/index MemPostings), then each stream's chunks in the
//           partitions overlapping the range plus its head entries
//   aging:  Maintain() cuts old head chunks and drops whole partitions past the retention, as the metrics store
//
// Layout in the kv store: log_format.h; reasoning and figures: docs/logs.md.
//
// Durability: Commit returns after the kv write of its WAL record (with sync_commits, after an fsync), so an
// acknowledged push survives kill -9; reopening replays the WAL records into the head. Thread-safe: commits
// and maintenance are serialized; queries run concurrently with them and see a consistent view (a chunk is
// never seen twice or not at all while it moves from the head to disk).
#ifndef VIGIL_TSDB_LOGS_LOG_STORE_H_
#define VIGIL_TSDB_LOGS_LOG_STORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/metrics/registry.h"
#include "model/symbol_table.h"
#include "tsdb/index/mem_postings.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/logs/log_chunk.h"
#include "tsdb/logs/log_format.h"
#include "tsdb/logs/log_storage.h"

namespace vigil::tsdb::logs {

struct LogStoreOptions {
  // Entries older than now - retention are refused, and partitions entirely older are dropped by Maintain().
  // Zero keeps everything. vigil-store passes the metrics retention.
  absl::Duration retention = absl::Hours(24 * 15);
  // How far behind its stream's newest entry an entry may be and still be accepted (Loki 2.4+ accepts
  // out-of-order lines within max_chunk_age / 2, one hour by default).
  absl::Duration out_of_order_window = absl::Hours(1);
  // How far in the future an entry may be (Loki's creation_grace_period). Zero: no limit.
  absl::Duration max_future = absl::Minutes(10);
  // Longest line accepted (Loki's max_line_size, 256 KB); 0: no limit.
  size_t max_line_bytes = size_t{256} << 10;
  // Most labels a stream may have (Loki's max_label_names_per_series is 15; Kubernetes streams often carry more).
  size_t max_labels_per_stream = 30;
  // A head chunk is cut once its lines and metadata reach this many bytes.
  size_t chunk_target_bytes = size_t{1} << 20;
  // Maintain() cuts head chunks whose first entry arrived longer ago than this, so idle streams reach disk and
  // the WAL stays short.
  absl::Duration max_chunk_age = absl::Hours(1);
  // Bound on the head's memory; when a commit leaves it larger, the largest head chunks are cut early.
  size_t max_head_bytes = size_t{256} << 20;
  // Width of a time partition (one kv namespace; the unit retention drops). Chunks go to the partition of their
  // first entry.
  absl::Duration partition_duration = absl::Hours(24);
  // Chunk compression.
  CodecOptions codec;
  // fsync every commit (survives power loss, not only a process crash).
  bool sync_commits = false;
  // Options of the RocksDB store Open(dir, ...) creates. Chunks arrive compressed, so namespaces are not
  // compressed again unless this says so.
  kv::RocksKvOptions kv = DefaultKvOptions();

  static kv::RocksKvOptions DefaultKvOptions();
};

// What GetStoreStats() reports (for /metrics and logs).
struct LogStoreStats {
  uint64_t streams = 0;
  uint64_t head_entries = 0;
  uint64_t head_bytes = 0;
  uint64_t partitions = 0;
  uint64_t chunks = 0;
  uint64_t entries_persisted = 0;
  uint64_t line_bytes_persisted = 0;
  uint64_t stored_bytes = 0;  // Compressed chunk bytes.
  uint64_t commits = 0;
  uint64_t entries_appended = 0;
  uint64_t chunk_flush_errors = 0;
  uint64_t partitions_dropped = 0;
  uint64_t wal_entries_replayed = 0;  // At Open.
};

class LogStore : public LogStorage {
 public:
  // Opens (creating if needed) the store on a RocksDB database in `dir` and replays its WAL records. `clock`
  // must outlive the store (null: RealClock()).
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(std::string_view dir, LogStoreOptions options, Clock* clock);
  // Opens the store on an existing KvStore (a MemoryKvStore in tests; reopen by calling again on the same one).
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(std::shared_ptr<kv::KvStore> kv, LogStoreOptions options,
                                                        Clock* clock);

  // Closes (see Close), logging errors.
  ~LogStore() override;

  std::unique_ptr<LogAppender> NewAppender() override;

  absl::StatusOr<std::vector<StreamEntries>> Select(const SelectParams& params) const override;
  absl::Status ForEachStream(
      std::span<const Matcher> matchers, TimestampNs start_ns, TimestampNs end_ns, Direction direction,
      absl::FunctionRef<absl::Status(const Labels& labels, std::span<const LogEntryRef> entries)> fn) const override;
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                      TimestampNs end_ns) const override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, std::span<const Matcher> matchers,
                                                       TimestampNs start_ns, TimestampNs end_ns) const override;
  absl::StatusOr<std::vector<Labels>> Series(std::span<const Matcher> matchers, TimestampNs start_ns,
                                             TimestampNs end_ns) const override;
  absl::StatusOr<LogStats> Stats(std::span<const Matcher> matchers, TimestampNs start_ns,
                                 TimestampNs end_ns) const override;

  // Background work, called periodically (vigil-store: every minute) and by tests: cuts head chunks older than
  // max_chunk_age, deletes WAL records no longer needed, drops partitions past the retention and streams left
  // without data.
  absl::Status Maintain();

  // Cuts every head chunk to disk and deletes the WAL records (graceful shutdown; tests).
  absl::Status Flush();

  // Flushes, then refuses further commits (FailedPrecondition). Idempotent.
  absl::Status Close();

  LogStoreStats GetStoreStats() const;

  // Makes the store behave as a killed process: later commits fail and destruction neither flushes nor writes
  // anything, so a store reopened on the same kv sees exactly what a crash would have left. For tests.
  void AbandonForTesting();

  // Registers vigil_logs_* gauges and counters in `registry`; they are removed when the store is destroyed, so
  // `registry` must outlive it.
  absl::Status RegisterMetrics(metrics::Registry* registry);

  // The underlying key-value store, for tools and tests.
  kv::KvStore* kv() const { return kv_.get(); }

 private:
  class Appender;
  struct HeadStream;
  struct Partition {
    int64_t index = 0;
    PartitionRecord record;
    std::shared_ptr<kv::Namespace> ns;
  };
  // A stream's state as a query saw it, and the partitions it may read.
  struct StreamView;
  struct ReadView;
  // Entries queued by an appender for one stream.
  struct PendingStream {
    Labels labels;
    std::vector<LogEntry> entries;
  };

  LogStore(std::shared_ptr<kv::KvStore> kv, LogStoreOptions options, Clock* clock);
  absl::Status Load();

  // Checks a stream label set against the store's rules (InvalidArgument naming the problem).
  absl::Status ValidateStreamLabels(const Labels& labels) const;
  // The newest timestamp the stream `labels` has (nullopt for an unknown stream), for the out-of-order check.
  std::optional<TimestampNs> NewestTimestamp(const Labels& labels) const;
  // Commits an appender's entries (see LogAppender::Commit).
  absl::Status CommitPending(std::vector<PendingStream>* pending);

  // Appends `entries` (moved from) to the head of `s`, committed with sequence `seq`.
  void AppendToHead(HeadStream* s, std::vector<LogEntry>* entries, uint64_t seq, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cuts the head chunk of `s` to disk.
  absl::Status FlushStream(HeadStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // Cuts `streams` (ids), logging and counting failures; then deletes WAL records no longer needed.
  void FlushStreams(const std::vector<uint32_t>& ids) ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // Deletes the WAL records every entry of which is in chunks.
  absl::Status TrimWal() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status FlushAllLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status ApplyRetention() ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  int64_t PartitionOf(TimestampNs t) const;

  // Query helpers (log_store_query.cc).
  absl::StatusOr<ReadView> Snapshot(std::span<const Matcher> matchers, TimestampNs start_ns, TimestampNs end_ns,
                                    bool copy_head_entries) const;
  // The entries of one stream of `view` in [start, end), oldest first (equal times in append order).
  absl::Status CollectEntries(const ReadView& view, StreamView& stream, TimestampNs start_ns, TimestampNs end_ns,
                              std::vector<LogEntry>* out) const;
  // The same without copying lines: `out`'s lines point into `blocks` (decompressed chunks, reused from index
  // `*used` on) and into `stream`'s head entries.
  absl::Status CollectEntryRefs(const ReadView& view, const StreamView& stream, TimestampNs start_ns,
                                TimestampNs end_ns, std::deque<std::string>* blocks, size_t* used,
                                std::vector<LogEntryRef>* out) const;
  // Calls `fn` with each stored chunk of `stream` overlapping [start, end), compressed, and its base time.
  absl::Status ForEachChunk(const ReadView& view, const StreamView& stream, TimestampNs start_ns, TimestampNs end_ns,
                            absl::FunctionRef<absl::Status(std::string_view blob, TimestampNs base)> fn) const;

  std::shared_ptr<kv::KvStore> kv_;
  std::shared_ptr<kv::Namespace> default_ns_;
  const LogStoreOptions options_;
  Clock* const clock_;

  // Serializes commits, flushes and maintenance: the WAL's sequence order is the order entries reach the head.
  mutable absl::Mutex commit_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(commit_mu_) = 1;
  uint32_t next_stream_id_ ABSL_GUARDED_BY(commit_mu_) = 1;
  uint64_t wal_trimmed_below_ ABSL_GUARDED_BY(commit_mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(commit_mu_) = false;

  // Guards the stream table, the head's contents and the partition list. Writers hold commit_mu_ too.
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint32_t, std::unique_ptr<HeadStream>> streams_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Labels, uint32_t> by_labels_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Partition> partitions_ ABSL_GUARDED_BY(mu_);
  uint64_t head_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t head_entries_ ABSL_GUARDED_BY(mu_) = 0;
  LogStoreStats counters_ ABSL_GUARDED_BY(mu_);

  SymbolTable symbols_;
  MemPostings postings_{&symbols_};

  metrics::Registry* registry_ = nullptr;
  std::vector<std::string> metric_names_;
};

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_STORE_H_
