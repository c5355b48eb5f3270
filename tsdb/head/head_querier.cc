#include "tsdb/head/head_querier.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace vigil::tsdb {

bool HeadSeriesSet::Next() {
  while (pos_ < entries_.size()) {
    Entry& e = entries_[pos_++];
    std::shared_ptr<SeriesSnapshot> snapshot;
    head_->WithSeries(e.ref, [&](MemSeries& s) {
      SeriesLock lock(&s.mu());
      if (s.deleted) return;
      snapshot = std::make_shared<SeriesSnapshot>(labels_only_ ? SeriesSnapshot() : s.Snapshot(mint_, maxt_));
    });
    if (snapshot == nullptr || (!labels_only_ && snapshot->empty())) continue;
    cur_ = std::make_shared<HeadSeries>(std::move(e.labels), std::move(snapshot), mint_, maxt_);
    return true;
  }
  cur_.reset();
  return false;
}

std::unique_ptr<SeriesSet> HeadQuerier::Select(bool sorted, const SelectHints* hints,
                                               std::span<const Matcher> matchers) {
  // As Prometheus' block querier: the hints' range, when given, narrows the querier's.
  TimestampMs mint = mint_;
  TimestampMs maxt = maxt_;
  if (hints != nullptr) {
    mint = std::max(mint, hints->start);
    maxt = std::min(maxt, hints->end);
  }
  if (mint > maxt)
    return std::make_unique<HeadSeriesSet>(head_, mint, maxt, std::vector<HeadSeriesSet::Entry>(), false);
  const std::vector<SeriesId> ids = head_->postings_.PostingsForMatchers(matchers);
  std::vector<HeadSeriesSet::Entry> entries;
  entries.reserve(ids.size());
  for (SeriesId id : ids) {
    head_->WithSeries(id, [&](MemSeries& s) {
      {
        SeriesLock lock(&s.mu());
        if (s.deleted || !s.Overlaps(mint, maxt)) return;
      }
      // Labels are immutable; the shard lock WithSeries holds keeps the series alive.
      entries.push_back({id, head_->symbols_.Materialize(s.labels())});
    });
  }
  if (sorted) {
    std::sort(entries.begin(), entries.end(), [](const HeadSeriesSet::Entry& a, const HeadSeriesSet::Entry& b) {
      return Compare(a.labels, b.labels) < 0;
    });
  }
  const bool labels_only = hints != nullptr && hints->func == "series";
  return std::make_unique<HeadSeriesSet>(head_, mint, maxt, std::move(entries), labels_only);
}

bool HeadQuerier::HeadOverlaps() const { return head_->MinTime() <= maxt_ && head_->MaxTime() >= mint_; }

bool HeadQuerier::SeriesOverlaps(const MemSeries& s) const {
  SeriesLock lock(&s.mu());
  return !s.deleted && s.Overlaps(mint_, maxt_);
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelNames(std::span<const Matcher> matchers) {
  if (!HeadOverlaps()) return std::vector<std::string>();
  if (matchers.empty()) return head_->postings_.LabelNames();
  absl::flat_hash_set<uint32_t> name_ids;
  for (SeriesId id : head_->postings_.PostingsForMatchers(matchers)) {
    head_->WithSeries(id, [&](MemSeries& s) {
      if (!SeriesOverlaps(s)) return;
      const InternedLabels& l = s.labels();
      for (size_t i = 0; i < l.size(); ++i) name_ids.insert(l.name_id(i));
    });
  }
  std::vector<std::string> out;
  out.reserve(name_ids.size());
  for (uint32_t id : name_ids) out.emplace_back(head_->symbols_.Lookup(id));
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelValues(std::string_view name,
                                                                  std::span<const Matcher> matchers) {
  if (!HeadOverlaps()) return std::vector<std::string>();
  if (matchers.empty()) return head_->postings_.LabelValues(name);
  const std::optional<uint32_t> name_id = head_->symbols_.Find(name);
  if (!name_id.has_value()) return std::vector<std::string>();
  absl::flat_hash_set<uint32_t> value_ids;
  for (SeriesId id : head_->postings_.PostingsForMatchers(matchers)) {
    head_->WithSeries(id, [&](MemSeries& s) {
      if (!SeriesOverlaps(s)) return;
      const InternedLabels& l = s.labels();
      for (size_t i = 0; i < l.size(); ++i) {
        if (l.name_id(i) == *name_id) value_ids.insert(l.value_id(i));
      }
    });
  }
  std::vector<std::string> out;
  out.reserve(value_ids.size());
  for (uint32_t id : value_ids) out.emplace_back(head_->symbols_.Lookup(id));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil::tsdb
