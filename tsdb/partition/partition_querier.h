// PartitionQuerier: tsdb::Querier over the persisted partitions overlapping a time range.
#ifndef VIGIL_TSDB_PARTITION_PARTITION_QUERIER_H_
#define VIGIL_TSDB_PARTITION_PARTITION_QUERIER_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/partition/partition_reader.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb::partition {

// Selects series in every given partition through its postings and merges them by label set: a series present
// in several partitions is one Series whose iterator chains its chunks in time order, each timestamp once (the
// partition with the higher id, the one written last, wins a tie). Results are always in Compare() order of
// labels: each partition's series ids are in label order, so the merge needs no sort. Series are read one at
// a time as the set advances (one seek per series and partition; only chunks overlapping [mint, maxt]), and a
// Series holds its own chunk bytes, so it stays readable after the set moved on or the partition was dropped.
class PartitionQuerier : public Querier {
 public:
  // `partitions` should overlap [mint, maxt]; any order.
  PartitionQuerier(std::vector<std::shared_ptr<const PartitionReader>> partitions, TimestampMs mint, TimestampMs maxt);

  // `sorted` is free: the result is sorted either way. hints->func == "series" skips reading chunks.
  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints, std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override;

 private:
  std::vector<std::shared_ptr<const PartitionReader>> partitions_;  // Highest id first.
  TimestampMs mint_;
  TimestampMs maxt_;
};

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_QUERIER_H_
