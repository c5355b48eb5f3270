// HeadQuerier: the Querier of the head (Head::NewQuerier). Internal to tsdb/head; callers see tsdb::Querier.
//
// Select resolves the matchers to series ids through the postings, keeps the series holding samples in the
// querier's range, and (when asked) sorts them by labels. Each series' data is copied lazily, when the set
// reaches it, under that series' lock: a reader sees every series in a consistent state (closed chunks are
// shared, the open chunk and out-of-order samples are copied), while appends continue on other series.
//
// Select narrows the querier's range to SelectHints::start/end when hints are given (as Prometheus' block querier).
//
// LabelNames and LabelValues with matchers return the names/values of the selected series that hold a sample in
// the querier's range. Without matchers they answer from the index dictionaries (no per-series work): every
// name/value of the head, if the head holds any sample in the range at all, as Prometheus' head does.
#ifndef VIGIL_TSDB_HEAD_HEAD_QUERIER_H_
#define VIGIL_TSDB_HEAD_HEAD_QUERIER_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/head/head.h"
#include "tsdb/head/series_iterator.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// One series of a head Select: its labels and a snapshot of its samples in the querier's range. Self-contained,
// so it may outlive the querier and the head.
class HeadSeries : public Series {
 public:
  HeadSeries(Labels labels, std::shared_ptr<const SeriesSnapshot> snapshot, TimestampMs mint, TimestampMs maxt)
      : labels_(std::move(labels)), snapshot_(std::move(snapshot)), mint_(mint), maxt_(maxt) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> Iterator() const override {
    return std::make_unique<HeadSeriesIterator>(snapshot_, mint_, maxt_);
  }

 private:
  Labels labels_;
  std::shared_ptr<const SeriesSnapshot> snapshot_;
  TimestampMs mint_;
  TimestampMs maxt_;
};

// The series of one Select, snapshotted one by one as Next reaches them. Series garbage-collected or truncated
// out of the range since Select are skipped.
class HeadSeriesSet : public SeriesSet {
 public:
  struct Entry {
    SeriesRef ref;
    Labels labels;
  };

  // `labels_only`: the caller wants no samples (SelectHints::func == "series"); series come with empty iterators.
  HeadSeriesSet(const Head* head, TimestampMs mint, TimestampMs maxt, std::vector<Entry> entries, bool labels_only)
      : head_(head), mint_(mint), maxt_(maxt), entries_(std::move(entries)), labels_only_(labels_only) {}

  bool Next() override;
  std::shared_ptr<const Series> At() const override { return cur_; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  const Head* head_;
  TimestampMs mint_;
  TimestampMs maxt_;
  std::vector<Entry> entries_;
  bool labels_only_;
  size_t pos_ = 0;
  std::shared_ptr<const Series> cur_;
};

class HeadQuerier : public Querier {
 public:
  HeadQuerier(Head* head, TimestampMs mint, TimestampMs maxt) : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints, std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override;

 private:
  // Whether the head holds samples in [mint_, maxt_] at all.
  bool HeadOverlaps() const;
  // Whether `s` holds a sample in [mint_, maxt_].
  bool SeriesOverlaps(const MemSeries& s) const;

  Head* const head_;
  const TimestampMs mint_;
  const TimestampMs maxt_;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_HEAD_QUERIER_H_
