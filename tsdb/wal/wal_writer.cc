#include "tsdb/wal/wal_writer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/wal/checkpoint.h"

namespace vigil::wal {
namespace {

// A thread's encode buffer is kept between calls unless it grew beyond this.
constexpr size_t kMaxRetainedBuffer = 8 << 20;

}  // namespace

// A caller waiting in the commit queue. Lives on the caller's stack; the committing thread reads `batch` and
// sets `status`/`done` under queue_mu_.
struct WalWriter::Waiter {
  const EncodedBatch* batch = nullptr;
  size_t series = 0;
  size_t samples = 0;
  absl::Status status;
  bool done = false;
  absl::CondVar cv;
};

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::Open(FileSystem* fs, std::string_view dir, WalOptions options) {
  if (options.segment_size < kMinSegmentSize || options.segment_size > kMaxSegmentSize) {
    return absl::InvalidArgumentError(absl::StrCat("WAL segment size ", options.segment_size, " outside [",
                                                   kMinSegmentSize, ", ", kMaxSegmentSize, "]"));
  }
  if (options.sync_policy == SyncPolicy::kInterval && options.sync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("WAL sync interval must be positive, got ", absl::FormatDuration(options.sync_interval)));
  }
  VIGIL_RETURN_IF_ERROR(fs->CreateDirs(dir));
  VIGIL_ASSIGN_OR_RETURN(WalDirListing listing, ListWalDir(fs, dir));
  for (const std::string& name : listing.leftovers) {
    if (name.starts_with("checkpoint.")) continue;  // The next checkpoint removes those.
    VIGIL_RETURN_IF_ERROR(fs->Remove(JoinPath(dir, name)));
  }
  const uint32_t checkpoint = listing.checkpoints.empty() ? 0 : listing.checkpoints.back();
  uint32_t next = checkpoint;
  if (!listing.segments.empty()) next = std::max(next, listing.segments.back() + 1);
  if (!listing.segments.empty() && listing.segments.back() >= kMaxSegmentIndex) {
    return absl::ResourceExhaustedError(absl::StrCat("WAL ", AV(dir), ": segment numbers exhausted"));
  }
  std::unique_ptr<WalWriter> w(new WalWriter(fs, std::string(dir), options));
  absl::MutexLock lock(&w->io_mu_);
  w->first_segment_ = next;
  for (uint32_t seg : listing.segments) {
    if (seg >= checkpoint) {
      w->first_segment_ = seg;
      break;
    }
  }
  VIGIL_RETURN_IF_ERROR(w->OpenSegment(next));
  w->last_sync_ = w->clock_->Now();
  return w;
}

WalWriter::WalWriter(FileSystem* fs, std::string dir, WalOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : RealClock()) {}

WalWriter::~WalWriter() {
  if (absl::Status s = Close(); !s.ok()) log::Warn("closing WAL failed", {{"dir", dir_}, {"err", s}});
}

std::string WalWriter::SegmentPath(uint32_t index) const { return JoinPath(dir_, SegmentName(index)); }

absl::Status WalWriter::Log(std::span<const SeriesRecord> series, std::span<const SampleRecord> samples) {
  if (series.empty() && samples.empty()) return absl::OkStatus();
  // Encoding runs in the calling thread, in parallel with other callers; the buffer is reused by this thread.
  thread_local EncodedBatch batch;
  batch.Clear();
  absl::Status encoded = EncodeBatch(series, samples, MaxPayloadSize(options_.segment_size), &batch);
  if (!encoded.ok()) return Annotate(encoded, absl::StrCat("WAL ", dir_));

  Waiter self;
  self.batch = &batch;
  self.series = series.size();
  self.samples = samples.size();
  absl::InlinedVector<Waiter*, 16> group;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&self);
    while (!self.done && queue_.front() != &self) self.cv.Wait(&queue_mu_);
    if (self.done) {
      if (batch.bytes.capacity() > kMaxRetainedBuffer) batch = EncodedBatch();
      return self.status;
    }
    group.assign(queue_.begin(), queue_.end());
  }
  absl::Status status;
  {
    absl::MutexLock lock(&io_mu_);
    status = CommitGroup(group);
  }
  {
    absl::MutexLock lock(&queue_mu_);
    for (Waiter* w : group) {
      queue_.pop_front();
      if (w == &self) continue;
      w->status = status;
      w->done = true;
      w->cv.Signal();
    }
    if (!queue_.empty()) queue_.front()->cv.Signal();
  }
  if (batch.bytes.capacity() > kMaxRetainedBuffer) batch = EncodedBatch();
  return status;
}

absl::Status WalWriter::CommitGroup(std::span<Waiter* const> group) {
  VIGIL_RETURN_IF_ERROR(PrepareToWrite());
  // Frames go to the current segment until the next one would overflow it; then what is pending is written
  // and the segment rotated. Pieces point into the callers' buffers, which stay put while they wait.
  absl::InlinedVector<std::string_view, 16> pieces;
  uint64_t pending = 0;
  uint64_t records = 0;
  for (Waiter* w : group) {
    size_t begin = 0;
    for (const EncodedBatch::Frame& frame : w->batch->frames) {
      std::string_view bytes(w->batch->bytes.data() + begin, frame.end - begin);
      begin = frame.end;
      if (segment_bytes_ + pending + bytes.size() > options_.segment_size) {
        VIGIL_RETURN_IF_ERROR(AppendToSegment(pieces));
        pieces.clear();
        pending = 0;
        VIGIL_RETURN_IF_ERROR(RotateLocked());
      }
      pieces.push_back(bytes);
      pending += bytes.size();
      ++records;
      TimestampMs& max_t = segment_max_t_[segment_index_];
      max_t = std::max(max_t, frame.max_t);
    }
  }
  VIGIL_RETURN_IF_ERROR(AppendToSegment(pieces));
  commits_.fetch_add(1, std::memory_order_relaxed);
  records_written_.fetch_add(records, std::memory_order_relaxed);
  for (Waiter* w : group) {
    series_written_.fetch_add(w->series, std::memory_order_relaxed);
    samples_written_.fetch_add(w->samples, std::memory_order_relaxed);
  }
  switch (options_.sync_policy) {
    case SyncPolicy::kNone:
      break;
    case SyncPolicy::kAlways:
      VIGIL_RETURN_IF_ERROR(SyncLocked());
      break;
    case SyncPolicy::kInterval:
      if (clock_->Now() - last_sync_ >= options_.sync_interval) VIGIL_RETURN_IF_ERROR(SyncLocked());
      break;
  }
  return absl::OkStatus();
}

absl::Status WalWriter::AppendToSegment(std::span<const std::string_view> pieces) {
  if (pieces.empty()) return absl::OkStatus();
  std::string_view data = pieces[0];
  if (pieces.size() > 1) {
    group_buffer_.clear();
    for (std::string_view p : pieces) group_buffer_.append(p);
    data = group_buffer_;
  }
  absl::Status s = file_->Append(data);
  if (s.ok()) {
    segment_bytes_ += data.size();
    bytes_written_.fetch_add(data.size(), std::memory_order_relaxed);
    return absl::OkStatus();
  }
  write_errors_.fetch_add(1, std::memory_order_relaxed);
  // Part of `data` may have reached the file (a disk that filled up mid-write). Cut it off now so the segment
  // ends with a complete frame; if that fails too, every later write retries before appending.
  const std::string path = SegmentPath(segment_index_);
  if (absl::Status t = fs_->Truncate(path, segment_bytes_); !t.ok()) {
    needs_truncate_ = true;
    log::Error("WAL append failed and the partial frame could not be truncated",
               {{"segment", path}, {"size", segment_bytes_}, {"err", t}});
  }
  return Annotate(s, absl::StrCat("WAL segment ", path, " at offset ", segment_bytes_));
}

absl::Status WalWriter::PrepareToWrite() {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("WAL ", dir_, " is closed"));
  if (needs_truncate_) {
    const std::string path = SegmentPath(segment_index_);
    absl::Status t = fs_->Truncate(path, segment_bytes_);
    if (!t.ok()) return Annotate(t, absl::StrCat("WAL segment ", path, " still ends in a partial frame"));
    needs_truncate_ = false;
  }
  if (file_ == nullptr) {
    if (segment_index_ >= kMaxSegmentIndex) {
      return absl::ResourceExhaustedError(absl::StrCat("WAL ", dir_, ": segment numbers exhausted"));
    }
    VIGIL_RETURN_IF_ERROR(OpenSegment(segment_index_ + 1));
  }
  return absl::OkStatus();
}

absl::Status WalWriter::OpenSegment(uint32_t index) {
  const std::string path = SegmentPath(index);
  // The header goes in atomically with the file's creation, so no segment ever lacks one (docs/format/wal.md).
  VIGIL_RETURN_IF_ERROR(fs_->WriteFileAtomic(path, SegmentHeader(), options_.sync_policy != SyncPolicy::kNone));
  VIGIL_ASSIGN_OR_RETURN(file_, fs_->OpenAppendable(path));
  segment_index_ = index;
  segment_bytes_ = kSegmentHeaderSize;
  segment_max_t_.emplace(index, kMinTimestampMs);
  current_segment_.store(index, std::memory_order_relaxed);
  segments_created_.fetch_add(1, std::memory_order_relaxed);
  bytes_written_.fetch_add(kSegmentHeaderSize, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status WalWriter::RotateLocked() {
  if (file_ != nullptr) {
    // A closed segment is never written again, so whatever the policy promises must be done now.
    if (options_.sync_policy != SyncPolicy::kNone) VIGIL_RETURN_IF_ERROR(SyncLocked());
    if (absl::Status s = file_->Close(); !s.ok()) {
      log::Warn("closing WAL segment failed", {{"segment", SegmentPath(segment_index_)}, {"err", s}});
    }
    file_.reset();
  }
  if (segment_index_ >= kMaxSegmentIndex) {
    return absl::ResourceExhaustedError(absl::StrCat("WAL ", dir_, ": segment numbers exhausted"));
  }
  return OpenSegment(segment_index_ + 1);
}

absl::Status WalWriter::SyncLocked() {
  if (file_ == nullptr) return absl::OkStatus();
  const absl::Time start = clock_->Now();
  absl::Status s = file_->Sync();
  const absl::Time end = clock_->Now();
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
  fsync_nanos_.fetch_add(absl::ToInt64Nanoseconds(end - start), std::memory_order_relaxed);
  if (!s.ok()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    return Annotate(s, absl::StrCat("WAL segment ", SegmentPath(segment_index_)));
  }
  last_sync_ = end;
  return absl::OkStatus();
}

absl::Status WalWriter::Sync() {
  absl::MutexLock lock(&io_mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("WAL ", dir_, " is closed"));
  return SyncLocked();
}

absl::StatusOr<uint32_t> WalWriter::Rotate() {
  absl::MutexLock lock(&io_mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("WAL ", dir_, " is closed"));
  if (needs_truncate_) VIGIL_RETURN_IF_ERROR(PrepareToWrite());
  VIGIL_RETURN_IF_ERROR(RotateLocked());
  return segment_index_;
}

absl::Status WalWriter::Checkpoint(std::span<const SeriesRecord> live_series, uint32_t first_kept_segment) {
  absl::MutexLock checkpoint_lock(&checkpoint_mu_);
  {
    absl::MutexLock lock(&io_mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("WAL ", dir_, " is closed"));
    if (first_kept_segment > segment_index_) {
      return absl::InvalidArgumentError(absl::StrCat("WAL ", dir_, ": first kept segment ", first_kept_segment,
                                                     " is past the current segment ", segment_index_));
    }
  }
  // Segments below first_kept_segment are closed, so the checkpoint runs without blocking writers.
  CheckpointStats stats;
  VIGIL_RETURN_IF_ERROR(WriteCheckpoint(fs_, dir_, live_series, first_kept_segment, options_.segment_size, &stats));
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  log::Info("WAL checkpoint", {{"dir", dir_},
                               {"checkpoint", CheckpointName(first_kept_segment)},
                               {"written", stats.written},
                               {"series", stats.series},
                               {"bytes", stats.bytes},
                               {"segments_deleted", stats.segments_deleted}});
  absl::MutexLock lock(&io_mu_);
  segment_max_t_.erase(segment_max_t_.begin(), segment_max_t_.lower_bound(first_kept_segment));
  first_segment_ = std::max(first_segment_, first_kept_segment);
  return absl::OkStatus();
}

uint32_t WalWriter::FirstSegmentToKeep(TimestampMs t) const {
  absl::MutexLock lock(&io_mu_);
  for (uint32_t seg = first_segment_; seg < segment_index_; ++seg) {
    auto it = segment_max_t_.find(seg);
    if (it == segment_max_t_.end() || it->second >= t) return seg;
  }
  return segment_index_;
}

void WalWriter::NoteSegmentMaxTime(uint32_t segment, TimestampMs max_t) {
  absl::MutexLock lock(&io_mu_);
  if (segment < first_segment_ || segment >= segment_index_) return;
  auto [it, inserted] = segment_max_t_.emplace(segment, max_t);
  if (!inserted) it->second = std::max(it->second, max_t);
}

WalStats WalWriter::Stats() const {
  WalStats s;
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  s.records_written = records_written_.load(std::memory_order_relaxed);
  s.series_written = series_written_.load(std::memory_order_relaxed);
  s.samples_written = samples_written_.load(std::memory_order_relaxed);
  s.commits = commits_.load(std::memory_order_relaxed);
  s.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  s.fsync_duration = absl::Nanoseconds(fsync_nanos_.load(std::memory_order_relaxed));
  s.segments_created = segments_created_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  s.checkpoints = checkpoints_.load(std::memory_order_relaxed);
  s.current_segment = current_segment_.load(std::memory_order_relaxed);
  return s;
}

absl::Status WalWriter::Close() {
  absl::MutexLock lock(&io_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (file_ == nullptr) return absl::OkStatus();
  absl::Status s;
  if (options_.sync_policy != SyncPolicy::kNone) s = SyncLocked();
  absl::Status c = file_->Close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace vigil::wal
