// Building blocks for SeriesSet implementations: series backed by a sample vector, and the merge of several
// sorted SeriesSets into one (the head and each persisted partition answer separately; a query sees one
// series per label set with samples de-duplicated by timestamp).
#ifndef VIGIL_TSDB_STORAGE_SERIES_SET_H_
#define VIGIL_TSDB_STORAGE_SERIES_SET_H_

#include <memory>
#include <vector>

#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// Iterates a vector of samples in timestamp order.
class VectorSeriesIterator : public SeriesIterator {
 public:
  explicit VectorSeriesIterator(std::shared_ptr<const std::vector<Sample>> samples) : samples_(std::move(samples)) {}

  bool Next() override;
  bool Seek(TimestampMs t) override;
  Sample At() const override { return (*samples_)[pos_]; }
  absl::Status Err() const override { return absl::OkStatus(); }
  absl::Status AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) override;

 private:
  std::shared_ptr<const std::vector<Sample>> samples_;
  size_t pos_ = 0;
  bool started_ = false;
};

// A series whose samples are held in a vector (sorted by timestamp, unique timestamps).
class VectorSeries : public Series {
 public:
  VectorSeries(Labels labels, std::vector<Sample> samples)
      : labels_(std::move(labels)), samples_(std::make_shared<const std::vector<Sample>>(std::move(samples))) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> Iterator() const override { return std::make_unique<VectorSeriesIterator>(samples_); }
  const std::vector<Sample>& samples() const { return *samples_; }

 private:
  Labels labels_;
  std::shared_ptr<const std::vector<Sample>> samples_;
};

// A SeriesSet over a vector of series, which must already be in Compare() order of their labels.
class VectorSeriesSet : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<std::shared_ptr<const Series>> series) : series_(std::move(series)) {}

  bool Next() override { return ++pos_ <= series_.size(); }
  std::shared_ptr<const Series> At() const override { return series_[pos_ - 1]; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  std::vector<std::shared_ptr<const Series>> series_;
  size_t pos_ = 0;
};

// A SeriesSet that fails at once with `status` (e.g. a partition could not be read).
std::unique_ptr<SeriesSet> ErrorSeriesSet(absl::Status status);

// Merges SeriesSets that are each sorted by labels into one sorted set. Series with equal labels in several
// inputs become one series whose iterator merges their samples by timestamp; when two inputs have a sample at
// the same timestamp, the one from the input listed FIRST wins (pass the freshest source first). The first
// error of any input ends the merge and is reported by Err().
std::unique_ptr<SeriesSet> MergeSeriesSets(std::vector<std::unique_ptr<SeriesSet>> sets);

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_STORAGE_SERIES_SET_H_
