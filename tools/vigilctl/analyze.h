// `vigilctl tsdb analyze DIR`: what a store's data directory holds, read without a running store.
#ifndef VIGIL_TOOLS_VIGILCTL_ANALYZE_H_
#define VIGIL_TOOLS_VIGILCTL_ANALYZE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::vigilctl {

struct TsdbAnalysis {
  uint64_t partitions = 0;
  uint64_t partition_bytes = 0;
  uint64_t partition_samples = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_samples = 0;     // samples in the WAL (not yet in partitions)
  uint64_t series = 0;          // distinct series over partitions and WAL
  uint64_t samples = 0;         // partition_samples + wal_samples
  double bytes_per_sample = 0;  // (partition_bytes + wal_bytes) / samples
  // Metric names with the most series, descending.
  std::vector<std::pair<std::string, uint64_t>> top_metrics;
};

// Reads `dir` (as written by vigil-store: wal/ and partitions/). The WAL is read, never repaired; the partition
// database is opened, so the store must not be running on `dir` (RocksDB's lock would refuse it).
absl::StatusOr<TsdbAnalysis> AnalyzeTsdb(const std::string& dir, size_t top_n);

// The report printed by the command.
std::string FormatAnalysis(const TsdbAnalysis& a);

}  // namespace vigil::vigilctl

#endif  // VIGIL_TOOLS_VIGILCTL_ANALYZE_H_
