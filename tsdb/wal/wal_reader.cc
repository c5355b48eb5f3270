#include "tsdb/wal/wal_reader.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/hash/crc32c.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/wal/segment.h"

namespace vigil::wal {
namespace {

// Bytes read per file read. Frames are cut at about 256 KiB, so a window holds many of them.
constexpr size_t kReadChunk = 4 << 20;

// Replays one WAL directory. Holds the buffers reused across files and records.
class Replayer {
 public:
  Replayer(FileSystem* fs, std::string_view dir, SeriesCallback on_series, SamplesCallback on_samples,
           const ReplayOptions& options, ReplayResult* result)
      : fs_(fs), dir_(dir), on_series_(on_series), on_samples_(on_samples), options_(options), result_(result) {}

  absl::Status Run() {
    VIGIL_ASSIGN_OR_RETURN(WalDirListing listing, ListWalDir(fs_, dir_));
    std::optional<uint32_t> expected;  // The segment number that must come next (a gap is reported).
    if (!listing.checkpoints.empty()) {
      const uint32_t cp = listing.checkpoints.back();
      result_->checkpoint = cp;
      expected = cp;
      VIGIL_RETURN_IF_ERROR(ReplayCheckpoint(CheckpointName(cp)));
    }
    std::vector<uint32_t> segments;
    for (uint32_t seg : listing.segments) {
      if (!expected.has_value() || seg >= *expected) segments.push_back(seg);
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      const uint32_t seg = segments[i];
      if (expected.has_value() && seg != *expected) {
        Corrupt(SegmentName(seg), 0,
                absl::StrCat("segments ", SegmentName(*expected), " to ", SegmentName(seg - 1), " are missing"));
      }
      expected = seg + 1;
      ReplayedSegment rs;
      rs.index = seg;
      VIGIL_RETURN_IF_ERROR(ReplayFile(SegmentName(seg), /*tail_may_be_torn=*/i + 1 == segments.size(), &rs));
      result_->segments.push_back(rs);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReplayCheckpoint(const std::string& name) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(JoinPath(dir_, name)));
    uint32_t expected = 0;
    for (const std::string& file : names) {
      std::optional<uint32_t> index = ParseSegmentName(file);
      if (!index.has_value()) continue;
      const std::string rel = JoinPath(name, file);
      if (*index != expected) {
        Corrupt(
            rel, 0,
            absl::StrCat("checkpoint files ", SegmentName(expected), " to ", SegmentName(*index - 1), " are missing"));
      }
      expected = *index + 1;
      ReplayedSegment ignored;
      // A checkpoint was synced before it was renamed into place: any damage in it is corruption.
      VIGIL_RETURN_IF_ERROR(ReplayFile(rel, /*tail_may_be_torn=*/false, &ignored));
    }
    if (expected == 0) Corrupt(name, 0, "checkpoint has no segment files");
    return absl::OkStatus();
  }

  absl::Status ReplayFile(const std::string& rel, bool tail_may_be_torn, ReplayedSegment* seg) {
    const std::string path = JoinPath(dir_, rel);
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, fs_->OpenReadable(path));
    VIGIL_ASSIGN_OR_RETURN(const uint64_t size, file->Size());
    file_ = file.get();
    file_size_ = size;
    window_.clear();
    window_off_ = 0;
    seg->bytes = size;
    result_->bytes += size;

    if (size < kSegmentHeaderSize) {
      if (tail_may_be_torn) return Torn(rel, path, 0);
      Corrupt(rel, 0, absl::StrCat("segment header truncated: the file has ", size, " bytes"));
      return absl::OkStatus();
    }
    VIGIL_ASSIGN_OR_RETURN(std::string_view header, Read(0, kSegmentHeaderSize));
    if (absl::Status s = CheckSegmentHeader(header); !s.ok()) {
      Corrupt(rel, 0, absl::StrCat(s.message(), "; the whole file is skipped"));
      return absl::OkStatus();
    }
    uint64_t off = kSegmentHeaderSize;
    while (off < size) {
      if (size - off < kFrameHeaderSize) {
        if (tail_may_be_torn) return Torn(rel, path, off);
        Corrupt(rel, off, absl::StrCat("partial frame header (", size - off, " bytes) at the end of the file"));
        break;
      }
      VIGIL_ASSIGN_OR_RETURN(std::string_view h, Read(off, kFrameHeaderSize));
      FrameHeader fh;
      if (!ParseFrameHeader(h.data(), &fh)) {
        if (tail_may_be_torn) {
          VIGIL_ASSIGN_OR_RETURN(bool zeros, AllZero(off + kFrameHeaderSize, size));
          if (zeros) return Torn(rel, path, off);
        }
        Corrupt(
            rel, off,
            absl::StrCat("frame header checksum mismatch; the rest of the file (", size - off, " bytes) is skipped"));
        break;
      }
      const uint64_t end = off + kFrameHeaderSize + fh.length;
      if (end > size) {
        if (tail_may_be_torn) return Torn(rel, path, off);
        Corrupt(
            rel, off,
            absl::StrCat("frame of ", fh.length, " payload bytes runs past the end of the file (", size, " bytes)"));
        break;
      }
      VIGIL_ASSIGN_OR_RETURN(std::string_view payload, Read(off + kFrameHeaderSize, fh.length));
      if (Crc32c(payload) != fh.payload_crc) {
        if (tail_may_be_torn) {
          VIGIL_ASSIGN_OR_RETURN(bool zeros, AllZero(end, size));
          if (zeros) return Torn(rel, path, off);
        }
        Corrupt(rel, off,
                absl::StrCat("payload checksum mismatch (record type ", fh.type, ", ", fh.length,
                             " bytes); the record is skipped"));
      } else {
        VIGIL_RETURN_IF_ERROR(Dispatch(fh.type, payload, rel, off, seg));
      }
      off = end;
    }
    return absl::OkStatus();
  }

  absl::Status Dispatch(uint8_t type, std::string_view payload, const std::string& rel, uint64_t off,
                        ReplayedSegment* seg) {
    absl::Status cb;
    switch (type) {
      case static_cast<uint8_t>(RecordType::kSeries): {
        if (absl::Status s = series_decoder_.Decode(payload); !s.ok()) {
          Corrupt(rel, off, absl::StrCat(s.message(), "; the record is skipped"));
          return absl::OkStatus();
        }
        result_->series += series_decoder_.series().size();
        cb = on_series_(series_decoder_.series());
        break;
      }
      case static_cast<uint8_t>(RecordType::kSamples): {
        if (absl::Status s = DecodeSamplesPayload(payload, &samples_); !s.ok()) {
          Corrupt(rel, off, absl::StrCat(s.message(), "; the record is skipped"));
          return absl::OkStatus();
        }
        result_->samples += samples_.size();
        for (const SampleRecord& s : samples_) seg->max_t = std::max(seg->max_t, s.t);
        cb = on_samples_(samples_);
        break;
      }
      default:
        Corrupt(rel, off, absl::StrCat("unknown record type ", type, "; the record is skipped"));
        return absl::OkStatus();
    }
    ++seg->records;
    ++result_->records;
    if (!cb.ok()) return Annotate(cb, absl::StrCat("WAL replay of ", rel, " at byte ", off));
    return absl::OkStatus();
  }

  // The bytes [off, off + n) of the current file; n must not reach past its end.
  absl::StatusOr<std::string_view> Read(uint64_t off, size_t n) {
    if (off < window_off_ || off + n > window_off_ + window_.size()) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadChunk), file_size_ - off));
      VIGIL_RETURN_IF_ERROR(file_->ReadAt(off, want, &window_));
      window_off_ = off;
      if (window_.size() < n) {
        return absl::DataLossError(absl::StrCat("short read at byte ", off, ": the file shrank during replay"));
      }
    }
    return std::string_view(window_.data() + (off - window_off_), n);
  }

  // Whether the bytes [from, to) of the current file are all zero (true for an empty range).
  absl::StatusOr<bool> AllZero(uint64_t from, uint64_t to) {
    while (from < to) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(to - from, kReadChunk));
      VIGIL_ASSIGN_OR_RETURN(std::string_view bytes, Read(from, n));
      if (std::any_of(bytes.begin(), bytes.end(), [](char c) { return c != 0; })) return false;
      from += n;
    }
    return true;
  }

  // Records the torn tail [off, end of file) of the last segment and, if asked, cuts it off.
  absl::Status Torn(const std::string& rel, const std::string& path, uint64_t off) {
    result_->torn_bytes = file_size_ - off;
    result_->torn_file = rel;
    result_->torn_offset = off;
    if (!options_.repair_torn_tail) return absl::OkStatus();
    // Without a complete header the file holds nothing: remove it, so the writer's next segment takes its place.
    if (off < kSegmentHeaderSize) return Annotate(fs_->Remove(path), "removing torn WAL segment");
    return Annotate(fs_->Truncate(path, off), "truncating torn WAL tail");
  }

  void Corrupt(const std::string& file, uint64_t offset, std::string reason) {
    result_->corruptions.push_back(WalCorruption{file, offset, std::move(reason)});
  }

  FileSystem* const fs_;
  const std::string_view dir_;
  SeriesCallback on_series_;
  SamplesCallback on_samples_;
  const ReplayOptions& options_;
  ReplayResult* const result_;

  const ReadableFile* file_ = nullptr;
  uint64_t file_size_ = 0;
  std::string window_;
  uint64_t window_off_ = 0;
  SeriesPayloadDecoder series_decoder_;
  std::vector<SampleRecord> samples_;
};

}  // namespace

std::string WalCorruption::ToString() const { return absl::StrCat(file, " at byte ", offset, ": ", reason); }

absl::StatusOr<ReplayResult> Replay(FileSystem* fs, std::string_view dir, SeriesCallback on_series,
                                    SamplesCallback on_samples, const ReplayOptions& options) {
  ReplayResult result;
  Replayer replayer(fs, dir, on_series, on_samples, options, &result);
  VIGIL_RETURN_IF_ERROR(replayer.Run());
  return result;
}

}  // namespace vigil::wal
