// The byte layout of persisted partitions (docs/format/partition.md): catalog keys and the meta record, the key
// spaces inside a partition's namespace, and the encodings of labels and postings.
//
// Pure functions over bytes. Decoders accept anything: malformed input gives a DataLoss error naming what is
// wrong and the byte offset, never a crash or an out-of-bounds read.
#ifndef VIGIL_TSDB_PARTITION_PARTITION_FORMAT_H_
#define VIGIL_TSDB_PARTITION_PARTITION_FORMAT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/sample.h"

namespace vigil::tsdb::partition {

// The version byte this build writes at the start of every value and after the tag of every key, and the only
// one it reads.
inline constexpr uint8_t kFormatVersion = 1;

// Key-space tags.
inline constexpr char kMetaTag = 'M';      // catalog: partition id -> meta
inline constexpr char kSeriesTag = 'S';    // partition: series labels and chunks
inline constexpr char kPostingsTag = 'P';  // partition: label pair -> series ids
inline constexpr char kListingTag = 'L';   // partition: label pairs without ids

// A closed time range in milliseconds.
struct TimeRange {
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;

  bool Overlaps(TimestampMs mint, TimestampMs maxt) const { return min_time <= maxt && mint <= max_time; }
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

// What the catalog knows about one partition (docs/format/partition.md, "The catalog").
struct PartitionMeta {
  uint64_t id = 0;
  TimeRange range;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_samples = 0;
  // Bytes of the partition's files when it was written.
  uint64_t bytes = 0;
  // Largest max_time - min_time of any chunk, so readers can seek to the first chunk that may overlap a range.
  int64_t max_chunk_span = 0;
  // 0 for partitions written from the head; 1 + the highest input level for compaction results.
  uint32_t level = 0;

  friend bool operator==(const PartitionMeta&, const PartitionMeta&) = default;
};

// The namespace of partition `id`: "p" and 16 lowercase hex digits.
std::string NamespaceName(uint64_t id);
// The id in a namespace name made by NamespaceName, or nullopt for any other name.
std::optional<uint64_t> ParseNamespaceName(std::string_view name);

// Catalog key of partition `id`, the prefix every such key starts with, and the id back from a key.
std::string MetaKey(uint64_t id);
std::string MetaKeyPrefix();
absl::StatusOr<uint64_t> ParseMetaKey(std::string_view key);

std::string EncodeMeta(const PartitionMeta& meta);
// Decodes the meta value of partition `id` (which goes into the result and the error messages).
absl::StatusOr<PartitionMeta> DecodeMeta(uint64_t id, std::string_view value);

// Keys of the series space: the labels key of series `sid` is a prefix of the keys of its chunks, which sort by
// min time (negative times first).
std::string SeriesKey(uint32_t sid);
std::string ChunkKey(uint32_t sid, TimestampMs min_time);
// The series space's first key, and the key just past it.
std::string SeriesSpaceBegin();
std::string SeriesSpaceEnd();

// A decoded series-space key.
struct SeriesSpaceKey {
  uint32_t sid = 0;
  bool is_chunk = false;
  TimestampMs min_time = 0;  // For chunk keys.
};
absl::StatusOr<SeriesSpaceKey> ParseSeriesSpaceKey(std::string_view key);

// Postings and listing keys of the pair name="value" (the name must not contain '\0'), and the prefixes of all
// pairs of one name and of the whole listing space.
std::string PostingsKey(std::string_view name, std::string_view value);
std::string ListingKey(std::string_view name, std::string_view value);
std::string ListingNamePrefix(std::string_view name);
std::string ListingSpaceBegin();
std::string ListingSpaceEnd();
// Splits a listing key into name and value (views into `key`).
absl::StatusOr<std::pair<std::string_view, std::string_view>> ParseListingKey(std::string_view key);

// Values. Each starts with kFormatVersion.
void EncodeLabels(const Labels& labels, std::string* out);
absl::StatusOr<Labels> DecodeLabels(std::string_view value);

// `ids` must be strictly increasing.
void EncodePostings(std::span<const uint32_t> ids, std::string* out);
// Appends the ids to `*out` (cleared first), checking they increase strictly and stay below `num_series`.
absl::Status DecodePostings(std::string_view value, uint32_t num_series, std::vector<uint32_t>* out);

// A chunk value: the version byte, then the chunk bytes (docs/format/chunk.md).
void EncodeChunkValue(std::string_view chunk, std::string* out);
absl::StatusOr<std::string_view> DecodeChunkValue(std::string_view value);

// The one-byte value of listing keys.
std::string_view ListingValue();
absl::Status CheckListingValue(std::string_view value);

// Varints (unsigned LEB128), exposed for the tests.
void PutVarint(uint64_t v, std::string* out);
// Reads a varint at `*pos`, advancing it; false on truncation or more than 10 bytes.
bool GetVarint(std::string_view in, size_t* pos, uint64_t* v);

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_FORMAT_H_
