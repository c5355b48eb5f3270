#include "tsdb/storage/series_set.h"

#include <algorithm>
#include <utility>

#include "base/status/status_macros.h"

namespace vigil::tsdb {
namespace {

class FailedSeriesSet : public SeriesSet {
 public:
  explicit FailedSeriesSet(absl::Status status) : status_(std::move(status)) {}
  bool Next() override { return false; }
  std::shared_ptr<const Series> At() const override { return nullptr; }
  absl::Status Err() const override { return status_; }

 private:
  absl::Status status_;
};

// Merges iterators by timestamp; on equal timestamps the lowest-index iterator's sample wins.
class MergingIterator : public SeriesIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<SeriesIterator>> its)
      : its_(std::move(its)), valid_(its_.size(), false) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Next();
    } else {
      AdvancePast(cur_.t);
    }
    return Pick();
  }

  bool Seek(TimestampMs t) override {
    if (started_ && has_cur_ && cur_.t >= t) return true;
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Seek(t);
    return Pick();
  }

  Sample At() const override { return cur_; }

  absl::Status Err() const override {
    for (const auto& it : its_) {
      if (absl::Status s = it->Err(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Lets every input decode its range in bulk, then merges the runs. The usual case (a persisted past and a
  // head present, not overlapping) is a concatenation.
  absl::Status AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) override {
    if (started_ && has_cur_ && cur_.t > mint) mint = cur_.t;
    if (started_ && !has_cur_) return Err();
    if (runs_.size() < its_.size()) runs_.resize(its_.size());
    for (size_t i = 0; i < its_.size(); ++i) {
      runs_[i].clear();
      VIGIL_RETURN_IF_ERROR(its_[i]->AppendRange(mint, maxt, &runs_[i]));
    }
    MergeRuns(out);
    // Stand on the first sample after maxt, as the contract asks.
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) {
      valid_[i] = maxt < kMaxTimestampMs && its_[i]->Seek(maxt + 1);
    }
    Pick();
    return Err();
  }

 private:
  // Appends the union of runs_ (each sorted) to `out`; on equal timestamps the lowest-index run wins.
  void MergeRuns(std::vector<Sample>* out) {
    // Runs ordered by their first timestamp; when they do not overlap they are appended whole.
    order_.clear();
    size_t total = 0;
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (runs_[i].empty()) continue;
      order_.push_back(i);
      total += runs_[i].size();
    }
    std::stable_sort(order_.begin(), order_.end(),
                     [&](size_t a, size_t b) { return runs_[a].front().t < runs_[b].front().t; });
    bool disjoint = true;
    for (size_t k = 1; k < order_.size(); ++k) {
      if (runs_[order_[k]].front().t <= runs_[order_[k - 1]].back().t) disjoint = false;
    }
    out->reserve(out->size() + total);
    if (disjoint) {
      for (size_t i : order_) out->insert(out->end(), runs_[i].begin(), runs_[i].end());
      return;
    }
    // Overlapping runs: fold them together two at a time, earlier inputs winning on equal timestamps.
    std::sort(order_.begin(), order_.end());
    const std::vector<Sample>* acc = &runs_[order_[0]];
    for (size_t k = 1; k + 1 < order_.size(); ++k) {
      scratch_.clear();
      MergeTwo(*acc, runs_[order_[k]], &scratch_);
      merged_.swap(scratch_);
      acc = &merged_;
    }
    MergeTwo(*acc, runs_[order_.back()], out);
  }

  // Appends the union of sorted `a` and `b` to `out`; `a` wins on equal timestamps.
  static void MergeTwo(const std::vector<Sample>& a, const std::vector<Sample>& b, std::vector<Sample>* out) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (a[i].t < b[j].t) {
        out->push_back(a[i++]);
      } else if (b[j].t < a[i].t) {
        out->push_back(b[j++]);
      } else {
        out->push_back(a[i++]);
        ++j;
      }
    }
    out->insert(out->end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
    out->insert(out->end(), b.begin() + static_cast<std::ptrdiff_t>(j), b.end());
  }

  void AdvancePast(TimestampMs t) {
    for (size_t i = 0; i < its_.size(); ++i) {
      if (valid_[i] && its_[i]->At().t <= t) valid_[i] = its_[i]->Next();
    }
  }

  bool Pick() {
    has_cur_ = false;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!valid_[i]) continue;
      Sample s = its_[i]->At();
      if (!has_cur_ || s.t < cur_.t) {
        cur_ = s;
        has_cur_ = true;
      }
    }
    return has_cur_;  // An input that failed stops contributing; Err() reports it.
  }

  std::vector<std::unique_ptr<SeriesIterator>> its_;
  std::vector<bool> valid_;
  std::vector<std::vector<Sample>> runs_;
  std::vector<size_t> order_;
  std::vector<Sample> merged_;
  std::vector<Sample> scratch_;
  Sample cur_{0, 0};
  bool has_cur_ = false;
  bool started_ = false;
};

class MergedSeries : public Series {
 public:
  explicit MergedSeries(std::vector<std::shared_ptr<const Series>> parts) : parts_(std::move(parts)) {}
  const Labels& labels() const override { return parts_.front()->labels(); }
  std::unique_ptr<SeriesIterator> Iterator() const override {
    std::vector<std::unique_ptr<SeriesIterator>> its;
    its.reserve(parts_.size());
    for (const auto& p : parts_) its.push_back(p->Iterator());
    return std::make_unique<MergingIterator>(std::move(its));
  }

 private:
  std::vector<std::shared_ptr<const Series>> parts_;
};

class MergedSeriesSet : public SeriesSet {
 public:
  explicit MergedSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets)
      : sets_(std::move(sets)), heads_(sets_.size()) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) Advance(i);
    } else {
      for (size_t i : current_sources_) Advance(i);
    }
    if (!err_.ok()) return false;
    // The smallest label set among the inputs' heads, and every input holding it (in input order).
    const Labels* smallest = nullptr;
    for (const auto& h : heads_) {
      if (h != nullptr && (smallest == nullptr || Compare(h->labels(), *smallest) < 0)) smallest = &h->labels();
    }
    if (smallest == nullptr) return false;
    current_sources_.clear();
    std::vector<std::shared_ptr<const Series>> parts;
    for (size_t i = 0; i < heads_.size(); ++i) {
      if (heads_[i] != nullptr && heads_[i]->labels() == *smallest) {
        current_sources_.push_back(i);
        parts.push_back(heads_[i]);
      }
    }
    current_ = parts.size() == 1 ? parts.front() : std::make_shared<MergedSeries>(std::move(parts));
    return true;
  }

  std::shared_ptr<const Series> At() const override { return current_; }
  absl::Status Err() const override { return err_; }

 private:
  void Advance(size_t i) {
    if (sets_[i]->Next()) {
      heads_[i] = sets_[i]->At();
      return;
    }
    heads_[i] = nullptr;
    if (absl::Status s = sets_[i]->Err(); !s.ok() && err_.ok()) err_ = s;
  }

  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<std::shared_ptr<const Series>> heads_;
  std::vector<size_t> current_sources_;
  std::shared_ptr<const Series> current_;
  absl::Status err_;
  bool started_ = false;
};

}  // namespace

bool VectorSeriesIterator::Next() {
  if (!started_) {
    started_ = true;
    pos_ = 0;
  } else if (pos_ < samples_->size()) {
    ++pos_;
  }
  return pos_ < samples_->size();
}

bool VectorSeriesIterator::Seek(TimestampMs t) {
  if (started_ && pos_ < samples_->size() && (*samples_)[pos_].t >= t) return true;
  size_t from = started_ ? pos_ : 0;
  started_ = true;
  auto it = std::lower_bound(samples_->begin() + static_cast<std::ptrdiff_t>(std::min(from, samples_->size())),
                             samples_->end(), t, [](const Sample& s, TimestampMs v) { return s.t < v; });
  pos_ = static_cast<size_t>(it - samples_->begin());
  return pos_ < samples_->size();
}

absl::Status VectorSeriesIterator::AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) {
  if (!Seek(mint)) return absl::OkStatus();
  while (pos_ < samples_->size() && (*samples_)[pos_].t <= maxt) out->push_back((*samples_)[pos_++]);
  return absl::OkStatus();
}

std::unique_ptr<SeriesSet> ErrorSeriesSet(absl::Status status) {
  return std::make_unique<FailedSeriesSet>(std::move(status));
}

std::unique_ptr<SeriesSet> MergeSeriesSets(std::vector<std::unique_ptr<SeriesSet>> sets) {
  if (sets.size() == 1) return std::move(sets.front());
  return std::make_unique<MergedSeriesSet>(std::move(sets));
}

}  // namespace vigil::tsdb
