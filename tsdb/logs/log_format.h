// The log store's byte layout in the key-value store (docs/logs.md, "On disk"): the catalog and write-ahead
// records in the default namespace, and one namespace per time partition holding chunk index entries and chunk
// blobs keyed by (stream id, chunk min time, sequence).
//
// Default namespace:
//   'W' seq(8 BE)                      -> WAL record: the entries of one commit, per stream
//   'S' stream id(4 BE)                -> stream record: labels, flushed time range, flushed-through sequence
//   'P' partition(8, ordered)          -> partition record: time range and totals of the partition's chunks
// Partition namespace "logs_<16 hex>":
//   'I' stream id(4 BE) min time(8, ordered) seq(8 BE) -> chunk meta (max time, entries, bytes)
//   'C' (the same)                                     -> chunk blob (log_chunk.h)
//
// Decoders accept anything: malformed bytes are DataLoss naming what and where.
#ifndef VIGIL_TSDB_LOGS_LOG_FORMAT_H_
#define VIGIL_TSDB_LOGS_LOG_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "tsdb/logs/log_types.h"

namespace vigil::tsdb::logs {

inline constexpr uint8_t kRecordVersion = 1;

inline constexpr char kWalTag = 'W';
inline constexpr char kStreamTag = 'S';
inline constexpr char kPartitionTag = 'P';
inline constexpr char kChunkMetaTag = 'I';
inline constexpr char kChunkBlobTag = 'C';

// Keys of the default namespace, and back.
std::string WalKey(uint64_t seq);
std::string StreamKey(uint32_t stream_id);
std::string PartitionKey(int64_t partition);
absl::StatusOr<uint64_t> ParseWalKey(std::string_view key);
absl::StatusOr<uint32_t> ParseStreamKey(std::string_view key);
absl::StatusOr<int64_t> ParsePartitionKey(std::string_view key);

// The namespace of partition `partition` ("logs_" and 16 hex digits, sorting like the signed index), and back
// (nullopt for any other name).
std::string PartitionNamespaceName(int64_t partition);
std::optional<int64_t> ParsePartitionNamespaceName(std::string_view name);

// A chunk's identity inside a partition.
struct ChunkKey {
  uint32_t stream_id = 0;
  TimestampNs min_time = 0;
  uint64_t seq = 0;  // The WAL sequence of the flush; makes keys of chunks starting together distinct.
};
// The meta and blob keys of a chunk; the prefix of a stream's meta keys; and a meta or blob key parsed back.
std::string ChunkMetaKey(const ChunkKey& k);
std::string ChunkBlobKey(const ChunkKey& k);
std::string ChunkMetaPrefix(uint32_t stream_id);
absl::StatusOr<ChunkKey> ParseChunkKey(std::string_view key);

// What the catalog keeps per stream.
struct StreamRecord {
  Labels labels;
  // Time range of the stream's persisted chunks; meaningful when has_data.
  bool has_data = false;
  TimestampNs min_time = 0;
  TimestampNs max_time = 0;
  // Every entry of this stream in WAL records up to this sequence is in persisted chunks.
  uint64_t flushed_seq = 0;
};
std::string EncodeStreamRecord(const StreamRecord& r);
absl::StatusOr<StreamRecord> DecodeStreamRecord(std::string_view value);

// What the catalog keeps per partition.
struct PartitionRecord {
  TimestampNs min_time = 0;  // Smallest chunk min time.
  TimestampNs max_time = 0;  // Largest chunk max time.
  uint64_t chunks = 0;
  uint64_t entries = 0;
  uint64_t line_bytes = 0;
  uint64_t stored_bytes = 0;  // Blob bytes.
};
std::string EncodePartitionRecord(const PartitionRecord& r);
absl::StatusOr<PartitionRecord> DecodePartitionRecord(std::string_view value);

// The meta value of a chunk (its min time is in the key).
struct ChunkMeta {
  TimestampNs max_time = 0;
  uint64_t entries = 0;
  uint64_t line_bytes = 0;
  uint64_t stored_bytes = 0;
};
std::string EncodeChunkMeta(const ChunkMeta& m);
absl::StatusOr<ChunkMeta> DecodeChunkMeta(std::string_view value);

// WAL records: the version byte and a count of streams are written by BeginWalRecord; each stream adds its id,
// its entry count and its block (log_chunk.h, timestamps against 0) with AppendWalStream; FinishWalRecord fills
// in the count.
void BeginWalRecord(std::string* out);
void AppendWalStream(uint32_t stream_id, uint64_t entries, std::string_view block, std::string* out);
void FinishWalRecord(uint32_t streams, std::string* out);
// Calls `fn` with each stream of a WAL record: id, entry count and block (a view into `value`).
absl::Status DecodeWalRecord(
    std::string_view value,
    absl::FunctionRef<absl::Status(uint32_t stream_id, uint64_t entries, std::string_view block)> fn);

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_FORMAT_H_
