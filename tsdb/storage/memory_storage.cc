#include "tsdb/storage/memory_storage.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "tsdb/storage/series_set.h"

namespace vigil::tsdb {
namespace {

bool MatchesAll(const Labels& labels, std::span<const Matcher> matchers) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

class MemoryQuerier : public Querier {
 public:
  MemoryQuerier(std::vector<std::shared_ptr<const MemoryStorage::StoredSeries>> series, TimestampMs mint,
                TimestampMs maxt)
      : series_(std::move(series)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints, std::span<const Matcher> matchers) override {
    (void)sorted;  // Stored in label order already.
    TimestampMs mint = mint_, maxt = maxt_;
    if (hints != nullptr) {
      mint = std::max(mint, hints->start);
      maxt = std::min(maxt, hints->end);
    }
    std::vector<std::shared_ptr<const Series>> out;
    for (const auto& s : series_) {
      if (!MatchesAll(s->labels, matchers)) continue;
      auto lo = std::lower_bound(s->samples.begin(), s->samples.end(), mint,
                                 [](const Sample& a, TimestampMs t) { return a.t < t; });
      auto hi = std::upper_bound(s->samples.begin(), s->samples.end(), maxt,
                                 [](TimestampMs t, const Sample& a) { return t < a.t; });
      if (lo >= hi) continue;
      out.push_back(std::make_shared<VectorSeries>(s->labels, std::vector<Sample>(lo, hi)));
    }
    return std::make_unique<VectorSeriesSet>(std::move(out));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    std::set<std::string> names;
    ForEachMatching(matchers, [&](const Labels& l) {
      for (const Label& label : l) names.emplace(label.name);
    });
    return std::vector<std::string>(names.begin(), names.end());
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    std::set<std::string> values;
    ForEachMatching(matchers, [&](const Labels& l) {
      std::string_view v = l.Get(name);
      if (!v.empty()) values.emplace(v);
    });
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  template <typename Fn>
  void ForEachMatching(std::span<const Matcher> matchers, Fn fn) {
    for (const auto& s : series_) {
      if (!MatchesAll(s->labels, matchers)) continue;
      bool in_range = std::any_of(s->samples.begin(), s->samples.end(),
                                  [&](const Sample& x) { return x.t >= mint_ && x.t <= maxt_; });
      if (in_range) fn(s->labels);
    }
  }

  std::vector<std::shared_ptr<const MemoryStorage::StoredSeries>> series_;
  TimestampMs mint_, maxt_;
};

}  // namespace

class MemoryAppender : public Appender {
 public:
  explicit MemoryAppender(MemoryStorage* storage) : storage_(storage) {}

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, TimestampMs t, double v) override {
    Labels key;
    if (ref != 0) {
      absl::MutexLock lock(&storage_->mu_);
      if (ref > storage_->labels_by_ref_.size()) {
        return RejectError(RejectReason::kInvalidLabels, absl::StrCat("unknown series ref ", ref));
      }
      key = storage_->labels_by_ref_[ref - 1];
    } else {
      if (absl::Status s = ValidateLabels(labels); !s.ok()) {
        return RejectError(RejectReason::kInvalidLabels, SV(s.message()));
      }
      if (labels.MetricName().empty()) {
        return RejectError(RejectReason::kInvalidLabels,
                           absl::StrCat("series ", labels.ToString(), " has no metric name (__name__)"));
      }
      key = labels;
    }
    // The newest sample this series would have: committed, or pending in this batch.
    std::optional<Sample> last;
    auto pending = pending_.find(key);
    if (pending != pending_.end() && !pending->second.empty()) {
      last = pending->second.back();
    } else {
      absl::MutexLock lock(&storage_->mu_);
      auto it = storage_->series_.find(key);
      if (it != storage_->series_.end() && !it->second->samples.empty()) last = it->second->samples.back();
    }
    if (last.has_value()) {
      if (t < last->t) {
        return RejectError(RejectReason::kOutOfOrder,
                           absl::StrCat("out of order sample for ", key.ToString(), ": timestamp ", t,
                                        " is older than the newest ", last->t));
      }
      if (t == last->t) {
        if (std::bit_cast<uint64_t>(v) == std::bit_cast<uint64_t>(last->v)) return RefFor(key);
        return RejectError(RejectReason::kDuplicate, absl::StrCat("duplicate sample for timestamp ", t, " of ",
                                                                  key.ToString(), " with a different value"));
      }
    }
    pending_[key].push_back(Sample{t, v});
    return RefFor(key);
  }

  absl::Status Commit() override {
    absl::MutexLock lock(&storage_->mu_);
    for (auto& [labels, samples] : pending_) {
      auto it = storage_->series_.find(labels);
      auto updated = std::make_shared<MemoryStorage::StoredSeries>();
      updated->labels = labels;
      if (it != storage_->series_.end()) updated->samples = it->second->samples;
      updated->samples.insert(updated->samples.end(), samples.begin(), samples.end());
      if (it == storage_->series_.end()) {
        storage_->series_.emplace(labels, std::move(updated));
      } else {
        it->second = std::move(updated);  // Queriers holding the old version keep it.
      }
    }
    pending_.clear();
    return absl::OkStatus();
  }

  void Rollback() override { pending_.clear(); }

 private:
  SeriesRef RefFor(const Labels& labels) {
    absl::MutexLock lock(&storage_->mu_);
    auto [it, inserted] = storage_->refs_.try_emplace(labels, storage_->labels_by_ref_.size() + 1);
    if (inserted) storage_->labels_by_ref_.push_back(labels);
    return it->second;
  }

  MemoryStorage* storage_;
  std::map<Labels, std::vector<Sample>> pending_;
};

absl::StatusOr<std::unique_ptr<Querier>> MemoryStorage::NewQuerier(TimestampMs mint, TimestampMs maxt) {
  std::vector<std::shared_ptr<const StoredSeries>> snapshot;
  {
    absl::MutexLock lock(&mu_);
    snapshot.reserve(series_.size());
    for (const auto& [labels, s] : series_) snapshot.push_back(s);
  }
  return std::unique_ptr<Querier>(new MemoryQuerier(std::move(snapshot), mint, maxt));
}

std::unique_ptr<Appender> MemoryStorage::NewAppender() { return std::make_unique<MemoryAppender>(this); }

size_t MemoryStorage::NumSeries() const {
  absl::MutexLock lock(&mu_);
  return series_.size();
}

size_t MemoryStorage::NumSamples() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [labels, s] : series_) n += s->samples.size();
  return n;
}

}  // namespace vigil::tsdb
