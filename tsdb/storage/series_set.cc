#include "tsdb/storage/series_set.h"

#include <algorithm>
#include <utility>

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

 private:
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
