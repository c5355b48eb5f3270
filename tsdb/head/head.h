// Head: the in-memory part of the TSDB, holding the active series and their recent samples, as Prometheus' head
// block. It implements the storage interface (tsdb/storage/storage.h) and gives the db layer hooks for the WAL
// (CommitLog, replay) and for persistence (hand over closed chunks, truncate, garbage-collect).
//
//   HeadOptions opts;
//   opts.commit_log = &wal_hook;
//   VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Head> head, Head::Create(opts));
//   auto app = head->NewAppender();
//   app->Append(0, {{"__name__", "up"}, {"job", "node"}}, t, 1);
//   VIGIL_RETURN_IF_ERROR(app->Commit());   // logged through the CommitLog, then visible
//
// Layout. Series are MemSeries objects keyed twice: by ref and by label hash, each map split in 256 shards with
// their own reader/writer lock, so concurrent appenders rarely meet. Each series has its own 4-byte lock guarding
// its samples (series_mutex.h). The postings index (tsdb/index) has its own lock. Labels are interned in one
// SymbolTable. Lock order: shard, then series; the postings and symbol locks are taken alone.
//
// Chunks. Samples go to the series' open chunk (a compact buffer, see open_chunk.h), which is cut into a
// tsdb/chunk chunk at `samples_per_chunk` samples or when a sample enters a new aligned `chunk_range_ms` range, so
// no chunk spans two ranges and persistence can move whole ranges.
//
// Out of order. With `out_of_order_window_ms` > 0, a sample older than the series' newest one is accepted if it is
// within the window of it and its timestamp is not taken: it goes to a small sorted per-series buffer (cut into
// chunks, one per aligned range, at `out_of_order_capacity` samples or by CloseBefore), which readers merge with
// the in-order data. With the default 0, as in Prometheus, such samples are refused (kOutOfOrder).
//
// Lifecycle for the db layer: create; replay the WAL (ReplaySeries/ReplaySamples, EndReplay); serve appends and
// queries; periodically SetMinValidTime(t), ForEachSeriesChunksBefore(t, persist), TruncateBefore(t) for an
// aligned t.
#ifndef VIGIL_TSDB_HEAD_HEAD_H_
#define VIGIL_TSDB_HEAD_HEAD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "model/symbol_table.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/head/commit_log.h"
#include "tsdb/head/head_chunk.h"
#include "tsdb/head/mem_series.h"
#include "tsdb/index/mem_postings.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

struct HeadOptions {
  // Chunks never span two aligned ranges of this length.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // A chunk is cut when it holds this many samples (1..kMaxChunkSamples).
  size_t samples_per_chunk = kDefaultChunkSamples;
  // How much older than a series' newest sample a sample may be and still be accepted; 0 refuses every
  // out-of-order sample, as Prometheus does by default.
  int64_t out_of_order_window_ms = 0;
  // Out-of-order samples buffered per series before they are cut into a chunk (1..kMaxChunkSamples).
  size_t out_of_order_capacity = kDefaultChunkSamples;
  // Limits on new series; 0 means unlimited. Checked when a series is created (never on replay).
  size_t max_series = 0;
  size_t max_labels_per_series = 0;
  size_t max_label_name_length = 0;
  size_t max_label_value_length = 0;
  // Receives every commit before it becomes visible; not owned, must outlive the head. Null: nothing is logged
  // (tests, purely in-memory use).
  CommitLog* commit_log = nullptr;
};

// Counters of the head's activity since creation.
struct HeadStats {
  uint64_t series_created = 0;
  uint64_t series_removed = 0;
  uint64_t samples_appended = 0;
  uint64_t out_of_order_appended = 0;
  // Samples accepted by Append but refused when their commit was applied (a concurrent commit to the same series
  // made them out of order or duplicate).
  uint64_t samples_dropped_at_commit = 0;
  uint64_t commits = 0;
  uint64_t commit_failures = 0;
};

// Where the head's memory goes (estimates from capacities, in bytes).
struct HeadMemory {
  size_t series = 0;       // MemSeries objects, label ids, open chunks, out-of-order buffers, closed chunks
  size_t series_maps = 0;  // the ref and label-hash maps
  size_t postings = 0;     // the inverted index
  size_t symbols = 0;      // interned strings
  size_t total() const { return series + series_maps + postings + symbols; }
};

// What ReplaySamples did.
struct ReplayStats {
  uint64_t applied = 0;
  uint64_t duplicates_ignored = 0;
  uint64_t unknown_series = 0;  // a sample record naming a ref no series record introduced
  uint64_t rejected = 0;        // out of order or out of bounds, as the original commit would have dropped them
};

// What TruncateBefore did.
struct TruncateStats {
  uint64_t chunks_removed = 0;
  uint64_t series_removed = 0;
};

// One series as handed to persistence.
struct PersistSeries {
  SeriesRef ref;
  const Labels& labels;
  // Closed chunks whose samples are all before the cut-off, sorted by min_time. In-order chunks never overlap;
  // out-of-order chunks (HeadChunk::out_of_order) may overlap others in time, never at a timestamp.
  std::span<const HeadChunkPtr> chunks;
};

class HeadAppender;
class HeadQuerier;
class HeadSeriesSet;

class Head : public Storage {
 public:
  // Checks `options` (InvalidArgument naming the bad field) and makes an empty head.
  static absl::StatusOr<std::unique_ptr<Head>> Create(HeadOptions options);
  ~Head() override;

  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // A querier over [mint, maxt]. It and its series sets must not outlive the head; the Series they return hold
  // their own copy of the data and may.
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(TimestampMs mint, TimestampMs maxt) override;
  // An appender; see head_appender.h for the rules it applies.
  std::unique_ptr<Appender> NewAppender() override;

  // --- WAL replay (bypasses the CommitLog and the series limits) ---

  // Recreates the series `ref` with `labels`, published and marked as logged. A repeated record (same ref, same
  // labels) is ignored. If the labels already belong to another ref (the series was logged twice under two refs),
  // samples of `ref` are redirected to it until EndReplay. DataLoss if `ref` already holds other labels;
  // InvalidArgument for ref 0 or empty labels.
  absl::Status ReplaySeries(SeriesRef ref, const Labels& labels);
  // Applies sample records in order with the rules of a commit (min valid time, order, out-of-order window).
  ReplayStats ReplaySamples(std::span<const RefSample> samples);
  // Forgets the ref redirections ReplaySeries made.
  void EndReplay();

  // --- Persistence ---

  // Samples older than `t` are refused from now on (kOutOfBounds). Never moves backwards. Set it before
  // ForEachSeriesChunksBefore(t) so that no sample before `t` arrives while chunks are handed over.
  void SetMinValidTime(TimestampMs t);
  TimestampMs MinValidTime() const { return min_valid_time_.load(std::memory_order_acquire); }

  // For every series holding samples before `t`: closes its open chunk if that ends before `t`, cuts its
  // out-of-order samples before `t` into chunks, and calls `fn` with the closed chunks that end before `t`
  // (series by increasing ref; series without such chunks are skipped). With `t` aligned to chunk_range_ms those
  // chunks cover whole ranges. Stops at the first error `fn` returns and returns it. `fn` runs without head locks
  // held, so appends and queries continue meanwhile.
  absl::Status ForEachSeriesChunksBefore(TimestampMs t, absl::FunctionRef<absl::Status(const PersistSeries&)> fn);

  // Drops the closed chunks that end before `t` (call after they were persisted), then garbage-collects series
  // that hold no samples and are not part of an uncommitted append: they leave the maps and the postings, so
  // a later sample of the same labels creates a new series with a new ref. Strings stay in the symbol table.
  TruncateStats TruncateBefore(TimestampMs t);

  // Calls fn(ref, labels) for every series a CommitLog has recorded (or that was replayed), by increasing ref: what
  // a WAL checkpoint must keep so that later sample records still resolve. Series only ever touched by failed or
  // rolled-back appends are skipped (the next commit that uses them logs them). Runs without head locks held
  // during `fn`; series cannot be garbage-collected meanwhile (it excludes TruncateBefore).
  void ForEachSeries(absl::FunctionRef<void(SeriesRef, const Labels&)> fn);

  // --- Introspection ---

  // Series in memory (including ones created by an uncommitted or failed append and not yet collected).
  size_t NumSeries() const { return num_series_.load(std::memory_order_relaxed); }
  // Resident bytes: series, chunks, maps, postings and symbols. Cheap: series bytes are kept as a running total.
  size_t MemoryBytes() const { return Memory().total(); }
  HeadMemory Memory() const;
  // Bounds of the committed samples in memory: MinTime is the oldest (after a truncation at t, a lower bound no
  // greater than the oldest remaining sample nor t), MaxTime the newest ever committed. kMaxTimestampMs and
  // kMinTimestampMs before the first sample.
  TimestampMs MinTime() const { return min_time_.load(std::memory_order_acquire); }
  TimestampMs MaxTime() const { return max_time_.load(std::memory_order_acquire); }
  HeadStats Stats() const;
  const HeadOptions& options() const { return options_; }
  // The table the head's labels are interned in.
  const SymbolTable& symbols() const { return symbols_; }

 private:
  friend class HeadAppender;
  friend class HeadQuerier;
  friend class HeadSeriesSet;

  static constexpr size_t kShards = 256;

  // The maps' lock is a std::shared_mutex rather than an absl::Mutex: Debian's Abseil runs its deadlock detector
  // on every absl::Mutex operation (see series_mutex.h), too costly on the per-sample path.
  struct alignas(64) Shard {
    mutable std::shared_mutex mu;
    // Series whose ref falls in this shard. Owns nothing: series are deleted by garbage collection and ~Head.
    absl::flat_hash_map<SeriesRef, MemSeries*> by_ref;  // Guarded by mu.
    // Series whose label hash falls in this shard; colliding series are chained through MemSeries::hash_next.
    absl::flat_hash_map<uint64_t, MemSeries*> by_hash;  // Guarded by mu.
  };

  explicit Head(HeadOptions options);

  Shard& RefShard(SeriesRef ref) const { return shards_[ref % kShards]; }
  Shard& HashShard(uint64_t hash) const { return shards_[(hash >> 24) % kShards]; }

  // Whether `interned` (from symbols_) spells `labels`.
  bool LabelsEqual(const InternedLabels& interned, const Labels& labels) const;

  // Finds a live series and pins it (MemSeries::pins) so it cannot be collected, unless `held(series)` says the
  // caller pins it already; *pinned tells which happened. Null if there is no such series.
  MemSeries* FindAndPin(SeriesRef ref, absl::FunctionRef<bool(MemSeries*)> held, bool* pinned);
  MemSeries* FindAndPin(const Labels& labels, absl::FunctionRef<bool(MemSeries*)> held, bool* pinned);
  // Validates `labels` against ValidateLabels and the limits, and creates the series, pinned and unpublished
  // (or returns the existing one, pinned, if another appender created it meanwhile). Errors are RejectErrors.
  absl::StatusOr<MemSeries*> CreatePinned(const Labels& labels, absl::FunctionRef<bool(MemSeries*)> held, bool* pinned);
  void Unpin(MemSeries* series);

  // Runs f(series) for the live series `ref` with its shard's reader lock held (the series cannot be freed
  // meanwhile); f takes the series lock itself if it needs it. False if there is no such series.
  template <typename F>
  bool WithSeries(SeriesRef ref, F&& f) const {
    Shard& shard = RefShard(ref);
    std::shared_lock lock(shard.mu);
    auto it = shard.by_ref.find(ref);
    if (it == shard.by_ref.end()) return false;
    f(*it->second);
    return true;
  }

  // Adds the change of series.MemoryBytes() since the last call to the running total.
  void Reaccount(MemSeries& series) ABSL_EXCLUSIVE_LOCKS_REQUIRED(series.mu());
  // Widens [min_time_, max_time_] to include [mint, maxt].
  void ExtendTimeRange(TimestampMs mint, TimestampMs maxt);
  // Publishes (adds to the postings) the series that are not yet, exactly once each.
  void Publish(std::span<MemSeries* const> series);

  const HeadOptions options_;
  const SeriesOptions series_options_;
  SymbolTable symbols_;
  MemPostings postings_{&symbols_};
  std::unique_ptr<Shard[]> shards_;

  std::atomic<SeriesRef> next_ref_{1};
  std::atomic<size_t> num_series_{0};
  std::atomic<int64_t> series_bytes_{0};
  std::atomic<TimestampMs> min_valid_time_{kMinTimestampMs};
  std::atomic<TimestampMs> min_time_{kMaxTimestampMs};
  std::atomic<TimestampMs> max_time_{kMinTimestampMs};

  std::atomic<uint64_t> series_created_{0};
  std::atomic<uint64_t> series_removed_{0};
  std::atomic<uint64_t> samples_appended_{0};
  std::atomic<uint64_t> ooo_appended_{0};
  std::atomic<uint64_t> dropped_at_commit_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> commit_failures_{0};

  // Serializes TruncateBefore and ForEachSeriesChunksBefore with each other.
  absl::Mutex maintenance_mu_;
  absl::Mutex replay_mu_;
  absl::flat_hash_map<SeriesRef, SeriesRef> replay_aliases_ ABSL_GUARDED_BY(replay_mu_);
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_HEAD_H_
