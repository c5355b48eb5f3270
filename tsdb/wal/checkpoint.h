// WAL checkpoints and truncation (docs/format/wal.md, "Checkpoints and truncation").
//
// Segments below N may hold the SERIES records of series that are still alive. WriteCheckpoint saves those
// series to <dir>/checkpoint.N/ (atomically: written to checkpoint.N.tmp/, synced, renamed) and only then
// deletes segments and older checkpoints below N, so a crash at any step leaves a replayable WAL.
// WalWriter::Checkpoint is the usual entry point; this is the part that does not need a writer.
#ifndef VIGIL_TSDB_WAL_CHECKPOINT_H_
#define VIGIL_TSDB_WAL_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "base/fs/file_system.h"
#include "tsdb/wal/records.h"

namespace vigil::wal {

// What WriteCheckpoint did, for logs and metrics.
struct CheckpointStats {
  // False when checkpoint.N already existed and was kept (a repeated call, or a retry after a crash).
  bool written = false;
  uint64_t series = 0;
  uint64_t bytes = 0;
  uint64_t segments_deleted = 0;
  uint64_t checkpoints_deleted = 0;
};

// Writes `live_series` as checkpoint `index` of the WAL in `dir`, then deletes the segments and checkpoints
// numbered below `index`. Checkpoint files use the segment format with segments of at most `segment_size`
// bytes, and are always fdatasynced (deleting segments must never become durable before the checkpoint that
// replaces them). FailedPrecondition if a checkpoint numbered above `index` exists. On error nothing replay
// depends on has changed unless the rename was done, in which case the WAL is already consistent and a retry
// finishes the deletions.
absl::Status WriteCheckpoint(FileSystem* fs, std::string_view dir, std::span<const SeriesRecord> live_series,
                             uint32_t index, uint64_t segment_size, CheckpointStats* stats = nullptr);

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_CHECKPOINT_H_
