// The db layer's entry points into the head: WAL replay, handing chunks to persistence, truncation and garbage
// collection.
#include <algorithm>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "tsdb/head/head.h"

namespace vigil::tsdb {

absl::Status Head::ReplaySeries(SeriesRef ref, const Labels& labels) {
  if (ref == 0)
    return absl::InvalidArgumentError(absl::StrCat("replay: series record with ref 0: ", labels.ToString()));
  if (labels.empty()) return absl::InvalidArgumentError(absl::StrCat("replay: series record ", ref, " has no labels"));
  std::optional<std::string> other;
  const bool known = WithSeries(ref, [&](MemSeries& s) {
    if (!LabelsEqual(s.labels(), labels)) other = symbols_.Materialize(s.labels()).ToString();
  });
  if (known) {
    if (!other.has_value()) return absl::OkStatus();  // A repeated record.
    return absl::DataLossError(absl::StrCat("replay: series record ", ref, " has labels ", labels.ToString(),
                                            " but ref ", ref, " already holds ", *other));
  }
  // Raise next_ref_ past every replayed ref, so refs handed out later never collide with logged ones.
  SeriesRef next = next_ref_.load(std::memory_order_relaxed);
  while (next <= ref && !next_ref_.compare_exchange_weak(next, ref + 1, std::memory_order_relaxed)) {
  }

  InternedLabels interned = symbols_.Intern(labels);
  Shard& hash_shard = HashShard(labels.Hash());
  MemSeries* series = nullptr;
  std::optional<SeriesRef> alias;
  {
    std::unique_lock lock(hash_shard.mu);
    if (auto it = hash_shard.by_hash.find(labels.Hash()); it != hash_shard.by_hash.end()) {
      for (MemSeries* s = it->second; s != nullptr; s = s->hash_next) {
        if (LabelsEqual(s->labels(), labels)) alias = s->ref();
      }
    }
    if (!alias.has_value()) {
      series = new MemSeries(ref, std::move(interned));
      MemSeries*& head_of_chain = hash_shard.by_hash[labels.Hash()];
      series->hash_next = head_of_chain;
      head_of_chain = series;
      series->logged.store(true, std::memory_order_relaxed);
      SeriesLock series_lock(&series->mu());
      Reaccount(*series);
    }
  }
  if (alias.has_value()) {
    // The same labels were logged under two refs (the series was collected and recreated, or logged by two
    // appenders at once): samples of this ref belong to the existing series. (Not under the shard lock:
    // ReplaySamples takes replay_mu_ before shard locks.)
    absl::MutexLock replay_lock(&replay_mu_);
    replay_aliases_[ref] = *alias;
    return absl::OkStatus();
  }
  {
    Shard& ref_shard = RefShard(ref);
    std::unique_lock lock(ref_shard.mu);
    ref_shard.by_ref.emplace(ref, series);
  }
  num_series_.fetch_add(1, std::memory_order_relaxed);
  series_created_.fetch_add(1, std::memory_order_relaxed);
  MemSeries* const publish[] = {series};
  Publish(publish);
  return absl::OkStatus();
}

ReplayStats Head::ReplaySamples(std::span<const RefSample> samples) {
  ReplayStats stats;
  TimestampMs mint = kMaxTimestampMs;
  TimestampMs maxt = kMinTimestampMs;
  const TimestampMs min_valid = MinValidTime();
  absl::ReaderMutexLock replay_lock(&replay_mu_);
  for (const RefSample& rs : samples) {
    auto apply = [&](MemSeries& s) {
      SeriesLock lock(&s.mu());
      if (s.deleted) {
        ++stats.unknown_series;
        return;
      }
      switch (s.Append(rs.t, rs.v, series_options_, min_valid)) {
        case AppendVerdict::kInOrder:
        case AppendVerdict::kOutOfOrder:
          ++stats.applied;
          mint = std::min(mint, rs.t);
          maxt = std::max(maxt, rs.t);
          break;
        case AppendVerdict::kDuplicateIgnored:
          ++stats.duplicates_ignored;
          break;
        default:
          ++stats.rejected;
          break;
      }
      Reaccount(s);
    };
    if (WithSeries(rs.ref, apply)) continue;
    auto alias = replay_aliases_.find(rs.ref);
    if (alias == replay_aliases_.end() || !WithSeries(alias->second, apply)) ++stats.unknown_series;
  }
  if (stats.applied > 0) ExtendTimeRange(mint, maxt);
  samples_appended_.fetch_add(stats.applied, std::memory_order_relaxed);
  return stats;
}

void Head::EndReplay() {
  absl::MutexLock lock(&replay_mu_);
  replay_aliases_.clear();
}

absl::Status Head::ForEachSeriesChunksBefore(TimestampMs t, absl::FunctionRef<absl::Status(const PersistSeries&)> fn) {
  absl::MutexLock maintenance(&maintenance_mu_);
  std::vector<SeriesRef> refs;
  refs.reserve(NumSeries());
  for (size_t i = 0; i < kShards; ++i) {
    std::shared_lock lock(shards_[i].mu);
    for (const auto& [ref, series] : shards_[i].by_ref) refs.push_back(ref);
  }
  std::sort(refs.begin(), refs.end());
  std::vector<HeadChunkPtr> chunks;
  for (SeriesRef ref : refs) {
    chunks.clear();
    std::optional<Labels> labels;
    WithSeries(ref, [&](MemSeries& s) {
      {
        SeriesLock lock(&s.mu());
        if (s.deleted) return;
        s.CloseBefore(t, series_options_);
        s.ChunksBefore(t, &chunks);
        Reaccount(s);
      }
      if (!chunks.empty()) labels = symbols_.Materialize(s.labels());
    });
    if (!labels.has_value()) continue;
    VIGIL_RETURN_IF_ERROR(fn(PersistSeries{ref, *labels, chunks}));
  }
  return absl::OkStatus();
}

void Head::ForEachSeries(absl::FunctionRef<void(SeriesRef, const Labels&)> fn) {
  absl::MutexLock maintenance(&maintenance_mu_);
  std::vector<MemSeries*> series;
  series.reserve(NumSeries());
  for (size_t i = 0; i < kShards; ++i) {
    std::shared_lock lock(shards_[i].mu);
    for (const auto& [ref, s] : shards_[i].by_ref) {
      if (s->logged.load(std::memory_order_acquire)) series.push_back(s);
    }
  }
  std::sort(series.begin(), series.end(), [](const MemSeries* a, const MemSeries* b) { return a->ref() < b->ref(); });
  // Only TruncateBefore deletes series, and maintenance_mu_ keeps it out: the pointers stay valid.
  for (const MemSeries* s : series) fn(s->ref(), symbols_.Materialize(s->labels()));
}

TruncateStats Head::TruncateBefore(TimestampMs t) {
  absl::MutexLock maintenance(&maintenance_mu_);
  SetMinValidTime(t);
  TruncateStats stats;
  const TimestampMs old_min = MinTime();
  TimestampMs new_min = kMaxTimestampMs;
  std::vector<MemSeries*> candidates;
  for (size_t i = 0; i < kShards; ++i) {
    std::shared_lock lock(shards_[i].mu);
    for (const auto& [ref, s] : shards_[i].by_ref) {
      SeriesLock series_lock(&s->mu());
      stats.chunks_removed += s->TruncateBefore(t);
      Reaccount(*s);
      if (s->Empty() && s->pins == 0) {
        candidates.push_back(s);
      } else {
        new_min = std::min(new_min, s->MinTime());
      }
    }
  }

  // Only this function deletes series and maintenance_mu_ is held, so the candidates stay valid; recheck each
  // under its hash shard's writer lock, which keeps appenders from finding and pinning it by labels meanwhile.
  std::vector<MemSeries*> removed;
  for (MemSeries* s : candidates) {
    Shard& hash_shard = HashShard(s->labels().Hash());
    std::unique_lock lock(hash_shard.mu);
    {
      SeriesLock series_lock(&s->mu());
      if (!s->Empty() || s->pins > 0) {
        new_min = std::min(new_min, s->MinTime());
        continue;
      }
      s->deleted = true;
    }
    auto it = hash_shard.by_hash.find(s->labels().Hash());
    if (it != hash_shard.by_hash.end()) {
      MemSeries** link = &it->second;
      while (*link != nullptr && *link != s) link = &(*link)->hash_next;
      if (*link == s) *link = s->hash_next;
      if (it->second == nullptr) hash_shard.by_hash.erase(it);
    }
    removed.push_back(s);
  }

  std::vector<MemPostings::Entry> unindex;
  for (MemSeries* s : removed) {
    if (s->published.load(std::memory_order_acquire)) unindex.push_back({s->ref(), &s->labels()});
  }
  postings_.Delete(unindex);
  for (MemSeries* s : removed) {
    Shard& ref_shard = RefShard(s->ref());
    std::unique_lock lock(ref_shard.mu);
    ref_shard.by_ref.erase(s->ref());
  }
  for (MemSeries* s : removed) {
    size_t bytes;
    {
      SeriesLock series_lock(&s->mu());
      bytes = s->accounted_bytes;
    }
    series_bytes_.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
    delete s;
  }
  for (size_t i = 0; i < kShards && !removed.empty(); ++i) {
    // Give back the buckets of maps that shrank a lot.
    std::unique_lock lock(shards_[i].mu);
    if (shards_[i].by_ref.capacity() > 4 * shards_[i].by_ref.size() + 64) shards_[i].by_ref.rehash(0);
    if (shards_[i].by_hash.capacity() > 4 * shards_[i].by_hash.size() + 64) shards_[i].by_hash.rehash(0);
  }
  num_series_.fetch_sub(removed.size(), std::memory_order_relaxed);
  series_removed_.fetch_add(removed.size(), std::memory_order_relaxed);
  stats.series_removed = removed.size();

  // Raise the head's min time to what is left, but not past `t`: a commit may have added samples at or after `t`
  // to series already scanned, so MinTime stays a lower bound. If a commit lowered it meanwhile, its value stands.
  TimestampMs expected = old_min;
  min_time_.compare_exchange_strong(expected, std::max(old_min, std::min(new_min, t)), std::memory_order_acq_rel);
  return stats;
}

}  // namespace vigil::tsdb
