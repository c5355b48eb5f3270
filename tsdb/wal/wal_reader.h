// Replay of the write-ahead log into the head at start-up (docs/format/wal.md, "Replay").
//
//   absl::StatusOr<ReplayResult> r = Replay(fs, "/data/wal",
//       [&](std::span<const SeriesRecordView> series) { return head.AddSeries(series); },
//       [&](std::span<const SampleRecord> samples) { return head.AppendReplayed(samples); });
//   for (const WalCorruption& c : r->corruptions) log::Error("WAL corruption", {{"at", c.ToString()}});
//
// Reads the newest complete checkpoint, then the segments from its number on, in order. A torn record at the
// end of the last segment (a crash mid-append) is dropped silently and, by default, truncated away; corruption
// anywhere else is reported and replay goes on with what follows it. Replay decodes into reused buffers and
// does not allocate per record.
#ifndef VIGIL_TSDB_WAL_WAL_READER_H_
#define VIGIL_TSDB_WAL_WAL_READER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/fs/file_system.h"
#include "model/sample.h"
#include "tsdb/wal/records.h"

namespace vigil::wal {

// Damage found during replay: where and why. What was lost depends on the kind (see the format doc).
struct WalCorruption {
  std::string file;  // Relative to the WAL directory: "00000012" or "checkpoint.00000007/00000000".
  uint64_t offset = 0;
  std::string reason;

  // "00000012 at byte 4096: payload checksum mismatch ...".
  std::string ToString() const;
};

// One WAL segment as replay saw it.
struct ReplayedSegment {
  uint32_t index = 0;
  uint64_t bytes = 0;                   // File size before any repair.
  uint64_t records = 0;                 // Records handed to the callbacks.
  TimestampMs max_t = kMinTimestampMs;  // Largest sample timestamp (kMinTimestampMs: no samples).
};

// What replay did.
struct ReplayResult {
  std::optional<uint32_t> checkpoint;     // The checkpoint read, if any.
  std::vector<ReplayedSegment> segments;  // WAL segments read, in order (not the checkpoint's files).
  uint64_t records = 0;
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t bytes = 0;  // Bytes of every file read, checkpoint included.
  // The torn tail dropped from the last segment: its size (0: none), file and offset.
  uint64_t torn_bytes = 0;
  std::string torn_file;
  uint64_t torn_offset = 0;
  std::vector<WalCorruption> corruptions;
};

struct ReplayOptions {
  // Truncate a torn tail away (remove the last segment if its header is torn), so the next writer's new
  // segment does not leave it in the middle of the log. Off for read-only inspection.
  bool repair_torn_tail = true;
};

// Receives the series of one SERIES record; the views are valid only during the call. A non-OK status stops
// replay and is returned.
using SeriesCallback = absl::FunctionRef<absl::Status(std::span<const SeriesRecordView>)>;
// Receives the samples of one SAMPLES record; valid only during the call. A non-OK status stops replay.
using SamplesCallback = absl::FunctionRef<absl::Status(std::span<const SampleRecord>)>;

// Replays the WAL in `dir`. A missing or empty directory replays nothing. The status is an error only for I/O
// errors and callback errors; damage to the data is in ReplayResult::corruptions.
absl::StatusOr<ReplayResult> Replay(FileSystem* fs, std::string_view dir, SeriesCallback on_series,
                                    SamplesCallback on_samples, const ReplayOptions& options = {});

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_WAL_READER_H_
