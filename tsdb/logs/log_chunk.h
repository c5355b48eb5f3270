// Log chunks: the encoding of entries in a block (also the payload of WAL records) and the compressed blob a
// closed chunk is persisted as (docs/logs.md, "Chunks").
//
// Block: per entry, zigzag varint of (timestamp - previous timestamp) (the first against `base`), varint line
// length, the line, varint count of structured metadata, then per label varint name length, name, varint value
// length, value.
//
// Blob: format version byte, codec byte, varint block length, CRC32C (fixed32 little-endian) of the compressed
// bytes, the compressed bytes.
//
//   std::string block;
//   TimestampNs prev = 0;
//   for (const LogEntry& e : entries) AppendEntry(e, &prev, &block);
//   std::string blob;
//   VIGIL_RETURN_IF_ERROR(CompressBlock(block, {.codec = Codec::kZstd, .zstd_level = 1}, &blob));
//
// Decoders take any bytes: malformed input is DataLoss naming the byte offset, never a crash.
#ifndef VIGIL_TSDB_LOGS_LOG_CHUNK_H_
#define VIGIL_TSDB_LOGS_LOG_CHUNK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/logs/log_types.h"

namespace vigil::tsdb::logs {

// The version byte of blobs this build writes and reads.
inline constexpr uint8_t kChunkFormatVersion = 1;

// Block compression of a chunk blob.
enum class Codec : uint8_t { kNone = 0, kSnappy = 1, kZstd = 2 };

// "none", "snappy", "zstd"; and back (InvalidArgument otherwise).
std::string_view CodecName(Codec codec);
absl::StatusOr<Codec> ParseCodec(std::string_view name);

struct CodecOptions {
  // zstd level 3 by default: docs/logs.md has the measurements behind the choice.
  Codec codec = Codec::kZstd;
  // For kZstd: 1..19 (higher is smaller and slower).
  int zstd_level = 3;
};

// Appends `entry` to the block `out`; `*prev` is the previous entry's timestamp (the block's base for the first)
// and is advanced to this entry's.
void AppendEntry(const LogEntry& entry, TimestampNs* prev, std::string* out);
// Bytes AppendEntry adds, at most (for reserving).
size_t MaxEncodedSize(const LogEntry& entry);

// Decodes every entry of `block` (timestamps against `base`) and calls `fn` with each; `fn` may move from the
// entry. Stops at the first error `fn` returns. DataLoss with the offset on malformed bytes.
absl::Status DecodeEntries(std::string_view block, TimestampNs base, absl::FunctionRef<absl::Status(LogEntry&)> fn);
// The same without copying lines: each entry's line points into `block`. `fn` may move from the entry.
absl::Status DecodeEntryRefs(std::string_view block, TimestampNs base,
                             absl::FunctionRef<absl::Status(LogEntryRef&)> fn);

// Compresses `block` into a blob (replacing `*blob`).
absl::Status CompressBlock(std::string_view block, const CodecOptions& options, std::string* blob);
// The block of `blob` (replacing `*block`). DataLoss for an unknown version or codec, a checksum mismatch or a
// length that does not match.
absl::Status DecompressBlock(std::string_view blob, std::string* block);

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_CHUNK_H_
