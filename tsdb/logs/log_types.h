// The vocabulary of the log store: entries, streams of entries, read direction, index statistics.
//
// A stream is a label set ({app="api", namespace="prod"}), as in Loki; its entries are (timestamp, line,
// structured metadata) in nanoseconds since the epoch.
#ifndef VIGIL_TSDB_LOGS_LOG_TYPES_H_
#define VIGIL_TSDB_LOGS_LOG_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"

namespace vigil::tsdb::logs {

// Nanoseconds since the Unix epoch.
using TimestampNs = int64_t;

// One log line.
struct LogEntry {
  TimestampNs timestamp_ns = 0;
  std::string line;
  // Per-entry labels that are not part of the stream (trace_id, ...): Loki's structured metadata.
  Labels structured_metadata;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

// One log line as scans hand it out: `line` points into storage the reader keeps for the duration of the
// callback, so a scan over gigabytes copies no line.
struct LogEntryRef {
  TimestampNs timestamp_ns = 0;
  std::string_view line;
  Labels structured_metadata;
};

// The entries of one stream, as queries return them.
struct StreamEntries {
  Labels labels;
  std::vector<LogEntry> entries;
};

// The order of entries in query results: oldest first (forward) or newest first (backward), as Loki's
// `direction` parameter.
enum class Direction { kForward, kBackward };

// What GET /loki/api/v1/index/stats reports for a selector and range: streams with data in the range, and the
// chunks overlapping it with their entries and line bytes (whole chunks, as Loki counts them).
struct LogStats {
  uint64_t streams = 0;
  uint64_t chunks = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;

  friend bool operator==(const LogStats&, const LogStats&) = default;
};

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_TYPES_H_
