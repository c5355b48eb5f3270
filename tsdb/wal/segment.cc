#include "tsdb/wal/segment.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/encoding/little_endian.h"
#include "base/hash/crc32c.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::wal {
namespace {

constexpr char kMagic[4] = {'V', 'W', 'A', 'L'};
constexpr std::string_view kCheckpointPrefix = "checkpoint.";
constexpr std::string_view kTmpSuffix = ".tmp";

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string SegmentHeader() {
  std::string h(kSegmentHeaderSize, '\0');
  std::memcpy(h.data(), kMagic, sizeof(kMagic));
  h[4] = static_cast<char>(kSegmentVersion);
  return h;
}

absl::Status CheckSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("segment header truncated: ", bytes.size(), " of ", kSegmentHeaderSize, " bytes"));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError(absl::StrFormat("bad segment magic %02x%02x%02x%02x (want 5657414c \"VWAL\")",
                                               static_cast<uint8_t>(bytes[0]), static_cast<uint8_t>(bytes[1]),
                                               static_cast<uint8_t>(bytes[2]), static_cast<uint8_t>(bytes[3])));
  }
  const uint8_t version = static_cast<uint8_t>(bytes[4]);
  if (version != kSegmentVersion) {
    return absl::DataLossError(
        absl::StrCat("unsupported segment version ", version, " (this build reads ", kSegmentVersion, ")"));
  }
  if (bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
    return absl::DataLossError("reserved segment header bytes are not zero");
  }
  return absl::OkStatus();
}

size_t BeginFrame(std::string* out) {
  const size_t start = out->size();
  out->append(kFrameHeaderSize, '\0');
  return start;
}

void FinishFrame(std::string* out, size_t frame_start, RecordType type) {
  char* h = out->data() + frame_start;
  const size_t payload_len = out->size() - frame_start - kFrameHeaderSize;
  h[0] = static_cast<char>(type);
  encoding::PutFixed32(h + 1, static_cast<uint32_t>(payload_len));
  encoding::PutFixed32(h + 5, Crc32cExtend(0, h + kFrameHeaderSize, payload_len));
  encoding::PutFixed32(h + 9, Crc32cExtend(0, h, 9));
}

bool ParseFrameHeader(const char* p, FrameHeader* header) {
  if (Crc32cExtend(0, p, 9) != encoding::GetFixed32(p + 9)) return false;
  header->type = static_cast<uint8_t>(p[0]);
  header->length = encoding::GetFixed32(p + 1);
  header->payload_crc = encoding::GetFixed32(p + 5);
  return true;
}

std::string SegmentName(uint32_t index) { return absl::StrFormat("%08u", index); }

std::string CheckpointName(uint32_t index) { return absl::StrCat(AV(kCheckpointPrefix), SegmentName(index)); }

std::optional<uint32_t> ParseSegmentName(std::string_view name) {
  if (name.size() != 8 || !AllDigits(name)) return std::nullopt;
  uint32_t v = 0;
  for (char c : name) v = v * 10 + static_cast<uint32_t>(c - '0');
  return v;
}

absl::StatusOr<WalDirListing> ListWalDir(FileSystem* fs, std::string_view dir) {
  WalDirListing listing;
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (absl::IsNotFound(names.status())) return listing;
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    std::string_view n = name;
    if (std::optional<uint32_t> seg = ParseSegmentName(n)) {
      listing.segments.push_back(*seg);
    } else if (n.size() > 8 && ParseSegmentName(n.substr(0, 8)) && n.substr(8).starts_with(".tmp.")) {
      listing.leftovers.push_back(name);  // An interrupted WriteFileAtomic of a new segment.
    } else if (n.starts_with(kCheckpointPrefix)) {
      std::string_view rest = n.substr(kCheckpointPrefix.size());
      if (std::optional<uint32_t> cp = ParseSegmentName(rest)) {
        listing.checkpoints.push_back(*cp);
      } else if (rest.size() == 8 + kTmpSuffix.size() && rest.ends_with(kTmpSuffix) &&
                 ParseSegmentName(rest.substr(0, 8))) {
        listing.leftovers.push_back(name);
      }
    }
  }
  return listing;
}

absl::Status RemoveFileOrFlatDir(FileSystem* fs, std::string_view path) {
  VIGIL_ASSIGN_OR_RETURN(FileInfo info, fs->Stat(path));
  if (info.is_dir) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(path));
    for (const std::string& name : names) VIGIL_RETURN_IF_ERROR(fs->Remove(JoinPath(path, name)));
  }
  return fs->Remove(path);
}

}  // namespace vigil::wal
