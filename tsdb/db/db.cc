#include "tsdb/db/db.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/storage/merge_querier.h"
#include "tsdb/wal/wal_reader.h"

namespace vigil::tsdb {

// Hands each head commit to the WAL: the head calls Log before a commit becomes visible.
class Db::WalCommitLog : public CommitLog {
 public:
  // The WAL is opened after replay (replay repairs a torn tail first), so it is attached after the head exists;
  // the head does not log during replay.
  void Attach(wal::WalWriter* wal) { wal_ = wal; }

  absl::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) override {
    // The WAL's record types mirror the head's; convert in thread-local buffers so a commit allocates nothing
    // once warmed up.
    thread_local std::vector<wal::SeriesRecord> series_records;
    thread_local std::vector<wal::SampleRecord> sample_records;
    series_records.clear();
    sample_records.clear();
    for (const RefSeries& s : series) series_records.push_back(wal::SeriesRecord{s.ref, s.labels});
    sample_records.reserve(samples.size());
    for (const RefSample& s : samples) sample_records.push_back(wal::SampleRecord{s.ref, s.t, s.v});
    if (wal_ == nullptr) return absl::FailedPreconditionError("tsdb is still replaying its WAL");
    return wal_->Log(series_records, sample_records);
  }

 private:
  wal::WalWriter* wal_ = nullptr;
};

// Refuses samples older than the retention window before they reach the head.
class Db::DbAppender : public Appender {
 public:
  DbAppender(Db* db, std::unique_ptr<Appender> head) : db_(db), head_(std::move(head)) {
    if (db_->options_.retention > absl::ZeroDuration()) {
      min_time_ = FromTime(db_->clock_->Now() - db_->options_.retention);
    }
  }

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, TimestampMs t, double v) override {
    if (t < min_time_) {
      db_->rejected_too_old_.fetch_add(1, std::memory_order_relaxed);
      return RejectError(RejectReason::kTooOld, absl::StrCat("sample at ", t, " is older than the retention of ",
                                                             absl::FormatDuration(db_->options_.retention)));
    }
    return head_->Append(ref, labels, t, v);
  }
  absl::Status Commit() override {
    VIGIL_RETURN_IF_ERROR(head_->Commit());
    if (db_->PersistDue()) db_->WakeMaintenance();
    return absl::OkStatus();
  }
  void Rollback() override { head_->Rollback(); }

 private:
  Db* db_;
  std::unique_ptr<Appender> head_;
  TimestampMs min_time_ = kMinTimestampMs;
};

Db::Db(DbOptions options, Clock* clock) : options_(std::move(options)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(DbOptions options, Clock* clock, metrics::Registry* registry) {
  if (options.dir.empty()) return absl::InvalidArgumentError("storage path is empty");
  FileSystem* fs = RealFileSystem();
  VIGIL_RETURN_IF_ERROR(fs->CreateDirs(options.dir));
  std::unique_ptr<Db> db(new Db(std::move(options), clock));
  if (db->options_.partitions.clock == nullptr) db->options_.partitions.clock = clock;
  if (db->options_.wal.clock == nullptr) db->options_.wal.clock = clock;

  VIGIL_ASSIGN_OR_RETURN(db->partitions_, partition::PartitionStore::Open(JoinPath(db->options_.dir, "partitions"),
                                                                          db->options_.partitions));
  db->commit_log_ = std::make_unique<WalCommitLog>();
  HeadOptions head_options = db->options_.head;
  head_options.commit_log = db->commit_log_.get();
  VIGIL_ASSIGN_OR_RETURN(db->head_, Head::Create(head_options));
  VIGIL_RETURN_IF_ERROR(db->Replay());
  if (registry != nullptr) VIGIL_RETURN_IF_ERROR(db->RegisterMetrics(registry));
  return db;
}

absl::Status Db::Replay() {
  FileSystem* fs = RealFileSystem();
  std::string wal_dir = JoinPath(options_.dir, "wal");
  absl::Time start = clock_->Now();
  std::vector<RefSample> batch;
  absl::Status series_error;
  VIGIL_ASSIGN_OR_RETURN(wal::ReplayResult result,
                         wal::Replay(
                             fs, wal_dir,
                             [&](std::span<const wal::SeriesRecordView> series) -> absl::Status {
                               for (const wal::SeriesRecordView& s : series) {
                                 absl::Status st = head_->ReplaySeries(s.ref, Labels::FromPairs(s.labels));
                                 // A record the head cannot take (a ref reused for other labels) is damage, not a
                                 // reason to stop.
                                 if (!st.ok()) {
                                   ++open_report_.wal_corruptions;
                                   log::Warn("wal replay: series record skipped", {{"ref", s.ref}, {"err", st}});
                                 }
                               }
                               return absl::OkStatus();
                             },
                             [&](std::span<const wal::SampleRecord> samples) -> absl::Status {
                               batch.clear();
                               batch.reserve(samples.size());
                               for (const wal::SampleRecord& s : samples) batch.push_back(RefSample{s.ref, s.t, s.v});
                               head_->ReplaySamples(batch);
                               return absl::OkStatus();
                             }));
  head_->EndReplay();
  open_report_.wal_series = result.series;
  open_report_.wal_samples = result.samples;
  open_report_.wal_bytes = result.bytes;
  open_report_.wal_corruptions += result.corruptions.size();
  open_report_.wal_torn_bytes = result.torn_bytes;
  open_report_.replay_duration = clock_->Now() - start;
  for (const wal::WalCorruption& c : result.corruptions) {
    log::Error("wal corruption: data after this point in the segment was skipped", {{"at", c.ToString()}});
  }
  if (result.torn_bytes > 0) {
    log::Warn("wal: torn last record dropped (a crash during a write)",
              {{"file", result.torn_file}, {"offset", result.torn_offset}, {"bytes", result.torn_bytes}});
  }

  VIGIL_ASSIGN_OR_RETURN(wal_, wal::WalWriter::Open(fs, wal_dir, options_.wal));
  for (const wal::ReplayedSegment& seg : result.segments) wal_->NoteSegmentMaxTime(seg.index, seg.max_t);
  commit_log_->Attach(wal_.get());
  log::Info("wal replayed", {{"series", result.series},
                             {"samples", result.samples},
                             {"bytes", result.bytes},
                             {"corruptions", result.corruptions.size()},
                             {"duration", open_report_.replay_duration}});
  return absl::OkStatus();
}

Db::~Db() {
  if (absl::Status s = Close(); !s.ok()) log::Error("closing the tsdb failed", {{"err", s}});
}

absl::StatusOr<std::unique_ptr<Querier>> Db::NewQuerier(TimestampMs mint, TimestampMs maxt) {
  std::vector<std::unique_ptr<Querier>> queriers;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Querier> head, head_->NewQuerier(mint, maxt));
  queriers.push_back(std::move(head));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Querier> parts, partitions_->NewQuerier(mint, maxt));
  queriers.push_back(std::move(parts));
  return NewMergeQuerier(std::move(queriers));
}

std::unique_ptr<Appender> Db::NewAppender() { return std::make_unique<DbAppender>(this, head_->NewAppender()); }

absl::Status Db::PersistBefore(TimestampMs cut) {
  const TimestampMs head_min = head_->MinTime();
  head_->SetMinValidTime(cut);
  // Chunks grouped by aligned window: each window becomes one partition. A window is the chunk range, or a wider
  // compaction range when this call persists the whole of it (a backfill, or a restart after a long stop):
  // written as one partition at once, it is not written range by range and then merged again by compaction.
  const int64_t range = options_.head.chunk_range_ms;
  const std::vector<int64_t>& windows = partitions_->compaction_ranges_ms();
  auto window_of = [&](TimestampMs t) -> partition::TimeRange {
    for (auto w = windows.rbegin(); w != windows.rend(); ++w) {
      if (*w <= range || *w % range != 0) continue;
      const TimestampMs start = ChunkRangeIndex(t, *w) * *w;
      if (start >= head_min && start <= cut - *w) return {start, start + *w - 1};
    }
    const TimestampMs start = ChunkRangeIndex(t, range) * range;
    return {start, start + range - 1};
  };
  std::map<TimestampMs, std::pair<partition::TimeRange, std::vector<partition::SeriesChunks>>> by_window;
  uint64_t chunks = 0;
  VIGIL_RETURN_IF_ERROR(head_->ForEachSeriesChunksBefore(cut, [&](const PersistSeries& s) -> absl::Status {
    std::map<TimestampMs, partition::SeriesChunks*> mine;
    for (const HeadChunkPtr& c : s.chunks) {
      const partition::TimeRange window = window_of(c->min_time);
      partition::SeriesChunks*& sc = mine[window.min_time];
      if (sc == nullptr) {
        auto& [tr, series] = by_window[window.min_time];
        tr = window;
        series.push_back(partition::SeriesChunks{s.labels, {}});
        sc = &series.back();
      }
      sc->chunks.push_back(partition::ChunkData{c->data, c->min_time, c->max_time});
      ++chunks;
    }
    return absl::OkStatus();
  }));
  for (auto& [start, window] : by_window) {
    const auto& [tr, series] = window;
    VIGIL_RETURN_IF_ERROR(Annotate(partitions_->WritePartition(tr, series).status(),
                                   absl::StrCat("persisting range ", tr.min_time, "..", tr.max_time)));
  }
  persisted_chunks_.fetch_add(chunks, std::memory_order_relaxed);
  head_->TruncateBefore(cut);

  // Every sample before `cut` is now in partitions: WAL segments holding only such samples can go, once the
  // series still alive are saved in a checkpoint.
  // The segment being written holds samples from before `cut` too; close it so it can be released.
  VIGIL_RETURN_IF_ERROR(wal_->Rotate().status());
  uint32_t keep = wal_->FirstSegmentToKeep(cut);
  if (keep > 0) {
    std::vector<wal::SeriesRecord> live;
    head_->ForEachSeries([&](SeriesRef ref, const Labels& labels) { live.push_back(wal::SeriesRecord{ref, labels}); });
    VIGIL_RETURN_IF_ERROR(wal_->Checkpoint(live, keep));
  }
  return absl::OkStatus();
}

bool Db::PersistDue() const {
  const TimestampMs mint = head_->MinTime(), maxt = head_->MaxTime();
  return mint <= maxt && static_cast<double>(maxt - mint) >
                             options_.persist_after_ranges * static_cast<double>(options_.head.chunk_range_ms);
}

void Db::WakeMaintenance() {
  if (maintenance_requested_.exchange(true, std::memory_order_acq_rel)) return;  // Already requested.
  absl::MutexLock lock(&wake_mu_);
  wake_ = true;
}

void Db::AwaitMaintenance(absl::Duration timeout) {
  {
    absl::MutexLock lock(&wake_mu_);
    wake_mu_.AwaitWithTimeout(absl::Condition(&wake_), timeout);
    wake_ = false;
  }
  maintenance_requested_.store(false, std::memory_order_release);
}

absl::Status Db::Maintain() {
  absl::MutexLock lock(&maintain_mu_);
  if (closed_) return absl::FailedPreconditionError("tsdb is closed");
  const int64_t range = options_.head.chunk_range_ms;
  if (PersistDue()) {
    // Persist whole aligned ranges, keeping the newest ~half range in the head for late samples.
    const TimestampMs mint = head_->MinTime(), maxt = head_->MaxTime();
    TimestampMs cut = ChunkRangeIndex(maxt - range / 2, range) * range;
    if (cut > mint) VIGIL_RETURN_IF_ERROR(PersistBefore(cut));
  }
  if (options_.retention > absl::ZeroDuration() || options_.retention_bytes > 0) {
    int64_t max_bytes = 0;
    if (options_.retention_bytes > 0) {
      max_bytes = std::max<int64_t>(1, options_.retention_bytes - static_cast<int64_t>(WalBytes()));
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<partition::PartitionMeta> dropped,
                           partitions_->ApplyRetention(FromTime(clock_->Now()), options_.retention, max_bytes));
    for (const auto& p : dropped) {
      log::Info("retention dropped a partition", {{"min_time", p.range.min_time}, {"max_time", p.range.max_time}});
    }
  }
  VIGIL_RETURN_IF_ERROR(partitions_->Compact().status());
  return absl::OkStatus();
}

absl::Status Db::Close() {
  absl::MutexLock lock(&maintain_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (head_ == nullptr || wal_ == nullptr) return absl::OkStatus();  // Open failed part way: nothing to flush.
  absl::Status status;
  if (head_->MinTime() <= head_->MaxTime()) {
    status = PersistBefore(head_->MaxTime() == kMaxTimestampMs ? kMaxTimestampMs : head_->MaxTime() + 1);
  }
  if (absl::Status s = wal_->Close(); !s.ok() && status.ok()) status = s;
  return status;
}

uint64_t Db::WalBytes() const {
  FileSystem* fs = RealFileSystem();
  std::string dir = JoinPath(options_.dir, "wal");
  uint64_t total = 0;
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  for (const std::string& n : *names) {
    std::string p = JoinPath(dir, n);
    absl::StatusOr<FileInfo> info = fs->Stat(p);
    if (!info.ok()) continue;
    if (!info->is_dir) {
      total += info->size;
      continue;
    }
    absl::StatusOr<std::vector<std::string>> inner = fs->ListDir(p);
    if (!inner.ok()) continue;
    for (const std::string& f : *inner) {
      absl::StatusOr<FileInfo> fi = fs->Stat(JoinPath(p, f));
      if (fi.ok()) total += fi->size;
    }
  }
  return total;
}

absl::Status Db::RegisterMetrics(metrics::Registry* registry) {
  Head* head = head_.get();
  VIGIL_RETURN_IF_ERROR(registry->NewGaugeFunc("prometheus_tsdb_head_series", "Series in the head (Prometheus' name).",
                                               [head] { return static_cast<double>(head->NumSeries()); }));
  VIGIL_RETURN_IF_ERROR(registry->NewGaugeFunc(
      "vigil_tsdb_head_memory_bytes", "Estimated resident bytes of the head: series, chunks, postings, symbols.",
      [head] { return static_cast<double>(head->MemoryBytes()); }));
  VIGIL_RETURN_IF_ERROR(
      registry->NewGaugeFunc("vigil_tsdb_head_memory_bytes_per_series", "Head memory divided by head series.", [head] {
        size_t n = head->NumSeries();
        return n == 0 ? 0.0 : static_cast<double>(head->MemoryBytes()) / n;
      }));
  VIGIL_RETURN_IF_ERROR(registry->NewGaugeFunc("vigil_tsdb_wal_bytes", "Bytes of the WAL directory.",
                                               [this] { return static_cast<double>(WalBytes()); }));
  wal::WalWriter* wal = wal_.get();
  VIGIL_RETURN_IF_ERROR(registry->NewCounterFunc("vigil_tsdb_wal_fsyncs_total", "fdatasync calls on the WAL.",
                                                 [wal] { return static_cast<double>(wal->Stats().fsyncs); }));
  VIGIL_RETURN_IF_ERROR(registry->NewCounterFunc("vigil_tsdb_wal_bytes_written_total", "Bytes appended to the WAL.",
                                                 [wal] { return static_cast<double>(wal->Stats().bytes_written); }));
  VIGIL_RETURN_IF_ERROR(registry->NewGaugeFunc("vigil_tsdb_wal_replay_seconds",
                                               "Time the last start-up spent replaying the WAL.",
                                               [this] { return absl::ToDoubleSeconds(open_report_.replay_duration); }));
  VIGIL_RETURN_IF_ERROR(registry->NewCounterFunc("vigil_tsdb_wal_corruptions_total",
                                                 "Damaged WAL records found at start-up (skipped, the rest recovered).",
                                                 [this] { return static_cast<double>(open_report_.wal_corruptions); }));
  VIGIL_RETURN_IF_ERROR(registry->NewCounterFunc(
      "vigil_tsdb_persisted_chunks_total", "Head chunks moved to partitions.",
      [this] { return static_cast<double>(persisted_chunks_.load(std::memory_order_relaxed)); }));
  return partitions_->RegisterMetrics(registry);
}

}  // namespace vigil::tsdb
