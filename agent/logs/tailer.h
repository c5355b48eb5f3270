// The agent's container log tailer (docs/logs-agent.md): follows the log files kubelet and Docker write
// (shared docs contract.md section 5.5), parses their CRI or json-file lines, labels them from the path, and
// hands them out as batches of Loki push streams. Nothing here sends: a shipper encodes each batch
// (wire/loki/push_encode.h), queues it, and calls Ack(token) once the store accepted it. Only acknowledged
// offsets are written to the positions file, so a restart neither loses nor repeats lines.
//
//   TailerOptions o;
//   o.node = "node-1";
//   o.positions_file = "/var/lib/vigil-agent/log-positions";
//   absl::StatusOr<std::unique_ptr<Tailer>> t = Tailer::Create(o, RealFileSystem(), RealClock(), &registry);
//   LogBatch b = (*t)->Poll();                 // discovers files, reads up to o.poll_bytes
//   if (!b.empty()) ship(b.PushStreams(), b.token);
//   ... later, when the store answered 2xx (or refused the batch for good):
//   (*t)->Ack(b.token);
//
// Handles rotation by rename (the old inode is read to its end, then the new file is followed), copytruncate
// (a file shorter than the read offset is read again from 0), files appearing and disappearing, partial lines at
// the end of a file (held until their newline), CRI partial records (joined), lines longer than
// max_line_bytes (split into pieces, counted), malformed lines (kept as the raw line stamped with the read time,
// counted) and invalid UTF-8 (kept as bytes). Backpressure: with max_in_flight_bytes unacknowledged, Poll reads
// nothing, so a slow or absent store slows reading and never drops lines.
//
// Thread-safe: Poll and Ack may be called from different threads (the run loop and the sender's callback).
#ifndef VIGIL_AGENT_LOGS_TAILER_H_
#define VIGIL_AGENT_LOGS_TAILER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/logs/line_parser.h"
#include "agent/logs/positions.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/metrics/registry.h"
#include "wire/loki/push_encode.h"

namespace vigil::agent::logs {

struct TailerOptions {
  // Globs ('*', '?', '[...]' within one path component) of CRI-format files.
  std::vector<std::string> cri_paths = {"/var/log/pods/*/*/*.log"};
  // Globs of Docker json-file files; matching nothing (no Docker on the node) is fine.
  std::vector<std::string> docker_paths = {"/var/lib/docker/containers/*/*-json.log"};
  // The node label of every stream; empty: no node label.
  std::string node;
  // Where acknowledged offsets are kept; empty: not kept (every start reads files from the beginning).
  std::string positions_file;
  // fsync the positions file (and its directory) on every write.
  bool sync_positions = true;
  // Longer messages are split into pieces of at most this many bytes (Loki's default max_line_size).
  size_t max_line_bytes = 256 << 10;
  // Bytes of files read by one Poll at most.
  size_t poll_bytes = 4 << 20;
  // Bytes read (handed out in batches) but not yet acknowledged, at most; then Poll reads nothing.
  size_t max_in_flight_bytes = 32 << 20;
  // How often Poll looks for new, rotated and deleted files (zero: every Poll).
  absl::Duration rescan_interval = absl::Seconds(1);
  // A rotated or deleted file is read until it has not grown for this long (its writer may still finish a
  // line), then closed; an unterminated last line is then emitted as it is.
  absl::Duration rotated_grace = absl::Seconds(5);
};

// Batches hand out text they own; this keeps line bytes at stable addresses while a batch grows.
class TextArena {
 public:
  // Copies `s` and returns a view of the copy, valid for the arena's life (moves included).
  std::string_view Append(std::string_view s);
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;  // in the last block
  size_t cap_ = 0;   // of the last block
  size_t bytes_ = 0;
};

// One label set's entries in a batch.
struct BatchStream {
  // The stream's labels in Loki's selector form ({container="api", namespace="prod", ...}).
  std::string labels;
  // Entries in file order; lines view the batch's arena.
  std::vector<wire::loki::PushEntryRef> entries;
};

// What one Poll read: entries grouped by stream, and the token to Ack once the store has them.
struct LogBatch {
  // 0 when nothing was read (nothing to ack).
  uint64_t token = 0;
  std::vector<BatchStream> streams;
  TextArena text;
  // File bytes this batch consumed (what counts against max_in_flight_bytes) and entries in it.
  size_t bytes_read = 0;
  size_t entries = 0;

  bool empty() const { return token == 0; }
  // The streams as the push encoder takes them (views into this batch).
  std::vector<wire::loki::PushStreamRef> PushStreams() const;
};

class Tailer {
 public:
  // Loads options.positions_file if it exists (a malformed file is an error naming the line). `fs`, `clock`
  // and `metrics` must outlive the tailer; `metrics` may be null (then they are kept unexposed).
  static absl::StatusOr<std::unique_ptr<Tailer>> Create(TailerOptions options, FileSystem* fs, Clock* clock,
                                                        metrics::Registry* metrics);
  ~Tailer();
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;

  // One step: (re)discovers files when rescan_interval has passed, then reads up to poll_bytes of complete
  // records from the followed files (round robin) and returns them as a batch. Empty when there is nothing new
  // or max_in_flight_bytes are unacknowledged. I/O errors on single files are logged and skipped.
  LogBatch Poll();

  // The store has the batch `token` (or refused it for good): its files' acknowledged offsets advance (in each
  // file's read order, whatever order acks arrive in) and the positions file is rewritten. Unknown tokens (0,
  // repeats) are ignored. Errors are the positions file's write errors; the offsets advance in memory anyway.
  absl::Status Ack(uint64_t token);

  // Writes the positions file now (e.g. on shutdown). Nothing to do without a positions_file.
  absl::Status SavePositions();

  // Files followed now (including rotated ones still being finished), and unacknowledged bytes.
  size_t files_followed() const;
  size_t in_flight_bytes() const;

 private:
  struct FileState;
  struct Metrics;
  struct BatchBuilder;

  Tailer(TailerOptions options, FileSystem* fs, Clock* clock, metrics::Registry* metrics);

  void RescanLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Discover(const std::string& glob, LogFormat format, std::vector<uint64_t>* seen)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OpenFile(const std::string& path, const FileInfo& info, LogFormat format) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LabelFile(FileState* f);
  void UpdateFingerprint(FileState* f, uint64_t size);
  // Reads from one file into the batch; returns the file bytes consumed.
  size_t ReadFile(FileState* f, size_t budget, BatchBuilder* b) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t Process(FileState* f, std::string_view buf, bool finish, BatchBuilder* b);
  void Emit(FileState* f, int64_t ts, LogStream stream, std::string_view message, BatchBuilder* b);
  absl::Status SaveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TailerOptions options_;
  FileSystem* const fs_;
  Clock* const clock_;
  std::unique_ptr<metrics::Registry> own_registry_;
  std::unique_ptr<Metrics> metrics_;

  mutable absl::Mutex mu_;
  // Followed files by id (ids grow; map order is the round-robin order).
  std::vector<std::unique_ptr<FileState>> files_ ABSL_GUARDED_BY(mu_);
  size_t next_file_ ABSL_GUARDED_BY(mu_) = 0;  // round-robin start
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Positions loaded at start and not yet matched to a file, by (device, inode).
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, PositionEntry> loaded_ ABSL_GUARDED_BY(mu_);
  bool scanned_once_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time next_rescan_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Unacknowledged batches: token -> bytes and the files it read from.
  struct InFlight {
    size_t bytes = 0;
    std::vector<uint64_t> file_ids;
  };
  absl::flat_hash_map<uint64_t, InFlight> tokens_ ABSL_GUARDED_BY(mu_);
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1;
  size_t in_flight_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool positions_dirty_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t poll_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  std::string read_buf_ ABSL_GUARDED_BY(mu_);  // scratch: the bytes of the file being read
  std::string joined_;                         // scratch: a CRI/Docker record being joined
  std::string scratch_;                        // scratch: an unescaped Docker message
};

}  // namespace vigil::agent::logs

#endif  // VIGIL_AGENT_LOGS_TAILER_H_
