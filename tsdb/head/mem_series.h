// MemSeries: one series of the head: its labels, its open chunk, its closed chunks and its out-of-order buffer,
// and the rules that decide whether a sample may be added.
//
// Internal to tsdb/head. Every method requires mu() held unless it says otherwise; `ref()` and `labels()` are
// immutable and need no lock.
#ifndef VIGIL_TSDB_HEAD_MEM_SERIES_H_
#define VIGIL_TSDB_HEAD_MEM_SERIES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "model/sample.h"
#include "model/symbol_table.h"
#include "tsdb/head/head_chunk.h"
#include "tsdb/head/open_chunk.h"
#include "tsdb/head/series_iterator.h"
#include "tsdb/head/series_mutex.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// The per-series part of HeadOptions.
struct SeriesOptions {
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  uint32_t samples_per_chunk = 240;
  // Samples up to this much older than the series' newest sample are accepted out of order; 0 disables.
  int64_t out_of_order_window_ms = 0;
  // The out-of-order buffer is cut into chunks when it holds this many samples.
  uint32_t out_of_order_capacity = 240;
};

// What adding a sample to a series does.
enum class AppendVerdict : uint8_t {
  kInOrder,            // newer than every sample: goes to the open chunk
  kOutOfOrder,         // older, within the window, timestamp free: goes to the out-of-order buffer
  kDuplicateIgnored,   // same timestamp and bit-identical value as a stored sample: accepted, nothing stored
  kRejectOutOfOrder,   // older than the newest sample by more than the window
  kRejectDuplicate,    // same timestamp as a stored sample, different value
  kRejectOutOfBounds,  // older than the head's minimum valid time
};

// True for the verdicts that refuse the sample.
inline bool IsReject(AppendVerdict v) { return v >= AppendVerdict::kRejectOutOfOrder; }

class MemSeries {
 public:
  MemSeries(SeriesRef ref, InternedLabels labels) : ref_(ref), labels_(std::move(labels)) {}
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  // Immutable; no lock needed.
  SeriesRef ref() const { return ref_; }
  const InternedLabels& labels() const { return labels_; }

  // The lock guarding everything below (see series_mutex.h for why it is not an absl::Mutex).
  SeriesMutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }

  // Whether any in-order sample was ever added (it may have been truncated since).
  bool has_newest() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return newest_t_ != kMinTimestampMs; }
  // The newest in-order sample's timestamp (kMinTimestampMs if none) and value bits.
  TimestampMs newest_time() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return newest_t_; }
  uint64_t newest_bits() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return newest_bits_; }

  // Classifies sample (t, bits) as Append would, but against a newest sample (newest_t, newest_bits) given by the
  // caller: an appender passes the newer of the series' and its own pending samples. For kRejectDuplicate and
  // kDuplicateIgnored, sets *existing to the stored value's bits.
  AppendVerdict Classify(TimestampMs t, uint64_t bits, TimestampMs newest_t, uint64_t newest_bits,
                         const SeriesOptions& opts, TimestampMs min_valid_time, uint64_t* existing) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Adds the sample if Classify (against the series' own newest sample) accepts it, cutting the open chunk at
  // opts.samples_per_chunk samples or when t enters a new aligned chunk range. Returns the verdict.
  AppendVerdict Append(TimestampMs t, double v, const SeriesOptions& opts, TimestampMs min_valid_time)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Whether any stored sample lies in [mint, maxt].
  bool Overlaps(TimestampMs mint, TimestampMs maxt) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Oldest and newest stored timestamps (all of chunks, open chunk and out-of-order samples); kMaxTimestampMs and
  // kMinTimestampMs when nothing is stored.
  TimestampMs MinTime() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  TimestampMs MaxTime() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Whether nothing is stored.
  bool Empty() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return chunks_.empty() && open_.empty() && (ooo_ == nullptr || ooo_->empty());
  }

  // The data a reader of [mint, maxt] needs.
  SeriesSnapshot Snapshot(TimestampMs mint, TimestampMs maxt) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Cuts the open chunk if all its samples are before `t`, and cuts the out-of-order samples before `t` into
  // chunks (one per aligned range), so that every sample before `t` is in a closed chunk.
  void CloseBefore(TimestampMs t, const SeriesOptions& opts) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends to `out` the closed chunks whose samples are all before `t`, sorted by min_time.
  void ChunksBefore(TimestampMs t, std::vector<HeadChunkPtr>* out) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Drops the closed chunks whose samples are all before `t`. Returns how many.
  size_t TruncateBefore(TimestampMs t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Bytes this series holds: the object, its labels' ids, the open chunk, the out-of-order buffer and the
  // closed chunks.
  size_t MemoryBytes() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Bookkeeping of the head (see head.h). Guarded by mu_ unless noted.
  // Appenders holding this series in an uncommitted batch; a pinned series is never garbage-collected.
  uint32_t pins ABSL_GUARDED_BY(mu_) = 0;
  // Set when garbage collection unlinks the series; lookups then treat it as absent.
  bool deleted ABSL_GUARDED_BY(mu_) = false;
  // MemoryBytes() as last added to the head's total.
  size_t accounted_bytes ABSL_GUARDED_BY(mu_) = 0;
  // Whether a CommitLog accepted a record of this series (then later commits need not log it again).
  std::atomic<bool> logged{false};
  // Whether the series is in the postings index (visible to queries).
  std::atomic<bool> published{false};
  // Next series in the same hash bucket of the head's label-hash map; guarded by that map's shard lock.
  MemSeries* hash_next = nullptr;

 private:
  // Cuts the open chunk into a closed chunk.
  void CutOpen() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cuts the out-of-order samples [0, n) into chunks, one per aligned range, and removes them from the buffer.
  void CutOutOfOrder(size_t n, const SeriesOptions& opts) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Encodes ts/vs as a chunk and inserts it into chunks_ in min_time order.
  void AddChunk(const int64_t* ts, const double* vs, size_t n, bool out_of_order) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The stored value bits at timestamp t, if any sample has it.
  bool FindSample(TimestampMs t, uint64_t* bits) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const SeriesRef ref_;
  const InternedLabels labels_;
  mutable SeriesMutex mu_;
  TimestampMs newest_t_ ABSL_GUARDED_BY(mu_) = kMinTimestampMs;
  uint64_t newest_bits_ ABSL_GUARDED_BY(mu_) = 0;
  OpenChunk open_ ABSL_GUARDED_BY(mu_);
  // Sorted by min_time; in-order chunks never overlap each other, out-of-order ones may overlap any.
  std::vector<HeadChunkPtr> chunks_ ABSL_GUARDED_BY(mu_);
  size_t chunk_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Accepted out-of-order samples, sorted by timestamp; null until the first one.
  std::unique_ptr<std::vector<Sample>> ooo_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_MEM_SERIES_H_
