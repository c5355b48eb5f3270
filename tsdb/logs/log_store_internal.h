// Internal state of LogStore shared by its write path (log_store.cc) and read path (log_store_query.cc).
#ifndef VIGIL_TSDB_LOGS_LOG_STORE_INTERNAL_H_
#define VIGIL_TSDB_LOGS_LOG_STORE_INTERNAL_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "model/symbol_table.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/logs/log_store.h"

namespace vigil::tsdb::logs {

// One stream: its identity, what of it is persisted, and its open head chunk.
struct LogStore::HeadStream {
  uint32_t id = 0;
  Labels labels;
  InternedLabels interned;
  // Persisted chunks (from the stream record).
  bool has_data = false;
  TimestampNs flushed_min = 0;
  TimestampNs flushed_max = 0;
  uint64_t flushed_seq = 0;
  // The open chunk: entries in append order (sorted when cut).
  std::vector<LogEntry> head;
  uint64_t head_bytes = 0;  // Lines and metadata.
  TimestampNs head_min = std::numeric_limits<TimestampNs>::max();
  TimestampNs head_max = std::numeric_limits<TimestampNs>::min();
  uint64_t first_seq = 0;  // WAL sequence of the oldest commit in the open chunk.
  uint64_t last_seq = 0;   // ... and of the newest.
  absl::Time first_append;

  // The newest timestamp of the stream, persisted or in the head.
  TimestampNs Newest() const {
    TimestampNs n = head.empty() ? std::numeric_limits<TimestampNs>::min() : head_max;
    if (has_data && flushed_max > n) n = flushed_max;
    return n;
  }
  bool Overlaps(TimestampNs start, TimestampNs end) const {
    return (has_data && flushed_min < end && flushed_max >= start) ||
           (!head.empty() && head_min < end && head_max >= start);
  }
};

// A stream as a query saw it.
struct LogStore::StreamView {
  uint32_t id = 0;
  Labels labels;
  bool has_data = false;
  // Head entries in the query's range (when asked for), in append order.
  std::vector<LogEntry> head;
  // The whole head chunk's size, for Stats.
  uint64_t head_entries = 0;
  uint64_t head_bytes = 0;
  bool head_overlaps = false;
};

// What a query reads: the streams and the partitions overlapping its range, with iterators created together
// with the copy of the head, so each chunk is seen exactly once.
struct LogStore::ReadView {
  struct PartitionView {
    int64_t index = 0;
    std::unique_ptr<kv::Iterator> meta;
    std::unique_ptr<kv::Iterator> blob;
  };
  std::vector<StreamView> streams;
  std::vector<PartitionView> partitions;
};

// Bytes an entry counts for in the head and in chunk sizes.
inline uint64_t EntryBytes(const LogEntry& e) {
  uint64_t n = e.line.size();
  for (const Label& l : e.structured_metadata) n += l.name.size() + l.value.size();
  return n;
}

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_STORE_INTERNAL_H_
