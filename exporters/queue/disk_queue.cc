#include "exporters/queue/disk_queue.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/hash/crc32c.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::queue {
namespace {

// The acknowledgement log is rewritten with a single entry once it grows past this.
constexpr uint64_t kAckLogCompactBytes = 64 << 10;

void Inc(metrics::Counter* c, double v) {
  if (c != nullptr) c->Add(v);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DiskQueue>> DiskQueue::Open(FileSystem* fs, std::string_view dir,
                                                           DiskQueueOptions options) {
  if (options.max_bytes == 0) return absl::InvalidArgumentError("disk queue: max_bytes must be positive");
  if (options.segment_bytes < 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("disk queue: segment_bytes must be at least 64, got ", options.segment_bytes));
  }
  if (options.sync_policy == SyncPolicy::kInterval && options.sync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("disk queue: sync_interval must be positive");
  }
  if (dir.empty()) return absl::InvalidArgumentError("disk queue: empty directory");
  VIGIL_RETURN_IF_ERROR(fs->CreateDirs(dir));
  std::unique_ptr<DiskQueue> q(new DiskQueue(fs, std::string(dir), std::move(options)));
  VIGIL_RETURN_IF_ERROR(Annotate(q->Recover(), absl::StrCat("disk queue ", AV(dir))));
  return q;
}

DiskQueue::DiskQueue(FileSystem* fs, std::string dir, DiskQueueOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock()) {}

DiskQueue::~DiskQueue() {
  if (absl::Status s = Close(); !s.ok()) log::Error("closing disk queue failed", {{"dir", dir_}, {"err", s}});
}

std::string DiskQueue::SegmentPath(uint64_t index) const { return JoinPath(dir_, SegmentName(index)); }

absl::Status DiskQueue::Recover() {
  absl::MutexLock wlock(&write_mu_);
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<uint64_t> indices;
  const std::string ack_path = JoinPath(dir_, kAckLogName);
  for (const std::string& name : names) {
    if (std::optional<uint64_t> index = ParseSegmentName(name)) {
      indices.push_back(*index);
    } else if (absl::StartsWith(name, absl::StrCat(AV(kAckLogName), ".tmp"))) {
      // Left by an interrupted rewrite of the acknowledgement log.
      (void)fs_->Remove(JoinPath(dir_, name));
    } else if (name != kAckLogName) {
      log::Warn("disk queue: ignoring unexpected file", {{"dir", dir_}, {"name", name}});
    }
  }
  std::sort(indices.begin(), indices.end());

  Position acked;
  if (fs_->Exists(ack_path)) {
    VIGIL_ASSIGN_OR_RETURN(std::string log_bytes, fs_->ReadFile(ack_path));
    if (std::optional<Position> p = ParseAckLog(log_bytes)) acked = *p;
  }
  for (uint64_t index : indices) VIGIL_RETURN_IF_ERROR(RecoverSegment(index, acked));

  // Appends always go to a fresh segment, so nothing new can land below a persisted acknowledgement (which may
  // point past data that power loss took away) or after bytes of a segment this process did not write.
  const uint64_t last = std::max(indices.empty() ? 0 : indices.back(), acked.segment);
  VIGIL_RETURN_IF_ERROR(StartSegment(last + 1));

  absl::MutexLock lock(&mu_);
  // A fresh log holding only the current head replaces whatever history the old one had.
  std::string entry;
  AppendAckEntry(HeadPosition(), &entry);
  VIGIL_RETURN_IF_ERROR(fs_->WriteFileAtomic(ack_path, entry, options_.sync_policy != SyncPolicy::kNone));
  VIGIL_ASSIGN_OR_RETURN(ack_log_, fs_->OpenAppendable(ack_path));
  last_persisted_ = HeadPosition();
  last_ack_sync_ = clock_->Now();
  if (stats_.bytes > options_.max_bytes) {
    EnforceBound();
    VIGIL_RETURN_IF_ERROR(PersistHead());
  }
  RemoveUnneededSegments();
  UpdateGauges();
  if (stats_.records > 0 || stats_.corrupt_regions > 0 || stats_.truncated_bytes > 0) {
    log::Info("disk queue recovered", {{"dir", dir_},
                                       {"records", stats_.records},
                                       {"bytes", stats_.bytes},
                                       {"corrupt_regions", stats_.corrupt_regions},
                                       {"truncated_bytes", stats_.truncated_bytes}});
  }
  return absl::OkStatus();
}

absl::Status DiskQueue::RecoverSegment(uint64_t index, Position acked) {
  const std::string path = SegmentPath(index);
  if (index < acked.segment) return fs_->Remove(path);  // Wholly acknowledged; its removal was interrupted.
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, fs_->ReadFile(path));
  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckSegmentHeader(bytes); !s.ok()) {
    if (bytes.size() < kSegmentHeaderSize) {
      stats_.truncated_bytes += bytes.size();  // Created, then torn before its header was whole.
    } else {
      log::Error("disk queue: removing a segment with an unreadable header", {{"path", path}, {"err", s}});
      stats_.corrupt_regions++;
      stats_.corrupt_bytes += bytes.size();
      Inc(options_.metrics.corrupt_regions, 1);
    }
    return fs_->Remove(path);
  }
  SegmentScan scan = ScanSegment(bytes);
  for (const CorruptRegion& c : scan.corrupt) {
    log::Error("disk queue: skipping a corrupt region", {{"path", path}, {"offset", c.offset}, {"length", c.length}});
    stats_.corrupt_regions++;
    stats_.corrupt_bytes += c.length;
    Inc(options_.metrics.corrupt_regions, 1);
  }
  if (scan.valid_end < bytes.size()) {
    log::Warn("disk queue: truncating a torn tail",
              {{"path", path}, {"offset", scan.valid_end}, {"length", bytes.size() - scan.valid_end}});
    stats_.truncated_bytes += bytes.size() - scan.valid_end;
    VIGIL_RETURN_IF_ERROR(fs_->Truncate(path, scan.valid_end));
  }
  bool live = false;
  for (const ScannedRecord& r : scan.records) {
    const Position pos{index, r.offset};
    if (pos < acked) continue;
    entries_.push_back({next_id_++, pos, r.length, r.items});
    stats_.records++;
    stats_.bytes += r.length;
    stats_.items += r.items;
    live = true;
  }
  if (!live) return fs_->Remove(path);
  VIGIL_ASSIGN_OR_RETURN(segments_[index], fs_->OpenReadable(path));
  return absl::OkStatus();
}

absl::Status DiskQueue::StartSegment(uint64_t index) {
  const std::string path = SegmentPath(index);
  if (active_ != nullptr) {
    // The sealed segment keeps the policy's promise before appends move on.
    if (options_.sync_policy != SyncPolicy::kNone && !active_broken_) {
      if (absl::Status s = SyncSegmentIfDue(/*force=*/true); !s.ok()) {
        log::Error("disk queue: sync of a sealed segment failed", {{"path", SegmentPath(active_index_)}, {"err", s}});
      }
    }
    (void)active_->Close();
    active_.reset();
  }
  // A failed earlier attempt may have left a partial file of this name; nothing in it was ever acknowledged.
  if (fs_->Exists(path)) VIGIL_RETURN_IF_ERROR(fs_->Truncate(path, 0));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs_->OpenAppendable(path));
  VIGIL_RETURN_IF_ERROR(file->Append(SegmentHeader()));
  if (options_.sync_policy != SyncPolicy::kNone) {
    VIGIL_RETURN_IF_ERROR(file->Sync());
    VIGIL_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  }
  VIGIL_ASSIGN_OR_RETURN(std::shared_ptr<ReadableFile> reader, fs_->OpenReadable(path));
  active_ = std::move(file);
  active_index_ = index;
  active_size_ = kSegmentHeaderSize;
  active_broken_ = false;
  segment_dirty_ = false;
  last_segment_sync_ = clock_->Now();

  absl::MutexLock lock(&mu_);
  segments_[index] = std::move(reader);
  tail_ = {index, kSegmentHeaderSize};
  RemoveUnneededSegments();
  return absl::OkStatus();
}

absl::Status DiskQueue::SyncSegmentIfDue(bool force) {
  if (!segment_dirty_ || active_ == nullptr) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  if (!force && now - last_segment_sync_ < options_.sync_interval) return absl::OkStatus();
  VIGIL_RETURN_IF_ERROR(active_->Sync());
  segment_dirty_ = false;
  last_segment_sync_ = now;
  return absl::OkStatus();
}

absl::Status DiskQueue::Append(std::string_view head, std::string_view rest, uint32_t items) {
  const size_t size = head.size() + rest.size();
  if (size == 0) return absl::InvalidArgumentError("disk queue: empty record");
  if (size > kMaxRecordSize || size > options_.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("disk queue: record of ", size, " bytes exceeds the limit of ",
                                                   std::min<uint64_t>(kMaxRecordSize, options_.max_bytes)));
  }
  const uint32_t length = static_cast<uint32_t>(size);
  const uint64_t frame_size = kFrameHeaderSize + length;

  absl::MutexLock wlock(&write_mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("disk queue ", dir_, ": closed"));
  if (active_ == nullptr || active_broken_ ||
      (active_size_ > kSegmentHeaderSize && active_size_ + frame_size > options_.segment_bytes)) {
    VIGIL_RETURN_IF_ERROR(StartSegment(active_index_ + 1));
  }
  frame_buf_.clear();
  AppendFrame(head, rest, items, &frame_buf_);
  if (absl::Status s = active_->Append(frame_buf_); !s.ok()) {
    active_broken_ = true;
    return s;
  }
  const Position pos{active_index_, active_size_};
  active_size_ += frame_size;
  segment_dirty_ = true;
  if (options_.sync_policy != SyncPolicy::kNone) {
    if (absl::Status s = SyncSegmentIfDue(options_.sync_policy == SyncPolicy::kAlways); !s.ok()) {
      active_broken_ = true;
      return s;
    }
  }

  absl::MutexLock lock(&mu_);
  entries_.push_back({next_id_++, pos, length, items});
  tail_ = {active_index_, active_size_};
  stats_.records++;
  stats_.bytes += length;
  stats_.items += items;
  stats_.appended_records++;
  if (stats_.bytes > options_.max_bytes) {
    EnforceBound();
    // The append itself succeeded; failing to persist the drop only means a restart may deliver them again.
    if (absl::Status s = PersistHead(); !s.ok()) {
      log::Error("disk queue: persisting dropped records failed", {{"dir", dir_}, {"err", s}});
    }
  }
  UpdateGauges();
  return absl::OkStatus();
}

absl::StatusOr<bool> DiskQueue::Peek(QueueRecord* out) {
  for (;;) {
    Entry e;
    std::shared_ptr<ReadableFile> reader;
    {
      absl::MutexLock lock(&mu_);
      if (entries_.empty()) return false;
      e = entries_.front();
      auto it = segments_.find(e.pos.segment);
      if (it == segments_.end() || it->second == nullptr) {
        return absl::InternalError(
            absl::StrCat("disk queue ", dir_, ": segment ", e.pos.segment, " of the oldest record is not open"));
      }
      reader = it->second;
    }
    // Read outside the lock: appends and acks go on meanwhile. The reader keeps the file readable even if a drop
    // removes it.
    VIGIL_RETURN_IF_ERROR(reader->ReadAt(e.pos.offset, kFrameHeaderSize + e.length, &out->data));
    FrameHeader h;
    const bool valid = out->data.size() == kFrameHeaderSize + e.length && ParseFrameHeader(out->data.data(), &h) &&
                       h.length == e.length &&
                       Crc32c(std::string_view(out->data).substr(kFrameHeaderSize)) == h.payload_crc;
    if (valid) {
      out->data.erase(0, kFrameHeaderSize);
      out->id = e.id;
      out->items = e.items;
      return true;
    }
    absl::MutexLock lock(&mu_);
    if (entries_.empty() || entries_.front().id != e.id) continue;  // Dropped meanwhile; look again.
    log::Error("disk queue: dropping a record whose checksum no longer matches",
               {{"path", SegmentPath(e.pos.segment)}, {"offset", e.pos.offset}, {"length", e.length}});
    stats_.corrupt_regions++;
    stats_.corrupt_bytes += e.length;
    Inc(options_.metrics.corrupt_regions, 1);
    PopFront(/*dropped=*/true);
    if (absl::Status s = PersistHead(); !s.ok()) {
      log::Error("disk queue: persisting the position failed", {{"dir", dir_}, {"err", s}});
    }
  }
}

absl::Status DiskQueue::ForEach(const std::function<void(const QueueRecord&)>& fn) {
  std::vector<std::pair<Entry, std::shared_ptr<ReadableFile>>> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.reserve(entries_.size());
    for (const Entry& e : entries_) {
      auto it = segments_.find(e.pos.segment);
      if (it == segments_.end() || it->second == nullptr) continue;
      pending.emplace_back(e, it->second);
    }
  }
  QueueRecord record;
  FrameHeader h;
  for (const auto& [e, reader] : pending) {
    VIGIL_RETURN_IF_ERROR(reader->ReadAt(e.pos.offset, kFrameHeaderSize + e.length, &record.data));
    const bool valid = record.data.size() == kFrameHeaderSize + e.length && ParseFrameHeader(record.data.data(), &h) &&
                       h.length == e.length &&
                       Crc32c(std::string_view(record.data).substr(kFrameHeaderSize)) == h.payload_crc;
    if (!valid) continue;
    record.data.erase(0, kFrameHeaderSize);
    record.id = e.id;
    record.items = e.items;
    fn(record);
  }
  return absl::OkStatus();
}

absl::Status DiskQueue::Ack(uint64_t id) {
  absl::MutexLock lock(&mu_);
  if (entries_.empty() || id < entries_.front().id) return absl::OkStatus();
  if (id > entries_.front().id) {
    return absl::FailedPreconditionError(
        absl::StrCat("disk queue ", dir_, ": ack of record ", id, " before the oldest record ", entries_.front().id));
  }
  PopFront(/*dropped=*/false);
  stats_.acked_records++;
  return PersistHead();
}

void DiskQueue::PopFront(bool dropped) {
  const Entry& e = entries_.front();
  stats_.records--;
  stats_.bytes -= e.length;
  stats_.items -= e.items;
  if (dropped) {
    stats_.dropped_records++;
    stats_.dropped_bytes += e.length;
    stats_.dropped_items += e.items;
    Inc(options_.metrics.dropped_records, 1);
    Inc(options_.metrics.dropped_bytes, e.length);
    Inc(options_.metrics.dropped_items, e.items);
  }
  entries_.pop_front();
  UpdateGauges();
}

void DiskQueue::EnforceBound() {
  uint64_t dropped = 0;
  while (stats_.bytes > options_.max_bytes && !entries_.empty()) {
    PopFront(/*dropped=*/true);
    ++dropped;
  }
  if (dropped > 0) {
    log::Warn("disk queue full: dropped the oldest records",
              {{"dir", dir_}, {"records", dropped}, {"max_bytes", options_.max_bytes}});
  }
}

Position DiskQueue::HeadPosition() const { return entries_.empty() ? tail_ : entries_.front().pos; }

absl::Status DiskQueue::PersistHead() {
  if (ack_closed_) return absl::OkStatus();
  const Position head = HeadPosition();
  absl::Status s;
  if (head != last_persisted_) s = WriteAckEntry(head);
  RemoveUnneededSegments();
  return s;
}

absl::Status DiskQueue::WriteAckEntry(Position pos) {
  const std::string path = JoinPath(dir_, kAckLogName);
  std::string entry;
  AppendAckEntry(pos, &entry);
  const absl::Time now = clock_->Now();
  if (ack_log_ == nullptr || ack_log_->Size() + kAckEntrySize > kAckLogCompactBytes) {
    if (ack_log_ != nullptr) (void)ack_log_->Close();
    ack_log_.reset();
    VIGIL_RETURN_IF_ERROR(fs_->WriteFileAtomic(path, entry, options_.sync_policy != SyncPolicy::kNone));
    VIGIL_ASSIGN_OR_RETURN(ack_log_, fs_->OpenAppendable(path));
    ack_dirty_ = false;
    last_ack_sync_ = now;
    last_persisted_ = pos;
    return absl::OkStatus();
  }
  VIGIL_RETURN_IF_ERROR(ack_log_->Append(entry));
  last_persisted_ = pos;
  ack_dirty_ = true;
  const bool due = options_.sync_policy == SyncPolicy::kAlways ||
                   (options_.sync_policy == SyncPolicy::kInterval && now - last_ack_sync_ >= options_.sync_interval);
  if (due) {
    VIGIL_RETURN_IF_ERROR(ack_log_->Sync());
    ack_dirty_ = false;
    last_ack_sync_ = now;
  }
  return absl::OkStatus();
}

void DiskQueue::RemoveUnneededSegments() {
  const uint64_t needed = entries_.empty() ? tail_.segment : entries_.front().pos.segment;
  while (!segments_.empty() && segments_.begin()->first < needed) {
    const std::string path = SegmentPath(segments_.begin()->first);
    if (absl::Status s = fs_->Remove(path); !s.ok() && !absl::IsNotFound(s)) {
      log::Warn("disk queue: removing a consumed segment failed", {{"path", path}, {"err", s}});
    }
    segments_.erase(segments_.begin());
  }
}

void DiskQueue::UpdateGauges() {
  const QueueMetrics& m = options_.metrics;
  if (m.records != nullptr) m.records->Set(static_cast<double>(stats_.records));
  if (m.bytes != nullptr) m.bytes->Set(static_cast<double>(stats_.bytes));
  if (m.items != nullptr) m.items->Set(static_cast<double>(stats_.items));
}

bool DiskQueue::WaitForRecord() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](DiskQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) { return !q->entries_.empty() || q->shutdown_; }, this));
  return !shutdown_;
}

bool DiskQueue::WaitUntilEmpty() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](DiskQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) { return q->entries_.empty() || q->shutdown_; }, this));
  return entries_.empty();
}

void DiskQueue::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

absl::Status DiskQueue::Sync() {
  {
    absl::MutexLock wlock(&write_mu_);
    VIGIL_RETURN_IF_ERROR(SyncSegmentIfDue(/*force=*/true));
  }
  absl::MutexLock lock(&mu_);
  if (ack_log_ != nullptr && ack_dirty_) {
    VIGIL_RETURN_IF_ERROR(ack_log_->Sync());
    ack_dirty_ = false;
    last_ack_sync_ = clock_->Now();
  }
  return absl::OkStatus();
}

absl::Status DiskQueue::Close() {
  absl::Status result;
  absl::MutexLock wlock(&write_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (active_ != nullptr) {
    if (options_.sync_policy != SyncPolicy::kNone) result.Update(SyncSegmentIfDue(/*force=*/true));
    result.Update(active_->Close());
    active_.reset();
  }
  absl::MutexLock lock(&mu_);
  if (ack_log_ != nullptr) {
    if (options_.sync_policy != SyncPolicy::kNone && ack_dirty_) result.Update(ack_log_->Sync());
    result.Update(ack_log_->Close());
    ack_log_.reset();
  }
  ack_closed_ = true;
  shutdown_ = true;
  return result;
}

DiskQueueStats DiskQueue::stats() const {
  absl::MutexLock lock(&mu_);
  DiskQueueStats s = stats_;
  s.segments = segments_.size();
  return s;
}

}  // namespace vigil::queue
