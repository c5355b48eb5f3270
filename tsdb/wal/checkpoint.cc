#include "tsdb/wal/checkpoint.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/wal/segment.h"

namespace vigil::wal {
namespace {

// Series encoded per step, so a checkpoint of millions of series never sits in memory as a whole.
constexpr size_t kSeriesPerStep = 4096;

// Writes the checkpoint's segment files into `tmp_dir`, each synced.
absl::Status WriteCheckpointFiles(FileSystem* fs, const std::string& tmp_dir, std::span<const SeriesRecord> series,
                                  uint64_t segment_size, CheckpointStats* stats) {
  const uint64_t max_payload = MaxPayloadSize(segment_size);
  uint32_t file_index = 0;
  std::unique_ptr<WritableFile> file;
  std::string path;
  uint64_t file_bytes = 0;
  auto close_file = [&]() -> absl::Status {
    if (file == nullptr) return absl::OkStatus();
    VIGIL_RETURN_IF_ERROR(file->Sync());
    VIGIL_RETURN_IF_ERROR(file->Close());
    file.reset();
    return absl::OkStatus();
  };
  auto open_file = [&]() -> absl::Status {
    path = JoinPath(tmp_dir, SegmentName(file_index++));
    VIGIL_ASSIGN_OR_RETURN(file, fs->OpenAppendable(path));
    VIGIL_RETURN_IF_ERROR(file->Append(SegmentHeader()));
    file_bytes = kSegmentHeaderSize;
    stats->bytes += kSegmentHeaderSize;
    return absl::OkStatus();
  };
  // Even an empty checkpoint gets one (header-only) file, so every checkpoint looks alike to replay.
  VIGIL_RETURN_IF_ERROR(open_file());
  EncodedBatch batch;
  for (size_t begin = 0; begin < series.size(); begin += kSeriesPerStep) {
    batch.Clear();
    VIGIL_RETURN_IF_ERROR(
        EncodeBatch(series.subspan(begin, std::min(kSeriesPerStep, series.size() - begin)), {}, max_payload, &batch));
    size_t frame_begin = 0;
    for (const EncodedBatch::Frame& frame : batch.frames) {
      std::string_view bytes(batch.bytes.data() + frame_begin, frame.end - frame_begin);
      frame_begin = frame.end;
      if (file_bytes + bytes.size() > segment_size) {
        VIGIL_RETURN_IF_ERROR(close_file());
        VIGIL_RETURN_IF_ERROR(open_file());
      }
      VIGIL_RETURN_IF_ERROR(file->Append(bytes));
      file_bytes += bytes.size();
      stats->bytes += bytes.size();
    }
  }
  stats->series = series.size();
  VIGIL_RETURN_IF_ERROR(close_file());
  return fs->SyncDir(tmp_dir);
}

}  // namespace

absl::Status WriteCheckpoint(FileSystem* fs, std::string_view dir, std::span<const SeriesRecord> live_series,
                             uint32_t index, uint64_t segment_size, CheckpointStats* stats) {
  CheckpointStats local;
  if (stats == nullptr) stats = &local;
  *stats = CheckpointStats();
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint segment size ", segment_size, " outside [",
                                                   kMinSegmentSize, ", ", kMaxSegmentSize, "]"));
  }
  VIGIL_ASSIGN_OR_RETURN(WalDirListing listing, ListWalDir(fs, dir));
  if (!listing.checkpoints.empty() && listing.checkpoints.back() > index) {
    return absl::FailedPreconditionError(absl::StrCat("WAL ", AV(dir), ": cannot write ", CheckpointName(index),
                                                      ", a newer ", CheckpointName(listing.checkpoints.back()),
                                                      " exists"));
  }
  const std::string final_dir = JoinPath(dir, CheckpointName(index));
  const bool exists = std::binary_search(listing.checkpoints.begin(), listing.checkpoints.end(), index);
  if (!exists) {
    // 1. Leftovers of an interrupted checkpoint go first, so the rename below cannot meet an old temporary
    // directory of the same name. (Segment-creation leftovers are the writer's: one may be in flight right now.)
    for (const std::string& name : listing.leftovers) {
      if (!name.starts_with("checkpoint.")) continue;
      VIGIL_RETURN_IF_ERROR(Annotate(RemoveFileOrFlatDir(fs, JoinPath(dir, name)), "removing WAL leftover"));
    }
    // 2. Write and sync everything under the temporary name.
    const std::string tmp_dir = final_dir + ".tmp";
    VIGIL_RETURN_IF_ERROR(fs->CreateDirs(tmp_dir));
    absl::Status s = WriteCheckpointFiles(fs, tmp_dir, live_series, segment_size, stats);
    if (!s.ok()) {
      // Best effort: replay ignores the directory anyway, and the next checkpoint removes it.
      (void)RemoveFileOrFlatDir(fs, tmp_dir);
      return Annotate(s, absl::StrCat("writing WAL ", CheckpointName(index)));
    }
    // 3. The commit point: from here on replay starts at checkpoint.N.
    VIGIL_RETURN_IF_ERROR(fs->Rename(tmp_dir, final_dir));
    VIGIL_RETURN_IF_ERROR(fs->SyncDir(dir));
    stats->written = true;
  }
  // 4. Segments below N, oldest first, so a crash in between leaves a contiguous run (which replay ignores).
  for (uint32_t seg : listing.segments) {
    if (seg >= index) break;
    VIGIL_RETURN_IF_ERROR(fs->Remove(JoinPath(dir, SegmentName(seg))));
    ++stats->segments_deleted;
  }
  // 5. Older checkpoints.
  for (uint32_t cp : listing.checkpoints) {
    if (cp >= index) break;
    VIGIL_RETURN_IF_ERROR(RemoveFileOrFlatDir(fs, JoinPath(dir, CheckpointName(cp))));
    ++stats->checkpoints_deleted;
  }
  if (stats->segments_deleted > 0 || stats->checkpoints_deleted > 0) VIGIL_RETURN_IF_ERROR(fs->SyncDir(dir));
  return absl::OkStatus();
}

}  // namespace vigil::wal
