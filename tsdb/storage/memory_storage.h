// A Storage kept entirely in memory, with the same acceptance rules as the real store (sorted, unique label names;
// __name__ required; samples in time order per series; duplicate timestamps with a different value refused).
//
// For tests of everything above the storage interface (PromQL, the HTTP API, ingest handlers) and as the
// reference a real implementation is compared against. Selection scans every series: fine for tests, not for
// production.
#ifndef VIGIL_TSDB_STORAGE_MEMORY_STORAGE_H_
#define VIGIL_TSDB_STORAGE_MEMORY_STORAGE_H_

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

class MemoryStorage : public Storage {
 public:
  MemoryStorage() = default;

  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(TimestampMs mint, TimestampMs maxt) override;
  std::unique_ptr<Appender> NewAppender() override;

  // Number of series and samples stored (committed).
  size_t NumSeries() const;
  size_t NumSamples() const;

  // One stored series. Samples are immutable once committed, so queriers share them.
  struct StoredSeries {
    Labels labels;
    std::vector<Sample> samples;
  };

 private:
  friend class MemoryAppender;

  mutable absl::Mutex mu_;
  // Keyed by labels in Compare() order so Select(sorted) needs no extra sort.
  std::map<Labels, std::shared_ptr<const StoredSeries>> series_ ABSL_GUARDED_BY(mu_);
  // Refs are handed out at the first Append of a label set and never reused; ref - 1 indexes labels_by_ref_.
  absl::flat_hash_map<Labels, SeriesRef> refs_ ABSL_GUARDED_BY(mu_);
  std::deque<Labels> labels_by_ref_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_STORAGE_MEMORY_STORAGE_H_
