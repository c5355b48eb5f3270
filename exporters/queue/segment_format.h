// The disk queue's on-disk building blocks (docs/shipping.md): segment names, the 8-byte segment header, the
// 16-byte record frame with CRC-32C checksums, the scan that recovers a segment's records after a crash, and the
// acknowledgement log entry. Shared by DiskQueue and its tests.
#ifndef VIGIL_EXPORTERS_QUEUE_SEGMENT_FORMAT_H_
#define VIGIL_EXPORTERS_QUEUE_SEGMENT_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace vigil::queue {

// Segment header: magic "VQSG", format version, 3 reserved zero bytes.
inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr uint8_t kSegmentVersion = 1;
// Frame header: payload length u32, item count u32, payload CRC32C u32, header CRC32C u32 (over the first 12
// bytes); all little-endian. The payload follows.
inline constexpr size_t kFrameHeaderSize = 16;
// The largest payload a frame may carry (and so the largest record DiskQueue accepts).
inline constexpr uint32_t kMaxRecordSize = uint32_t{256} << 20;

// The name of the acknowledgement log inside a queue directory.
inline constexpr std::string_view kAckLogName = "acked";
// Bytes of one acknowledgement log entry: segment u64, offset u64, CRC32C u32 of those 16 bytes.
inline constexpr size_t kAckEntrySize = 20;

// A place in the queue: a segment and a byte offset in it. Positions order by segment, then offset.
struct Position {
  uint64_t segment = 0;
  uint64_t offset = 0;

  friend bool operator==(const Position&, const Position&) = default;
  friend auto operator<=>(const Position&, const Position&) = default;
};

// The header every segment file starts with.
std::string SegmentHeader();
// Checks the first bytes of a segment: OK, or DataLoss saying what is wrong (too short, magic, version).
absl::Status CheckSegmentHeader(std::string_view bytes);

// Appends one frame (header and payload) for `payload` carrying `items` to `out`.
void AppendFrame(std::string_view payload, uint32_t items, std::string* out);
// The same for a payload given in two parts, head then rest (no concatenated copy needed by the caller).
void AppendFrame(std::string_view head, std::string_view rest, uint32_t items, std::string* out);

// A decoded frame header.
struct FrameHeader {
  uint32_t length = 0;
  uint32_t items = 0;
  uint32_t payload_crc = 0;
};

// Decodes the 16 bytes at `p`. Returns false when the header CRC does not match (the header is untrustworthy).
bool ParseFrameHeader(const char* p, FrameHeader* header);

// "00000000000000000042" for 42: 20 digits, so names sort as numbers.
std::string SegmentName(uint64_t index);
// The number of a segment name (exactly 20 decimal digits), or nullopt.
std::optional<uint64_t> ParseSegmentName(std::string_view name);

// One record found by ScanSegment.
struct ScannedRecord {
  uint64_t offset = 0;  // Of the frame header.
  uint32_t length = 0;  // Payload bytes.
  uint32_t items = 0;
};

// A region of a segment that held no valid frame but was followed by one (corruption, not a torn write).
struct CorruptRegion {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// What ScanSegment found in a segment's bytes.
struct SegmentScan {
  std::vector<ScannedRecord> records;
  std::vector<CorruptRegion> corrupt;
  // Where the valid data ends: the segment's size, or the start of a torn tail (bytes after the last valid frame
  // that form no valid frame), which the caller truncates.
  uint64_t valid_end = 0;
};

// Scans `bytes`, a whole segment file whose header CheckSegmentHeader accepted. A frame is valid when its header
// CRC matches, its payload lies inside the file and the payload CRC matches. After an invalid frame, the scan
// searches byte by byte for the next valid one: if there is one, the bytes in between are a CorruptRegion and
// scanning goes on from there; if not, they are the torn tail. Never fails: every outcome is data.
SegmentScan ScanSegment(std::string_view bytes);

// Appends an acknowledgement log entry for `pos` to `out`.
void AppendAckEntry(Position pos, std::string* out);
// The greatest position among the valid entries of an acknowledgement log (entries whose CRC fails, and a torn
// last entry, are ignored), or nullopt if there is none.
std::optional<Position> ParseAckLog(std::string_view bytes);

}  // namespace vigil::queue

#endif  // VIGIL_EXPORTERS_QUEUE_SEGMENT_FORMAT_H_
