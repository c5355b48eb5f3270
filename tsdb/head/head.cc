#include "tsdb/head/head.h"

#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "tsdb/head/head_appender.h"
#include "tsdb/head/head_querier.h"

namespace vigil::tsdb {
namespace {

// Label sets in error messages are cut to this many bytes: a label-limit violation may be megabytes long.
constexpr size_t kMaxQuotedLabels = 256;

std::string ShortLabels(const Labels& labels) {
  std::string s = labels.ToString();
  if (s.size() > kMaxQuotedLabels) {
    s.resize(kMaxQuotedLabels);
    s += "...";
  }
  return s;
}

std::string ShortValue(std::string_view v) {
  std::string s = QuoteLabelValue(v.substr(0, 64));
  if (v.size() > 64) s += "...";
  return s;
}

SeriesOptions ToSeriesOptions(const HeadOptions& o) {
  SeriesOptions s;
  s.chunk_range_ms = o.chunk_range_ms;
  s.samples_per_chunk = static_cast<uint32_t>(o.samples_per_chunk);
  s.out_of_order_window_ms = o.out_of_order_window_ms;
  s.out_of_order_capacity = static_cast<uint32_t>(o.out_of_order_capacity);
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Head>> Head::Create(HeadOptions options) {
  if (options.chunk_range_ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("head options: chunk_range_ms must be positive, got ", options.chunk_range_ms));
  }
  if (options.samples_per_chunk < 1 || options.samples_per_chunk > kMaxChunkSamples) {
    return absl::InvalidArgumentError(absl::StrCat("head options: samples_per_chunk must be in [1, ", kMaxChunkSamples,
                                                   "], got ", options.samples_per_chunk));
  }
  if (options.out_of_order_window_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat("head options: out_of_order_window_ms must not be negative, got ",
                                                   options.out_of_order_window_ms));
  }
  if (options.out_of_order_capacity < 1 || options.out_of_order_capacity > kMaxChunkSamples) {
    return absl::InvalidArgumentError(absl::StrCat("head options: out_of_order_capacity must be in [1, ",
                                                   kMaxChunkSamples, "], got ", options.out_of_order_capacity));
  }
  return std::unique_ptr<Head>(new Head(std::move(options)));
}

Head::Head(HeadOptions options)
    : options_(std::move(options)),
      series_options_(ToSeriesOptions(options_)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

Head::~Head() {
  for (size_t i = 0; i < kShards; ++i) {
    std::unique_lock lock(shards_[i].mu);
    for (auto& [ref, series] : shards_[i].by_ref) delete series;
  }
}

absl::StatusOr<std::unique_ptr<Querier>> Head::NewQuerier(TimestampMs mint, TimestampMs maxt) {
  if (mint > maxt) {
    return absl::InvalidArgumentError(absl::StrCat("head querier: mint ", mint, " is after maxt ", maxt));
  }
  return std::unique_ptr<Querier>(new HeadQuerier(this, mint, maxt));
}

std::unique_ptr<Appender> Head::NewAppender() { return std::unique_ptr<Appender>(new HeadAppender(this)); }

bool Head::LabelsEqual(const InternedLabels& interned, const Labels& labels) const {
  if (interned.Hash() != labels.Hash() || interned.size() != labels.size()) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label l = labels[i];
    if (symbols_.Lookup(interned.name_id(i)) != l.name || symbols_.Lookup(interned.value_id(i)) != l.value) {
      return false;
    }
  }
  return true;
}

MemSeries* Head::FindAndPin(SeriesRef ref, absl::FunctionRef<bool(MemSeries*)> held, bool* pinned) {
  Shard& shard = RefShard(ref);
  std::shared_lock lock(shard.mu);
  auto it = shard.by_ref.find(ref);
  if (it == shard.by_ref.end()) return nullptr;
  MemSeries* s = it->second;
  if (held(s)) {
    *pinned = false;
    return s;
  }
  SeriesLock series_lock(&s->mu());
  if (s->deleted) return nullptr;
  ++s->pins;
  *pinned = true;
  return s;
}

MemSeries* Head::FindAndPin(const Labels& labels, absl::FunctionRef<bool(MemSeries*)> held, bool* pinned) {
  Shard& shard = HashShard(labels.Hash());
  std::shared_lock lock(shard.mu);
  auto it = shard.by_hash.find(labels.Hash());
  if (it == shard.by_hash.end()) return nullptr;
  for (MemSeries* s = it->second; s != nullptr; s = s->hash_next) {
    if (!LabelsEqual(s->labels(), labels)) continue;
    if (held(s)) {
      *pinned = false;
      return s;
    }
    // Garbage collection unlinks a series from this map under the writer lock before deleting it, so a series
    // found here is live.
    SeriesLock series_lock(&s->mu());
    ++s->pins;
    *pinned = true;
    return s;
  }
  return nullptr;
}

absl::StatusOr<MemSeries*> Head::CreatePinned(const Labels& labels, absl::FunctionRef<bool(MemSeries*)> held,
                                              bool* pinned) {
  if (labels.empty()) return RejectError(RejectReason::kInvalidLabels, "empty label set");
  if (absl::Status s = ValidateLabels(labels); !s.ok()) {
    return RejectError(RejectReason::kInvalidLabels, absl::StrCat(s.message(), " in series ", ShortLabels(labels)));
  }
  if (!labels.Has(kMetricNameLabel)) {
    return RejectError(RejectReason::kInvalidLabels,
                       absl::StrCat("series ", ShortLabels(labels), " has no __name__ label"));
  }
  const HeadOptions& o = options_;
  if (o.max_labels_per_series > 0 && labels.size() > o.max_labels_per_series) {
    return RejectError(RejectReason::kLabelLimit,
                       absl::StrCat("series ", ShortLabels(labels), " has ", labels.size(),
                                    " labels, more than the limit of ", o.max_labels_per_series));
  }
  for (const Label l : labels) {
    if (o.max_label_name_length > 0 && l.name.size() > o.max_label_name_length) {
      return RejectError(RejectReason::kLabelLimit,
                         absl::StrCat("label name ", ShortValue(l.name), " is ", l.name.size(),
                                      " bytes long, more than the limit of ", o.max_label_name_length));
    }
    if (o.max_label_value_length > 0 && l.value.size() > o.max_label_value_length) {
      return RejectError(RejectReason::kLabelLimit,
                         absl::StrCat("value of label ", AV(l.name), " (", ShortValue(l.value), ") is ", l.value.size(),
                                      " bytes long, more than the limit of ", o.max_label_value_length));
    }
  }

  InternedLabels interned = symbols_.Intern(labels);
  Shard& hash_shard = HashShard(labels.Hash());
  MemSeries* series;
  {
    std::unique_lock lock(hash_shard.mu);
    // Another appender may have created the series since our lookup.
    if (auto it = hash_shard.by_hash.find(labels.Hash()); it != hash_shard.by_hash.end()) {
      for (MemSeries* s = it->second; s != nullptr; s = s->hash_next) {
        if (!LabelsEqual(s->labels(), labels)) continue;
        *pinned = !held(s);
        if (*pinned) {
          SeriesLock series_lock(&s->mu());
          ++s->pins;
        }
        return s;
      }
    }
    if (o.max_series > 0) {
      size_t n = num_series_.load(std::memory_order_relaxed);
      do {
        if (n >= o.max_series) {
          return RejectError(RejectReason::kSeriesLimit,
                             absl::StrCat("the head holds ", n, " series, the limit (max_series); series ",
                                          ShortLabels(labels), " not created"));
        }
      } while (!num_series_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    } else {
      num_series_.fetch_add(1, std::memory_order_relaxed);
    }
    series = new MemSeries(next_ref_.fetch_add(1, std::memory_order_relaxed), std::move(interned));
    MemSeries*& head_of_chain = hash_shard.by_hash[labels.Hash()];
    series->hash_next = head_of_chain;
    head_of_chain = series;
    SeriesLock series_lock(&series->mu());
    series->pins = 1;
    Reaccount(*series);
  }
  {
    Shard& ref_shard = RefShard(series->ref());
    std::unique_lock lock(ref_shard.mu);
    ref_shard.by_ref.emplace(series->ref(), series);
  }
  series_created_.fetch_add(1, std::memory_order_relaxed);
  *pinned = true;
  return series;
}

void Head::Unpin(MemSeries* series) {
  SeriesLock lock(&series->mu());
  --series->pins;
}

void Head::Reaccount(MemSeries& series) {
  const size_t now = series.MemoryBytes();
  const int64_t delta = static_cast<int64_t>(now) - static_cast<int64_t>(series.accounted_bytes);
  series.accounted_bytes = now;
  if (delta != 0) series_bytes_.fetch_add(delta, std::memory_order_relaxed);
}

void Head::ExtendTimeRange(TimestampMs mint, TimestampMs maxt) {
  TimestampMs cur = min_time_.load(std::memory_order_relaxed);
  while (mint < cur && !min_time_.compare_exchange_weak(cur, mint, std::memory_order_acq_rel)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt > cur && !max_time_.compare_exchange_weak(cur, maxt, std::memory_order_acq_rel)) {
  }
}

void Head::Publish(std::span<MemSeries* const> series) {
  std::vector<MemPostings::Entry> entries;
  for (MemSeries* s : series) {
    if (!s->published.exchange(true, std::memory_order_acq_rel)) entries.push_back({s->ref(), &s->labels()});
  }
  if (!entries.empty()) postings_.AddBatch(entries);
}

void Head::SetMinValidTime(TimestampMs t) {
  TimestampMs cur = min_valid_time_.load(std::memory_order_relaxed);
  while (t > cur && !min_valid_time_.compare_exchange_weak(cur, t, std::memory_order_acq_rel)) {
  }
}

HeadMemory Head::Memory() const {
  HeadMemory m;
  m.series = static_cast<size_t>(std::max<int64_t>(0, series_bytes_.load(std::memory_order_relaxed)));
  m.series_maps = sizeof(Shard) * kShards;
  for (size_t i = 0; i < kShards; ++i) {
    std::shared_lock lock(shards_[i].mu);
    // flat_hash_map: one slot and one control byte per bucket.
    m.series_maps += shards_[i].by_ref.capacity() * (sizeof(std::pair<const SeriesRef, MemSeries*>) + 1);
    m.series_maps += shards_[i].by_hash.capacity() * (sizeof(std::pair<const uint64_t, MemSeries*>) + 1);
  }
  m.postings = postings_.MemoryBytes();
  m.symbols = symbols_.MemoryBytes();
  return m;
}

HeadStats Head::Stats() const {
  HeadStats s;
  s.series_created = series_created_.load(std::memory_order_relaxed);
  s.series_removed = series_removed_.load(std::memory_order_relaxed);
  s.samples_appended = samples_appended_.load(std::memory_order_relaxed);
  s.out_of_order_appended = ooo_appended_.load(std::memory_order_relaxed);
  s.samples_dropped_at_commit = dropped_at_commit_.load(std::memory_order_relaxed);
  s.commits = commits_.load(std::memory_order_relaxed);
  s.commit_failures = commit_failures_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace vigil::tsdb
