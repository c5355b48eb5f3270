// A disk-backed FIFO queue of opaque byte records, the agent's shipping buffer: collectors (and later log and
// trace pipelines) append ready-to-send request bodies, one sender thread per destination peeks the oldest,
// sends it, and acknowledges it only once the destination accepted it. The format is in docs/shipping.md.
//
//   DiskQueueOptions options;
//   options.max_bytes = 512 << 20;
//   absl::StatusOr<std::unique_ptr<DiskQueue>> q = DiskQueue::Open(RealFileSystem(), "/var/lib/vigil/q0", options);
//   (*q)->Append(body, /*items=*/2000);                  // producer thread
//
//   QueueRecord rec;                                      // sender thread
//   while ((*q)->WaitForRecord()) {
//     absl::StatusOr<bool> got = (*q)->Peek(&rec);
//     if (got.ok() && *got && Send(rec.data)) (*q)->Ack(rec.id);
//   }
//
// Guarantees:
// - Order: records are delivered in the order Append returned.
// - At least once: a record leaves the queue only through Ack (or a drop, below). After a crash or restart,
//   every record not yet acknowledged is delivered again; acknowledged ones are not (the acknowledged position
//   is persisted in an acknowledgement log), up to the sync policy's window for the acknowledgements themselves.
// - Durability: an appended record survives kill -9 as soon as Append returns; power loss per SyncPolicy.
// - Recovery: Open truncates a torn tail; a corrupt region inside a segment is logged, skipped and counted
//   (corrupt_regions), never fatal. A record whose bytes changed on disk after Open is skipped and counted when
//   Peek reads it.
// - Bound: when the records in the queue exceed max_bytes, the oldest are dropped and counted
//   (dropped_records/bytes/items), even one the sender is sending (its later Ack is then a no-op).
//
// Thread-safe: any number of producers and consumers may call concurrently (records are delivered to whoever
// peeks; with several consumers each must Ack only what it peeked). Appends are serialised among themselves;
// Peek and Ack do not wait for an append's fsync.
#ifndef VIGIL_EXPORTERS_QUEUE_DISK_QUEUE_H_
#define VIGIL_EXPORTERS_QUEUE_DISK_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/metrics/metric.h"
#include "exporters/queue/segment_format.h"

namespace vigil::queue {

// When appended records and acknowledgements are fdatasynced.
enum class SyncPolicy {
  // Never: records survive a crash of the process (they are in the OS page cache), not power loss.
  kNone,
  // Before every Append and Ack returns: records survive power loss.
  kAlways,
  // When the last fdatasync is at least `sync_interval` old, by whichever Append or Ack writes next (no
  // background thread), and on Sync() and Close(). Bounds the power-loss window while writes keep coming.
  kInterval,
};

// Metrics a DiskQueue keeps up to date. Every pointer may be null; the owner (e.g. a sender registering them with
// its own labels) keeps them alive for the queue's lifetime.
struct QueueMetrics {
  metrics::Gauge* records = nullptr;            // Records in the queue.
  metrics::Gauge* bytes = nullptr;              // Payload bytes of those records.
  metrics::Gauge* items = nullptr;              // Sum of their item counts (e.g. samples pending).
  metrics::Counter* dropped_records = nullptr;  // Dropped to honour max_bytes, or unreadable.
  metrics::Counter* dropped_bytes = nullptr;
  metrics::Counter* dropped_items = nullptr;
  metrics::Counter* corrupt_regions = nullptr;  // Corrupt regions skipped at Open, corrupt records at Peek.
};

struct DiskQueueOptions {
  // Bound on the payload bytes of the records in the queue; beyond it the oldest are dropped. Must be positive.
  // Disk use can exceed it by about one segment plus frame headers (segments are removed whole).
  uint64_t max_bytes = uint64_t{256} << 20;
  // A new segment is started before one would exceed this many bytes (a larger record gets a segment of its
  // own). At least 64.
  uint64_t segment_bytes = uint64_t{8} << 20;
  SyncPolicy sync_policy = SyncPolicy::kInterval;
  // For kInterval; must be positive.
  absl::Duration sync_interval = absl::Seconds(1);
  // Time source for kInterval. Null means RealClock().
  Clock* clock = nullptr;
  // Kept up to date when set; see QueueMetrics.
  QueueMetrics metrics;
};

// One record handed out by Peek.
struct QueueRecord {
  // Identifies the record for Ack. Increases with every record; meaningful only within one DiskQueue object.
  uint64_t id = 0;
  // The bytes given to Append.
  std::string data;
  // The item count given to Append.
  uint32_t items = 0;
};

// Counters and sizes; a snapshot.
struct DiskQueueStats {
  uint64_t records = 0;           // In the queue now.
  uint64_t bytes = 0;             // Payload bytes in the queue now.
  uint64_t items = 0;             // Items in the queue now.
  uint64_t appended_records = 0;  // Since Open.
  uint64_t acked_records = 0;     // Since Open.
  uint64_t dropped_records = 0;   // Since Open: to honour max_bytes, or unreadable at Peek.
  uint64_t dropped_bytes = 0;
  uint64_t dropped_items = 0;
  uint64_t corrupt_regions = 0;  // Since Open (including those Open found).
  uint64_t corrupt_bytes = 0;    // Bytes skipped in those regions (for a corrupt record at Peek, its payload).
  uint64_t truncated_bytes = 0;  // Torn tails cut off by Open.
  uint64_t segments = 0;         // Segment files now, the one being appended to included.
};

class DiskQueue {
 public:
  // Opens the queue in `dir` (created if missing), recovering what an earlier process left: segments wholly
  // acknowledged are removed, torn tails truncated, corrupt regions skipped (logged and counted), and appends go
  // to a new segment. If the records found exceed max_bytes, the oldest are dropped. InvalidArgument for bad
  // options; file system errors (permissions, I/O) are returned naming the path. `fs` must outlive the queue.
  static absl::StatusOr<std::unique_ptr<DiskQueue>> Open(FileSystem* fs, std::string_view dir,
                                                         DiskQueueOptions options = {});

  // Closes (see Close), logging an error it returns.
  ~DiskQueue();
  DiskQueue(const DiskQueue&) = delete;
  DiskQueue& operator=(const DiskQueue&) = delete;

  // Appends one record carrying `items` (an item count the queue sums for metrics: samples, log lines, spans).
  // When it returns OK the record is in the OS page cache (and on disk per the sync policy), and visible to
  // Peek. InvalidArgument for an empty record or one larger than kMaxRecordSize or max_bytes; file system errors
  // (a full disk) are returned and the record is not queued; the next Append starts a new segment. May drop
  // the oldest records to honour max_bytes. Fails with FailedPrecondition after Close.
  absl::Status Append(std::string_view data, uint32_t items = 1) { return Append({}, data, items); }
  // The same for a record given in two parts, head then rest: one record whose data is their concatenation.
  absl::Status Append(std::string_view head, std::string_view rest, uint32_t items);

  // Copies the oldest record into *out and returns true, or returns false when the queue is empty. The record
  // stays in the queue until Ack(out->id). A record whose checksum no longer matches is dropped and counted as
  // corrupt, and the next one is returned. I/O errors reading the record are returned (the record stays).
  absl::StatusOr<bool> Peek(QueueRecord* out);

  // Calls `fn` with each record in the queue now, oldest first, without removing any: for a producer that must
  // know after a restart what it had already queued (the log tailer resumes reading after it). Records whose
  // checksum does not match are skipped (Peek drops them later). I/O errors are returned.
  absl::Status ForEach(const std::function<void(const QueueRecord&)>& fn);

  // Removes record `id`, which must be the oldest, and persists the new oldest position (so a restart does not
  // deliver it again). A record already gone (acknowledged, or dropped meanwhile) is a no-op returning OK.
  // FailedPrecondition for an id newer than the oldest record (acknowledge in order). Errors writing the
  // acknowledgement log are returned; the record is removed from this process's queue all the same.
  absl::Status Ack(uint64_t id);

  // Blocks until the queue holds a record (returns true) or Shutdown was called (returns false, also when
  // records remain). The consumer's wait: no polling, no sleeping.
  bool WaitForRecord();
  // Blocks until the queue is empty (returns true) or Shutdown was called (returns false). For draining and
  // tests.
  bool WaitUntilEmpty();
  // Wakes every waiter and makes later waits return false at once. Appends, Peek and Ack keep working.
  void Shutdown();

  // fdatasyncs what was appended and acknowledged so far, whatever the policy.
  absl::Status Sync();
  // Syncs (unless the policy is kNone) and closes the files. Later Appends fail; Peek and Ack keep working on
  // what is queued but persist nothing. Idempotent.
  absl::Status Close();

  DiskQueueStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Entry {
    uint64_t id = 0;
    Position pos;  // Of the frame header.
    uint32_t length = 0;
    uint32_t items = 0;
  };

  DiskQueue(FileSystem* fs, std::string dir, DiskQueueOptions options);

  absl::Status Recover();
  absl::Status RecoverSegment(uint64_t index, Position acked);
  // Starts segment `index` for appending.
  absl::Status StartSegment(uint64_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status SyncSegmentIfDue(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // Removes the oldest entry, updating sizes; `dropped` counts it as dropped.
  void PopFront(bool dropped) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the oldest records while the queue exceeds max_bytes.
  void EnforceBound() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The position of the oldest record, or the end of the queue when empty.
  Position HeadPosition() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Persists HeadPosition() to the acknowledgement log and removes segments nothing needs any more.
  absl::Status PersistHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteAckEntry(Position pos) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveUnneededSegments() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateGauges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string SegmentPath(uint64_t index) const;

  FileSystem* const fs_;
  const std::string dir_;
  const DiskQueueOptions options_;
  Clock* const clock_;

  // Appending. Lock order: write_mu_ before mu_.
  absl::Mutex write_mu_;
  std::unique_ptr<WritableFile> active_ ABSL_GUARDED_BY(write_mu_);
  uint64_t active_index_ ABSL_GUARDED_BY(write_mu_) = 0;
  uint64_t active_size_ ABSL_GUARDED_BY(write_mu_) = 0;
  // Set after a failed write or sync: the segment may end in a partial frame, so the next Append rolls over.
  bool active_broken_ ABSL_GUARDED_BY(write_mu_) = false;
  bool segment_dirty_ ABSL_GUARDED_BY(write_mu_) = false;
  absl::Time last_segment_sync_ ABSL_GUARDED_BY(write_mu_);
  std::string frame_buf_ ABSL_GUARDED_BY(write_mu_);
  bool closed_ ABSL_GUARDED_BY(write_mu_) = false;

  // The records and everything consumers touch.
  mutable absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Segment files that exist, with a reader for those that may hold queued records.
  std::map<uint64_t, std::shared_ptr<ReadableFile>> segments_ ABSL_GUARDED_BY(mu_);
  // The segment being appended to and its size as far as registered records go (the end of the queue).
  Position tail_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  Position last_persisted_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WritableFile> ack_log_ ABSL_GUARDED_BY(mu_);
  bool ack_dirty_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_ack_sync_ ABSL_GUARDED_BY(mu_);
  bool ack_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  DiskQueueStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::queue

#endif  // VIGIL_EXPORTERS_QUEUE_DISK_QUEUE_H_
