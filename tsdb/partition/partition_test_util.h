// Helpers for the partition tests and benchmarks: chunks from samples, and reading a querier's answer whole.
#ifndef VIGIL_TSDB_PARTITION_PARTITION_TEST_UTIL_H_
#define VIGIL_TSDB_PARTITION_PARTITION_TEST_UTIL_H_

#include <map>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/partition/partition_store.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb::partition {

// Encodes `samples` (strictly increasing times) as one chunk.
ChunkData MakeChunk(std::span<const Sample> samples);

// Cuts `samples` into chunks of at most `per_chunk` samples.
SeriesChunks MakeSeries(Labels labels, std::span<const Sample> samples, size_t per_chunk);

// What a Select returned: each series' labels and all its samples, in the order returned.
using SelectResult = std::vector<std::pair<Labels, std::vector<Sample>>>;

// Runs Select and reads every series fully; an error of the set or of any iterator is returned.
absl::StatusOr<SelectResult> SelectAll(Querier& querier, std::span<const Matcher> matchers);

// The reference the store is compared with: per label set, timestamp -> value.
using Model = std::map<Labels, std::map<TimestampMs, double>>;

// The model's answer for matchers over [mint, maxt], in Compare() order, without series that have no samples.
SelectResult ModelSelect(const Model& model, std::span<const Matcher> matchers, TimestampMs mint, TimestampMs maxt);

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_TEST_UTIL_H_
