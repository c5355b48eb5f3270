#include "exporters/queue/segment_format.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/encoding/little_endian.h"
#include "base/hash/crc32c.h"

namespace vigil::queue {
namespace {

constexpr char kMagic[4] = {'V', 'Q', 'S', 'G'};
constexpr size_t kSegmentNameDigits = 20;

// Whether a complete, valid frame starts at `offset` of `bytes`; fills `header` when it does.
bool ValidFrameAt(std::string_view bytes, uint64_t offset, FrameHeader* header) {
  if (bytes.size() < kFrameHeaderSize || offset > bytes.size() - kFrameHeaderSize) return false;
  if (!ParseFrameHeader(bytes.data() + offset, header)) return false;
  if (header->length == 0 || header->length > kMaxRecordSize) return false;
  const uint64_t payload = offset + kFrameHeaderSize;
  if (header->length > bytes.size() - payload) return false;
  return Crc32c(bytes.substr(payload, header->length)) == header->payload_crc;
}

}  // namespace

std::string SegmentHeader() {
  std::string h(kSegmentHeaderSize, '\0');
  std::memcpy(h.data(), kMagic, 4);
  h[4] = static_cast<char>(kSegmentVersion);
  return h;
}

absl::Status CheckSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("segment is ", bytes.size(), " bytes, shorter than its ", kSegmentHeaderSize, "-byte header"));
  }
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return absl::DataLossError("segment header: bad magic");
  if (static_cast<uint8_t>(bytes[4]) != kSegmentVersion) {
    return absl::DataLossError(
        absl::StrCat("segment header: unsupported version ", static_cast<int>(static_cast<uint8_t>(bytes[4]))));
  }
  return absl::OkStatus();
}

void AppendFrame(std::string_view payload, uint32_t items, std::string* out) { AppendFrame({}, payload, items, out); }

void AppendFrame(std::string_view head, std::string_view rest, uint32_t items, std::string* out) {
  char h[kFrameHeaderSize];
  encoding::PutFixed32(h, static_cast<uint32_t>(head.size() + rest.size()));
  encoding::PutFixed32(h + 4, items);
  encoding::PutFixed32(h + 8, Crc32cExtend(Crc32c(head), rest));
  encoding::PutFixed32(h + 12, Crc32c(std::string_view(h, 12)));
  out->append(h, kFrameHeaderSize);
  out->append(head);
  out->append(rest);
}

bool ParseFrameHeader(const char* p, FrameHeader* header) {
  if (Crc32c(std::string_view(p, 12)) != encoding::GetFixed32(p + 12)) return false;
  header->length = encoding::GetFixed32(p);
  header->items = encoding::GetFixed32(p + 4);
  header->payload_crc = encoding::GetFixed32(p + 8);
  return true;
}

std::string SegmentName(uint64_t index) { return absl::StrFormat("%020u", index); }

std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != kSegmentNameDigits) return std::nullopt;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

SegmentScan ScanSegment(std::string_view bytes) {
  SegmentScan scan;
  uint64_t pos = kSegmentHeaderSize;
  const uint64_t size = bytes.size();
  FrameHeader h;
  while (pos < size) {
    if (ValidFrameAt(bytes, pos, &h)) {
      scan.records.push_back({pos, h.length, h.items});
      pos += kFrameHeaderSize + h.length;
      continue;
    }
    // Resynchronise: the next offset where a whole valid frame starts. Header and payload CRCs must both match,
    // so a stray match inside garbage is vanishingly unlikely.
    uint64_t next = pos + 1;
    while (next < size && !ValidFrameAt(bytes, next, &h)) ++next;
    if (next >= size) break;  // Nothing valid follows: a torn tail.
    scan.corrupt.push_back({pos, next - pos});
    pos = next;
  }
  scan.valid_end = pos < size ? pos : size;
  return scan;
}

void AppendAckEntry(Position pos, std::string* out) {
  char e[kAckEntrySize];
  encoding::PutFixed64(e, pos.segment);
  encoding::PutFixed64(e + 8, pos.offset);
  encoding::PutFixed32(e + 16, Crc32c(std::string_view(e, 16)));
  out->append(e, kAckEntrySize);
}

std::optional<Position> ParseAckLog(std::string_view bytes) {
  std::optional<Position> best;
  for (size_t off = 0; off + kAckEntrySize <= bytes.size(); off += kAckEntrySize) {
    const char* e = bytes.data() + off;
    if (Crc32c(std::string_view(e, 16)) != encoding::GetFixed32(e + 16)) continue;
    Position p{encoding::GetFixed64(e), encoding::GetFixed64(e + 8)};
    if (!best || p > *best) best = p;
  }
  return best;
}

}  // namespace vigil::queue
