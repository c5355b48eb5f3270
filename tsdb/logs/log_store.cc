#include "tsdb/logs/log_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/logs/log_store_internal.h"

namespace vigil::tsdb::logs {
namespace {

constexpr TimestampNs kMinTime = std::numeric_limits<TimestampNs>::min();
constexpr TimestampNs kMaxTime = std::numeric_limits<TimestampNs>::max();

// t - d in nanoseconds, saturating.
TimestampNs SubSat(TimestampNs t, absl::Duration d) {
  const int64_t dn = absl::ToInt64Nanoseconds(d);
  return t < kMinTime + dn ? kMinTime : t - dn;
}
TimestampNs AddSat(TimestampNs t, absl::Duration d) {
  const int64_t dn = absl::ToInt64Nanoseconds(d);
  return t > kMaxTime - dn ? kMaxTime : t + dn;
}

}  // namespace

kv::RocksKvOptions LogStoreOptions::DefaultKvOptions() {
  kv::RocksKvOptions o;
  o.compression = kv::Compression::kNone;  // chunk blobs are compressed already
  o.bloom_bits_per_key = 0;                // lookups are prefix scans, never point reads of absent keys
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Appender.

class LogStore::Appender : public LogAppender {
 public:
  explicit Appender(LogStore* store) : store_(store) {}

  absl::Status Append(const Labels& labels, std::vector<LogEntry> entries) override {
    if (absl::Status s = store_->ValidateStreamLabels(labels); !s.ok()) return s;
    const LogStoreOptions& o = store_->options_;
    const TimestampNs now = absl::ToUnixNanos(store_->clock_->Now());
    const TimestampNs too_old = o.retention > absl::ZeroDuration() ? SubSat(now, o.retention) : kMinTime;
    const TimestampNs too_new = o.max_future > absl::ZeroDuration() ? AddSat(now, o.max_future) : kMaxTime;
    std::optional<TimestampNs> newest = store_->NewestTimestamp(labels);
    for (const PendingStream& p : pending_) {  // earlier entries of this request count too
      if (p.labels == labels) {
        for (const LogEntry& e : p.entries) newest = std::max(newest.value_or(kMinTime), e.timestamp_ns);
      }
    }
    // The window is measured from the newest entry before this call, and from what this call adds as it goes.
    TimestampNs newest_now = newest.value_or(kMinTime);
    PendingStream* out = &pending_.emplace_back();
    out->labels = labels;
    out->entries.reserve(entries.size());
    for (LogEntry& e : entries) {
      const TimestampNs t = e.timestamp_ns;
      if (o.max_line_bytes > 0 && e.line.size() > o.max_line_bytes) {
        rejections_.Add(EntryRejectReason::kLineTooLong,
                        absl::StrCat("line of ", e.line.size(), " bytes at ", t, " in stream ", labels.ToString(),
                                     " is longer than the limit of ", o.max_line_bytes, " bytes"));
        continue;
      }
      if (t < too_old) {
        rejections_.Add(
            EntryRejectReason::kTooOld,
            absl::StrCat("entry at ", t, " in stream ", labels.ToString(), " is older than the retention (",
                         absl::FormatDuration(o.retention), "): the oldest acceptable timestamp is ", too_old));
        continue;
      }
      if (t > too_new) {
        rejections_.Add(EntryRejectReason::kTooNew,
                        absl::StrCat("entry at ", t, " in stream ", labels.ToString(), " is more than ",
                                     absl::FormatDuration(o.max_future), " in the future"));
        continue;
      }
      if (newest_now != kMinTime && t < SubSat(newest_now, o.out_of_order_window)) {
        rejections_.Add(EntryRejectReason::kOutOfOrder,
                        absl::StrCat("entry at ", t, " in stream ", labels.ToString(), " is too far behind: ",
                                     "the oldest acceptable timestamp is ", SubSat(newest_now, o.out_of_order_window),
                                     " (", absl::FormatDuration(o.out_of_order_window),
                                     " out-of-order window behind the newest entry ", newest_now, ")"));
        continue;
      }
      newest_now = std::max(newest_now, t);
      out->entries.push_back(std::move(e));
    }
    if (out->entries.empty()) pending_.pop_back();
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    absl::Status s = pending_.empty() ? absl::OkStatus() : store_->CommitPending(&pending_);
    pending_.clear();
    return s;
  }

  void Rollback() override { pending_.clear(); }

  const EntryRejections& rejections() const override { return rejections_; }

 private:
  LogStore* store_;
  std::vector<PendingStream> pending_;
  EntryRejections rejections_;
};

// ---------------------------------------------------------------------------------------------------------------
// Open and load.

LogStore::LogStore(std::shared_ptr<kv::KvStore> kv, LogStoreOptions options, Clock* clock)
    : kv_(std::move(kv)), options_(std::move(options)), clock_(clock != nullptr ? clock : RealClock()) {
  default_ns_ = kv_->DefaultNamespace();
}

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(std::string_view dir, LogStoreOptions options, Clock* clock) {
  absl::StatusOr<std::unique_ptr<kv::RocksKvStore>> kv = kv::RocksKvStore::Open(dir, options.kv);
  if (!kv.ok()) return kv.status();
  return Open(std::shared_ptr<kv::KvStore>(std::move(*kv)), std::move(options), clock);
}

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(std::shared_ptr<kv::KvStore> kv, LogStoreOptions options,
                                                         Clock* clock) {
  if (options.partition_duration < absl::Seconds(1)) {
    return absl::InvalidArgumentError("log store: partition_duration must be at least 1s");
  }
  if (options.chunk_target_bytes == 0) return absl::InvalidArgumentError("log store: chunk_target_bytes is 0");
  std::unique_ptr<LogStore> store(new LogStore(std::move(kv), std::move(options), clock));
  if (absl::Status s = store->Load(); !s.ok()) return s;
  return store;
}

absl::Status LogStore::Load() {
  absl::MutexLock commit_lock(&commit_mu_);
  absl::MutexLock lock(&mu_);
  uint64_t max_seq = 0;
  uint32_t max_sid = 0;
  // Keys sort 'P' < 'S' < 'W': partitions and streams are known before the WAL records are replayed.
  std::unique_ptr<kv::Iterator> it = kv_->NewIterator(default_ns_, {});
  std::vector<LogEntry> replayed;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (key.empty()) continue;
    if (key[0] == kPartitionTag) {
      absl::StatusOr<int64_t> idx = ParsePartitionKey(key);
      if (!idx.ok()) return idx.status();
      absl::StatusOr<PartitionRecord> rec = DecodePartitionRecord(it->value());
      if (!rec.ok()) return Annotate(rec.status(), absl::StrCat("partition ", *idx));
      partitions_[*idx] = Partition{*idx, *rec, nullptr};
    } else if (key[0] == kStreamTag) {
      absl::StatusOr<uint32_t> sid = ParseStreamKey(key);
      if (!sid.ok()) return sid.status();
      absl::StatusOr<StreamRecord> rec = DecodeStreamRecord(it->value());
      if (!rec.ok()) return Annotate(rec.status(), absl::StrCat("stream ", *sid));
      auto s = std::make_unique<HeadStream>();
      s->id = *sid;
      s->labels = rec->labels;
      s->interned = symbols_.Intern(s->labels);
      s->has_data = rec->has_data;
      s->flushed_min = rec->min_time;
      s->flushed_max = rec->max_time;
      s->flushed_seq = rec->flushed_seq;
      max_seq = std::max(max_seq, rec->flushed_seq);
      max_sid = std::max(max_sid, *sid);
      postings_.Add(s->id, s->interned);
      by_labels_[s->labels] = s->id;
      streams_[s->id] = std::move(s);
    } else if (key[0] == kWalTag) {
      absl::StatusOr<uint64_t> seq = ParseWalKey(key);
      if (!seq.ok()) return seq.status();
      max_seq = std::max(max_seq, *seq);
      const absl::Time now = clock_->Now();
      absl::Status s = DecodeWalRecord(it->value(), [&](uint32_t sid, uint64_t, std::string_view block) {
        auto found = streams_.find(sid);
        if (found == streams_.end()) {
          return absl::DataLossError(absl::StrCat("WAL record ", *seq, " names unknown stream ", sid));
        }
        HeadStream* stream = found->second.get();
        if (*seq <= stream->flushed_seq) return absl::OkStatus();  // already in a chunk
        replayed.clear();
        VIGIL_RETURN_IF_ERROR(DecodeEntries(block, 0, [&](LogEntry& e) {
          replayed.push_back(std::move(e));
          return absl::OkStatus();
        }));
        counters_.wal_entries_replayed += replayed.size();
        AppendToHead(stream, &replayed, *seq, now);
        return absl::OkStatus();
      });
      if (!s.ok()) {
        // A damaged record loses its own entries only; the rest of the WAL is still replayed.
        log::Error("log store: skipping a damaged WAL record", {{"seq", *seq}, {"err", s}});
      }
    }
  }
  if (!it->status().ok()) return it->status();
  it.reset();
  next_seq_ = max_seq + 1;
  next_stream_id_ = max_sid + 1;

  // Attach partition namespaces; drop namespaces no partition record names (a crash between creating one and
  // writing its first chunk).
  for (std::shared_ptr<kv::Namespace>& ns : kv_->ListNamespaces()) {
    std::optional<int64_t> idx = ParsePartitionNamespaceName(ns->name());
    if (!idx.has_value()) continue;
    auto p = partitions_.find(*idx);
    if (p == partitions_.end()) {
      log::Warn("log store: dropping a partition namespace without a record", {{"namespace", ns->name()}});
      VIGIL_RETURN_IF_ERROR(kv_->DropNamespace(*ns));
      continue;
    }
    p->second.ns = ns;
  }
  for (auto it2 = partitions_.begin(); it2 != partitions_.end();) {
    if (it2->second.ns == nullptr) {
      log::Error("log store: partition record without its namespace; its chunks are lost", {{"partition", it2->first}});
      it2 = partitions_.erase(it2);
    } else {
      ++it2;
    }
  }
  return absl::OkStatus();
}

LogStore::~LogStore() {
  if (absl::Status s = Close(); !s.ok()) log::Error("log store: close failed; the WAL keeps the data", {{"err", s}});
  if (registry_ != nullptr) {
    for (const std::string& name : metric_names_) (void)registry_->Remove(name);
  }
}

std::unique_ptr<LogAppender> LogStore::NewAppender() { return std::make_unique<Appender>(this); }

absl::Status LogStore::ValidateStreamLabels(const Labels& labels) const {
  if (labels.empty()) return absl::InvalidArgumentError("stream has no labels: at least one label pair is required");
  if (labels.size() > options_.max_labels_per_stream) {
    return absl::InvalidArgumentError(absl::StrCat("stream ", labels.ToString(), " has ", labels.size(),
                                                   " labels, more than the limit of ", options_.max_labels_per_stream));
  }
  for (const Label& l : labels) {
    if (!IsValidLabelName(l.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid label name ", QuoteLabelValue(l.name), " in stream ", labels.ToString()));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("label ", AV(l.name), " of stream ", labels.ToString(), " is not valid UTF-8"));
    }
  }
  return absl::OkStatus();
}

std::optional<TimestampNs> LogStore::NewestTimestamp(const Labels& labels) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_labels_.find(labels);
  if (it == by_labels_.end()) return std::nullopt;
  const HeadStream& s = *streams_.at(it->second);
  if (s.head.empty() && !s.has_data) return std::nullopt;
  return s.Newest();
}

int64_t LogStore::PartitionOf(TimestampNs t) const {
  const int64_t width = absl::ToInt64Nanoseconds(options_.partition_duration);
  int64_t q = t / width;
  if (t % width != 0 && t < 0) --q;  // floor division
  return q;
}

// ---------------------------------------------------------------------------------------------------------------
// Commit.

void LogStore::AppendToHead(HeadStream* s, std::vector<LogEntry>* entries, uint64_t seq, absl::Time now) {
  if (entries->empty()) return;
  if (s->head.empty()) {
    s->first_seq = seq;
    s->first_append = now;
  }
  s->last_seq = seq;
  for (LogEntry& e : *entries) {
    const uint64_t bytes = EntryBytes(e);
    s->head_bytes += bytes;
    head_bytes_ += bytes;
    s->head_min = std::min(s->head_min, e.timestamp_ns);
    s->head_max = std::max(s->head_max, e.timestamp_ns);
    s->head.push_back(std::move(e));
  }
  head_entries_ += entries->size();
}

absl::Status LogStore::CommitPending(std::vector<PendingStream>* pending) {
  absl::MutexLock commit_lock(&commit_mu_);
  if (closed_) return absl::FailedPreconditionError("log store is closed");
  const uint64_t seq = next_seq_;

  // Resolve stream ids; new streams get theirs now and their records go into the same batch as the entries.
  std::vector<uint32_t> ids(pending->size());
  std::vector<std::pair<Labels, uint32_t>> created;
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  uint32_t next_id = next_stream_id_;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (size_t i = 0; i < pending->size(); ++i) {
      const Labels& labels = (*pending)[i].labels;
      auto it = by_labels_.find(labels);
      if (it != by_labels_.end()) {
        ids[i] = it->second;
        continue;
      }
      auto c = std::find_if(created.begin(), created.end(), [&](const auto& p) { return p.first == labels; });
      if (c != created.end()) {
        ids[i] = c->second;
        continue;
      }
      if (next_id == std::numeric_limits<uint32_t>::max()) return absl::ResourceExhaustedError("stream ids exhausted");
      ids[i] = next_id++;
      created.emplace_back(labels, ids[i]);
      StreamRecord rec;
      rec.labels = labels;
      batch->Put(*default_ns_, StreamKey(ids[i]), EncodeStreamRecord(rec));
    }
  }

  thread_local std::string record;
  thread_local std::string block;
  BeginWalRecord(&record);
  size_t entries = 0;
  for (size_t i = 0; i < pending->size(); ++i) {
    block.clear();
    TimestampNs prev = 0;
    for (const LogEntry& e : (*pending)[i].entries) AppendEntry(e, &prev, &block);
    AppendWalStream(ids[i], (*pending)[i].entries.size(), block, &record);
    entries += (*pending)[i].entries.size();
  }
  FinishWalRecord(static_cast<uint32_t>(pending->size()), &record);
  batch->Put(*default_ns_, WalKey(seq), record);
  if (record.capacity() > (size_t{8} << 20)) std::string().swap(record);  // keep no huge buffer per thread
  if (absl::Status s = kv_->Write({.sync = options_.sync_commits}, batch.get()); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("log store commit failed: ", s.message()));
  }
  next_seq_ = seq + 1;
  next_stream_id_ = next_id;

  // Apply to the head, and note which chunks are due to be cut.
  std::vector<uint32_t> to_flush;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [labels, id] : created) {
      auto s = std::make_unique<HeadStream>();
      s->id = id;
      s->labels = labels;
      s->interned = symbols_.Intern(labels);
      postings_.Add(id, s->interned);
      by_labels_[labels] = id;
      streams_[id] = std::move(s);
    }
    const absl::Time now = clock_->Now();
    for (size_t i = 0; i < pending->size(); ++i) {
      HeadStream* s = streams_.at(ids[i]).get();
      AppendToHead(s, &(*pending)[i].entries, seq, now);
      if (s->head_bytes >= options_.chunk_target_bytes &&
          std::find(to_flush.begin(), to_flush.end(), s->id) == to_flush.end()) {
        to_flush.push_back(s->id);
      }
    }
    counters_.commits++;
    counters_.entries_appended += entries;
    if (head_bytes_ > options_.max_head_bytes) {
      // Cut the largest chunks until the head is back under three quarters of its bound.
      std::vector<std::pair<uint64_t, uint32_t>> by_size;
      for (const auto& [id, s] : streams_) {
        if (!s->head.empty()) by_size.emplace_back(s->head_bytes, id);
      }
      std::sort(by_size.rbegin(), by_size.rend());
      uint64_t left = head_bytes_;
      for (const auto& [bytes, id] : by_size) {
        if (left <= options_.max_head_bytes / 4 * 3) break;
        if (std::find(to_flush.begin(), to_flush.end(), id) == to_flush.end()) to_flush.push_back(id);
        left -= bytes;
      }
    }
  }
  // The entries are durable and visible; a failed cut leaves them in the head and the WAL to be retried.
  if (!to_flush.empty()) FlushStreams(to_flush);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Cutting chunks.

absl::Status LogStore::FlushStream(HeadStream* s) {
  // Only writers change a head, and they hold commit_mu_ as this does: reading it needs no mu_.
  if (s->head.empty()) return absl::OkStatus();
  std::vector<const LogEntry*> order;
  order.reserve(s->head.size());
  for (const LogEntry& e : s->head) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const LogEntry* a, const LogEntry* b) { return a->timestamp_ns < b->timestamp_ns; });
  thread_local std::string block;
  block.clear();
  block.reserve(s->head_bytes + 8 * s->head.size());
  ChunkMeta meta;
  const TimestampNs min_time = order.front()->timestamp_ns;
  TimestampNs prev = min_time;
  for (const LogEntry* e : order) {
    AppendEntry(*e, &prev, &block);
    meta.line_bytes += e->line.size();
  }
  meta.max_time = order.back()->timestamp_ns;
  meta.entries = order.size();
  std::string blob;
  VIGIL_RETURN_IF_ERROR(CompressBlock(block, options_.codec, &blob));
  if (block.capacity() > 4 * options_.chunk_target_bytes) std::string().swap(block);
  meta.stored_bytes = blob.size();

  const uint64_t chunk_seq = next_seq_++;
  const ChunkKey key{s->id, min_time, chunk_seq};
  const int64_t pidx = PartitionOf(min_time);

  std::shared_ptr<kv::Namespace> ns;
  PartitionRecord prec;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto p = partitions_.find(pidx);
    if (p != partitions_.end()) {
      ns = p->second.ns;
      prec = p->second.record;
    }
  }
  const bool new_partition = ns == nullptr;
  if (new_partition) {
    absl::StatusOr<std::shared_ptr<kv::Namespace>> created = kv_->CreateNamespace(PartitionNamespaceName(pidx));
    if (!created.ok()) return created.status();
    ns = *created;
    prec.min_time = min_time;
    prec.max_time = meta.max_time;
  }
  prec.min_time = std::min(prec.min_time, min_time);
  prec.max_time = std::max(prec.max_time, meta.max_time);
  prec.chunks++;
  prec.entries += meta.entries;
  prec.line_bytes += meta.line_bytes;
  prec.stored_bytes += meta.stored_bytes;

  StreamRecord srec;
  srec.labels = s->labels;
  srec.has_data = true;
  srec.min_time = s->has_data ? std::min(s->flushed_min, min_time) : min_time;
  srec.max_time = s->has_data ? std::max(s->flushed_max, meta.max_time) : meta.max_time;
  // Every WAL record before this chunk's sequence that holds entries of the stream holds them in this chunk
  // or an earlier one (commits are serialized and a cut takes the whole head).
  srec.flushed_seq = chunk_seq;

  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  batch->Put(*ns, ChunkMetaKey(key), EncodeChunkMeta(meta));
  batch->Put(*ns, ChunkBlobKey(key), blob);
  batch->Put(*default_ns_, StreamKey(s->id), EncodeStreamRecord(srec));
  batch->Put(*default_ns_, PartitionKey(pidx), EncodePartitionRecord(prec));

  // The write and the head's release happen under mu_, so a query sees the entries either in the head or in
  // the chunk, never both or neither.
  absl::MutexLock lock(&mu_);
  VIGIL_RETURN_IF_ERROR(kv_->Write({}, batch.get()));
  Partition& p = partitions_[pidx];
  p.index = pidx;
  p.record = prec;
  p.ns = ns;
  s->has_data = true;
  s->flushed_min = srec.min_time;
  s->flushed_max = srec.max_time;
  s->flushed_seq = chunk_seq;
  head_bytes_ -= s->head_bytes;
  head_entries_ -= s->head.size();
  std::vector<LogEntry>().swap(s->head);
  s->head_bytes = 0;
  s->head_min = kMaxTime;
  s->head_max = kMinTime;
  s->first_seq = s->last_seq = 0;
  return absl::OkStatus();
}

void LogStore::FlushStreams(const std::vector<uint32_t>& ids) {
  for (uint32_t id : ids) {
    HeadStream* s = nullptr;
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = streams_.find(id);
      if (it != streams_.end()) s = it->second.get();
    }
    if (s == nullptr) continue;
    if (absl::Status st = FlushStream(s); !st.ok()) {
      log::Error("log store: cutting a chunk failed; the entries stay in the head and the WAL",
                 {{"stream", s->labels.ToString()}, {"err", st}});
      absl::MutexLock lock(&mu_);
      counters_.chunk_flush_errors++;
    }
  }
  if (absl::Status st = TrimWal(); !st.ok()) log::Error("log store: trimming the WAL failed", {{"err", st}});
}

absl::Status LogStore::TrimWal() {
  uint64_t keep_from = next_seq_;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, s] : streams_) {
      if (!s->head.empty()) keep_from = std::min(keep_from, s->first_seq);
    }
  }
  if (keep_from <= wal_trimmed_below_) return absl::OkStatus();
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  batch->DeleteRange(*default_ns_, WalKey(wal_trimmed_below_), WalKey(keep_from));
  VIGIL_RETURN_IF_ERROR(kv_->Write({}, batch.get()));
  wal_trimmed_below_ = keep_from;
  return absl::OkStatus();
}

absl::Status LogStore::FlushAllLocked() {
  std::vector<uint32_t> ids;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, s] : streams_) {
      if (!s->head.empty()) ids.push_back(id);
    }
  }
  absl::Status first;
  for (uint32_t id : ids) {
    HeadStream* s = nullptr;
    {
      absl::ReaderMutexLock lock(&mu_);
      s = streams_.at(id).get();
    }
    if (absl::Status st = FlushStream(s); !st.ok() && first.ok()) first = st;
  }
  VIGIL_RETURN_IF_ERROR(first);
  return TrimWal();
}

absl::Status LogStore::Flush() {
  absl::MutexLock commit_lock(&commit_mu_);
  return FlushAllLocked();
}

absl::Status LogStore::Close() {
  absl::MutexLock commit_lock(&commit_mu_);
  if (closed_) return absl::OkStatus();
  VIGIL_RETURN_IF_ERROR(FlushAllLocked());
  closed_ = true;
  return absl::OkStatus();
}

void LogStore::AbandonForTesting() {
  absl::MutexLock commit_lock(&commit_mu_);
  closed_ = true;
}

// ---------------------------------------------------------------------------------------------------------------
// Maintenance.

absl::Status LogStore::Maintain() {
  absl::MutexLock commit_lock(&commit_mu_);
  if (closed_) return absl::OkStatus();
  std::vector<uint32_t> aged;
  const absl::Time now = clock_->Now();
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, s] : streams_) {
      if (!s->head.empty() && now - s->first_append >= options_.max_chunk_age) aged.push_back(id);
    }
  }
  FlushStreams(aged);
  return ApplyRetention();
}

absl::Status LogStore::ApplyRetention() {
  if (options_.retention <= absl::ZeroDuration()) return absl::OkStatus();
  const TimestampNs cutoff = SubSat(absl::ToUnixNanos(clock_->Now()), options_.retention);
  std::vector<Partition> expired;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [idx, p] : partitions_) {
      if (p.record.max_time < cutoff) expired.push_back(p);
    }
  }
  for (const Partition& p : expired) {
    // The record goes first: a crash before the drop leaves a namespace that Open drops as a leftover.
    std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
    batch->Delete(*default_ns_, PartitionKey(p.index));
    VIGIL_RETURN_IF_ERROR(kv_->Write({}, batch.get()));
    {
      absl::MutexLock lock(&mu_);
      partitions_.erase(p.index);
      counters_.partitions_dropped++;
    }
    VIGIL_RETURN_IF_ERROR(kv_->DropNamespace(*p.ns));
    log::Info("log store: dropped a partition past the retention",
              {{"partition", p.index}, {"chunks", p.record.chunks}, {"bytes", p.record.stored_bytes}});
  }
  // Streams whose every entry is past the retention leave the index.
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  std::vector<MemPostings::Entry> removed;
  absl::MutexLock lock(&mu_);
  std::vector<uint32_t> ids;
  for (const auto& [id, s] : streams_) {
    if (s->head.empty() && s->has_data && s->flushed_max < cutoff) {
      ids.push_back(id);
      batch->Delete(*default_ns_, StreamKey(id));
    }
  }
  if (ids.empty()) return absl::OkStatus();
  VIGIL_RETURN_IF_ERROR(kv_->Write({}, batch.get()));
  for (uint32_t id : ids) removed.push_back({id, &streams_.at(id)->interned});
  postings_.Delete(removed);
  for (uint32_t id : ids) {
    by_labels_.erase(streams_.at(id)->labels);
    streams_.erase(id);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Stats and metrics.

LogStoreStats LogStore::GetStoreStats() const {
  absl::ReaderMutexLock lock(&mu_);
  LogStoreStats s = counters_;
  s.streams = streams_.size();
  s.head_entries = head_entries_;
  s.head_bytes = head_bytes_;
  s.partitions = partitions_.size();
  for (const auto& [idx, p] : partitions_) {
    s.chunks += p.record.chunks;
    s.entries_persisted += p.record.entries;
    s.line_bytes_persisted += p.record.line_bytes;
    s.stored_bytes += p.record.stored_bytes;
  }
  return s;
}

absl::Status LogStore::RegisterMetrics(metrics::Registry* registry) {
  struct Def {
    const char* name;
    const char* help;
    bool counter;
    uint64_t LogStoreStats::*field;
  };
  static constexpr Def kDefs[] = {
      {"vigil_logs_streams", "Log streams known to the store.", false, &LogStoreStats::streams},
      {"vigil_logs_head_bytes", "Bytes of log lines in open (in-memory) chunks.", false, &LogStoreStats::head_bytes},
      {"vigil_logs_head_entries", "Log entries in open (in-memory) chunks.", false, &LogStoreStats::head_entries},
      {"vigil_logs_partitions", "Time partitions of persisted log chunks.", false, &LogStoreStats::partitions},
      {"vigil_logs_chunks", "Persisted log chunks.", false, &LogStoreStats::chunks},
      {"vigil_logs_stored_bytes", "Compressed bytes of persisted log chunks.", false, &LogStoreStats::stored_bytes},
      {"vigil_logs_persisted_line_bytes", "Uncompressed line bytes in persisted log chunks.", false,
       &LogStoreStats::line_bytes_persisted},
      {"vigil_logs_commits_total", "Log append commits.", true, &LogStoreStats::commits},
      {"vigil_logs_entries_appended_total", "Log entries committed.", true, &LogStoreStats::entries_appended},
      {"vigil_logs_chunk_flush_errors_total", "Failed chunk cuts (the entries stay in the head and the WAL).", true,
       &LogStoreStats::chunk_flush_errors},
      {"vigil_logs_partitions_dropped_total", "Log partitions dropped by retention.", true,
       &LogStoreStats::partitions_dropped},
  };
  for (const Def& d : kDefs) {
    auto fn = [this, field = d.field] { return static_cast<double>(GetStoreStats().*field); };
    absl::Status s =
        d.counter ? registry->NewCounterFunc(d.name, d.help, fn) : registry->NewGaugeFunc(d.name, d.help, fn);
    VIGIL_RETURN_IF_ERROR(s);
    metric_names_.push_back(d.name);
  }
  registry_ = registry;
  return absl::OkStatus();
}

}  // namespace vigil::tsdb::logs
