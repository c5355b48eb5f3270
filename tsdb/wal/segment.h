// The WAL's on-disk building blocks (docs/format/wal.md): segment and checkpoint names, the 8-byte segment
// header, the 13-byte frame header, and listing a WAL directory. Shared by the writer, replay and checkpoints.
#ifndef VIGIL_TSDB_WAL_SEGMENT_H_
#define VIGIL_TSDB_WAL_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/fs/file_system.h"

namespace vigil::wal {

// Segment header: magic "VWAL", format version, 3 reserved zero bytes.
inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr uint8_t kSegmentVersion = 1;
// Frame header: type u8, payload length u32, payload CRC32C u32, header CRC32C u32 (over the first 9 bytes).
inline constexpr size_t kFrameHeaderSize = 13;

// Default and allowed segment sizes (the bound includes the segment header).
inline constexpr uint64_t kDefaultSegmentSize = uint64_t{128} << 20;
inline constexpr uint64_t kMinSegmentSize = 64;
inline constexpr uint64_t kMaxSegmentSize = uint64_t{1} << 30;

// The largest segment number an 8-digit name can hold.
inline constexpr uint32_t kMaxSegmentIndex = 99999999;

// Record types. 0 is never valid, so zero-filled blocks never parse as a frame.
enum class RecordType : uint8_t { kSeries = 1, kSamples = 2 };

// The largest payload a frame may have in a segment of `segment_size` bytes.
inline uint64_t MaxPayloadSize(uint64_t segment_size) { return segment_size - kSegmentHeaderSize - kFrameHeaderSize; }

// The header every segment file starts with.
std::string SegmentHeader();
// Checks the first bytes of a segment: OK, or DataLoss saying what is wrong (too short, magic, version).
absl::Status CheckSegmentHeader(std::string_view bytes);

// Appends 13 placeholder bytes for a frame header and returns the frame's start offset in `out`. Append the
// payload to `out`, then call FinishFrame with that offset.
size_t BeginFrame(std::string* out);
// Fills in the header of the frame starting at `frame_start` whose payload is the rest of `out`.
void FinishFrame(std::string* out, size_t frame_start, RecordType type);

// A decoded frame header.
struct FrameHeader {
  uint8_t type = 0;
  uint32_t length = 0;
  uint32_t payload_crc = 0;
};

// Decodes the 13 bytes at `p`. Returns false when the header CRC does not match (the header is untrustworthy).
bool ParseFrameHeader(const char* p, FrameHeader* header);

// "00000042" for 42.
std::string SegmentName(uint32_t index);
// "checkpoint.00000042" for 42.
std::string CheckpointName(uint32_t index);
// The number of a segment name (exactly 8 decimal digits), or nullopt.
std::optional<uint32_t> ParseSegmentName(std::string_view name);

// What a WAL directory holds, by name. Every list is sorted ascending.
struct WalDirListing {
  // Segment numbers.
  std::vector<uint32_t> segments;
  // Numbers of complete checkpoints (directories named checkpoint.NNNNNNNN).
  std::vector<uint32_t> checkpoints;
  // Names of leftovers to remove: checkpoint.NNNNNNNN.tmp directories and NNNNNNNN.tmp.* files.
  std::vector<std::string> leftovers;
};

// Lists `dir`. A missing directory lists as empty; other errors (permissions) are returned.
absl::StatusOr<WalDirListing> ListWalDir(FileSystem* fs, std::string_view dir);

// Removes `path`: a file, or a directory together with the files directly inside it (a checkpoint).
absl::Status RemoveFileOrFlatDir(FileSystem* fs, std::string_view path);

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_SEGMENT_H_
