// The positions file: per followed file, the offset up to which the store has ACKNOWLEDGED its lines, so a
// restarted agent resumes exactly there (no loss, no repeat). A file is known by its identity, not its path
// (paths move on rotation): device + inode, plus a CRC-32C of its first bytes to tell a reused inode from the
// file that had it. Written atomically (temporary file, fsync, rename) by FileSystem::WriteFileAtomic.
//
// Format (text, one file per line, '#' lines are comments):
//   # vigil-agent log positions v1
//   <device> <inode> <fingerprint length> <fingerprint crc32c, 8 hex> <acked offset> <path>
// The path (the rest of the line) is informational; a newline in it is written as '?'.
#ifndef VIGIL_AGENT_LOGS_POSITIONS_H_
#define VIGIL_AGENT_LOGS_POSITIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::agent::logs {

// One file's identity and acknowledged offset.
struct PositionEntry {
  uint64_t device = 0;
  uint64_t inode = 0;
  // How many leading bytes the fingerprint covers (0: the file was too short to have one yet).
  uint32_t fingerprint_len = 0;
  uint32_t fingerprint = 0;
  uint64_t offset = 0;
  std::string path;
};

// Renders entries in the file format above.
std::string FormatPositions(const std::vector<PositionEntry>& entries);

// Parses a positions file. InvalidArgument naming the line number and why for a malformed line.
absl::StatusOr<std::vector<PositionEntry>> ParsePositions(std::string_view text);

}  // namespace vigil::agent::logs

#endif  // VIGIL_AGENT_LOGS_POSITIONS_H_
