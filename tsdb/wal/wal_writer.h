// WalWriter appends SERIES and SAMPLES records to the write-ahead log (format: docs/format/wal.md).
//
//   absl::StatusOr<std::unique_ptr<WalWriter>> wal = WalWriter::Open(fs, "/data/wal", {.sync_policy = ...});
//   VIGIL_RETURN_IF_ERROR((*wal)->LogSeries(new_series));     // before any sample of those refs
//   VIGIL_RETURN_IF_ERROR((*wal)->LogSamples(samples));       // the request may be acknowledged now
//
// A call returns once its records are handed to the OS (they survive a process crash), and fdatasynced if the
// sync policy says so (they survive power loss). Thread-safe: concurrent callers are committed as a group, one
// write and at most one fdatasync per group. Open the writer after Replay(): it always starts a new segment.
//
// Metrics are plain counters (Stats()); the owner registers them (e.g. Registry::NewCounterFunc) under the
// names it chooses, so several writers can coexist.
#ifndef VIGIL_TSDB_WAL_WAL_WRITER_H_
#define VIGIL_TSDB_WAL_WAL_WRITER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "model/sample.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/segment.h"

namespace vigil::wal {

// When appended records are fdatasynced.
enum class SyncPolicy {
  // Never: records survive a process crash (they are in the OS page cache), not power loss.
  kNone,
  // Before every call returns (one fdatasync per commit group): records survive power loss.
  kAlways,
  // When the last fdatasync is at least `sync_interval` old, by whichever call writes next (no background
  // thread). Bounds the power-loss window to about the interval while writes keep coming.
  kInterval,
};

struct WalOptions {
  // Segments are closed before they would exceed this many bytes. [kMinSegmentSize, kMaxSegmentSize].
  uint64_t segment_size = kDefaultSegmentSize;
  SyncPolicy sync_policy = SyncPolicy::kNone;
  // For kInterval; must be positive.
  absl::Duration sync_interval = absl::Seconds(1);
  // Time source for kInterval and for timing fdatasyncs. Null means RealClock().
  Clock* clock = nullptr;
};

// Counters since Open. A snapshot; reading does not wait for writers.
struct WalStats {
  uint64_t bytes_written = 0;    // Segment headers and frames appended.
  uint64_t records_written = 0;  // Frames.
  uint64_t series_written = 0;
  uint64_t samples_written = 0;
  uint64_t commits = 0;  // Commit groups (each one write per segment touched).
  uint64_t fsyncs = 0;
  absl::Duration fsync_duration;  // Total time spent in fdatasync.
  uint64_t segments_created = 0;
  uint64_t write_errors = 0;  // Failed appends and fdatasyncs.
  uint64_t checkpoints = 0;
  uint32_t current_segment = 0;
};

class WalWriter {
 public:
  // Opens the WAL in `dir` (created if missing) and starts a new segment after the existing ones. Removes
  // leftovers of interrupted segment creations. InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<WalWriter>> Open(FileSystem* fs, std::string_view dir, WalOptions options = {});

  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;
  // Closes, ignoring errors. No call may be in flight.
  ~WalWriter();

  // Logs new series. A series must be logged before (or in the same Log call as) its first samples.
  absl::Status LogSeries(std::span<const SeriesRecord> series) { return Log(series, {}); }
  // Logs samples.
  absl::Status LogSamples(std::span<const SampleRecord> samples) { return Log({}, samples); }
  // Logs series, then samples, in one commit: what a remote_write request needs with a single wait.
  // InvalidArgument (nothing written) if one series is too large for a segment. On any other error the records
  // may or may not be in the WAL; the WAL stays replayable either way (a partial record is truncated away).
  absl::Status Log(std::span<const SeriesRecord> series, std::span<const SampleRecord> samples);

  // fdatasyncs the current segment now, whatever the policy.
  absl::Status Sync();

  // Closes the current segment and starts the next; returns the new segment's number. Everything logged before
  // is in segments below that number.
  absl::StatusOr<uint32_t> Rotate();

  // Saves `live_series` as checkpoint `first_kept_segment`, then deletes the segments and checkpoints below it
  // (see checkpoint.h). `first_kept_segment` must not exceed CurrentSegment(). Writes continue meanwhile.
  absl::Status Checkpoint(std::span<const SeriesRecord> live_series, uint32_t first_kept_segment);

  // The lowest segment that may hold a sample at or after `t`, i.e. the `first_kept_segment` to pass to
  // Checkpoint once the head has persisted every sample before `t`. Knows the segments this writer created;
  // segments from before Open count as needed unless described with NoteSegmentMaxTime.
  uint32_t FirstSegmentToKeep(TimestampMs t) const;
  // Tells the writer the largest sample timestamp of an older segment (from ReplayResult::segments), so
  // FirstSegmentToKeep can release it. kMinTimestampMs for a segment without samples.
  void NoteSegmentMaxTime(uint32_t segment, TimestampMs max_t);

  // The number of the segment being written.
  uint32_t CurrentSegment() const { return current_segment_.load(std::memory_order_relaxed); }
  WalStats Stats() const;

  // Syncs (unless the policy is kNone) and closes the current segment. Later calls fail with
  // FailedPrecondition. Idempotent.
  absl::Status Close();

 private:
  struct Waiter;

  WalWriter(FileSystem* fs, std::string dir, WalOptions options);

  // Appends the batches of `group` (queued callers, oldest first) and syncs per policy.
  absl::Status CommitGroup(std::span<Waiter* const> group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Appends `pieces` (frames, in order) to the current segment with one write.
  absl::Status AppendToSegment(std::span<const std::string_view> pieces) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Makes the WAL writable: truncates a partial frame left by a failed append, opens a segment if none is.
  absl::Status PrepareToWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status RotateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status OpenSegment(uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status SyncLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  std::string SegmentPath(uint32_t index) const;

  FileSystem* const fs_;
  const std::string dir_;
  const WalOptions options_;
  Clock* const clock_;

  // Callers waiting to commit; the front one commits for everyone queued when it starts.
  absl::Mutex queue_mu_;
  std::deque<Waiter*> queue_ ABSL_GUARDED_BY(queue_mu_);

  // The file state, owned by whichever thread commits (or rotates, syncs, closes).
  mutable absl::Mutex io_mu_;
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(io_mu_);  // Null after a failed rotation or Close.
  uint32_t segment_index_ ABSL_GUARDED_BY(io_mu_) = 0;          // The last segment created.
  uint64_t segment_bytes_ ABSL_GUARDED_BY(io_mu_) = 0;          // Bytes of complete frames in it.
  bool needs_truncate_ ABSL_GUARDED_BY(io_mu_) = false;         // A failed append may have left a partial frame.
  bool closed_ ABSL_GUARDED_BY(io_mu_) = false;
  absl::Time last_sync_ ABSL_GUARDED_BY(io_mu_);
  std::string group_buffer_ ABSL_GUARDED_BY(io_mu_);
  // Largest sample timestamp per segment this writer knows about (kMinTimestampMs: none).
  std::map<uint32_t, TimestampMs> segment_max_t_ ABSL_GUARDED_BY(io_mu_);
  uint32_t first_segment_ ABSL_GUARDED_BY(io_mu_) = 0;  // The lowest segment that may still exist.

  // One checkpoint at a time.
  absl::Mutex checkpoint_mu_;

  std::atomic<uint32_t> current_segment_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> series_written_{0};
  std::atomic<uint64_t> samples_written_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<int64_t> fsync_nanos_{0};
  std::atomic<uint64_t> segments_created_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> checkpoints_{0};
};

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_WAL_WRITER_H_
