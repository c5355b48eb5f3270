// The seam for files. Storage code (WAL, positions files, disk queues) takes a `FileSystem*` so unit tests run
// on an InMemoryFileSystem (fast, no cleanup, faults injectable) while integration tests use RealFileSystem().
//
// Every error names the path and the reason ("open /data/wal/00000003: No such file or directory").
#ifndef VIGIL_BASE_FS_FILE_SYSTEM_H_
#define VIGIL_BASE_FS_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vigil {

// A file open for appending. Not thread-safe: one writer at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Appends `data`. Returns only once the bytes are handed to the OS (a crash of the process after Append
  // returns loses nothing; power loss may, until Sync).
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes appended bytes durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Closes the file; further calls fail. Destruction closes too, ignoring errors.
  virtual absl::Status Close() = 0;
  // Bytes in the file, including what this writer appended.
  virtual uint64_t Size() const = 0;
};

// A file open for positional reads. Thread-safe.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;

  // Reads up to `n` bytes at `offset` into `out` (replacing its contents). A short result means end of file.
  virtual absl::Status ReadAt(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual absl::StatusOr<uint64_t> Size() const = 0;
};

struct FileInfo {
  uint64_t size = 0;
  bool is_dir = false;
  absl::Time mtime;
  uint64_t device = 0;  // st_dev; with inode, a file's identity across renames (log rotation).
  uint64_t inode = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual absl::StatusOr<std::string> ReadFile(std::string_view path) = 0;

  // Replaces `path` with `contents` atomically: readers see the old or the new file, never a mix, even after a
  // crash (write to a temporary file in the same directory, optionally fsync, rename). With `sync`, the file and
  // its directory are fsynced so the new contents survive power loss.
  virtual absl::Status WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) = 0;

  // Opens `path` for appending, creating it if absent.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> OpenAppendable(std::string_view path) = 0;
  virtual absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(std::string_view path) = 0;

  // Names (not paths) of the entries of directory `path`, sorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(std::string_view path) = 0;
  virtual absl::StatusOr<FileInfo> Stat(std::string_view path) = 0;
  virtual bool Exists(std::string_view path) = 0;

  // Creates `path` and missing parents; an existing directory is fine.
  virtual absl::Status CreateDirs(std::string_view path) = 0;
  // Removes a file or an empty directory. NotFound if absent.
  virtual absl::Status Remove(std::string_view path) = 0;
  virtual absl::Status Rename(std::string_view from, std::string_view to) = 0;
  // Cuts a file to `size` bytes (recovering a WAL segment after a torn write).
  virtual absl::Status Truncate(std::string_view path, uint64_t size) = 0;
  // fsyncs a directory so renames and creations in it survive power loss.
  virtual absl::Status SyncDir(std::string_view path) = 0;
};

// The process-wide POSIX file system. Never null, never destroyed.
FileSystem* RealFileSystem();

// Joins path components with exactly one '/' between them ("a/" + "b" = "a/b"; "" + "b" = "b").
std::string JoinPath(std::string_view a, std::string_view b);
// The directory part of `path` ("a/b/c" -> "a/b", "c" -> ".", "/c" -> "/").
std::string_view DirName(std::string_view path);

}  // namespace vigil

#endif  // VIGIL_BASE_FS_FILE_SYSTEM_H_
