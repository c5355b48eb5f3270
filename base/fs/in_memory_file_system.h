// A FileSystem kept in memory, for unit tests: fast, isolated, and able to inject the faults real disks have
// (a full disk, power loss dropping what was not fsynced).
#ifndef VIGIL_BASE_FS_IN_MEMORY_FILE_SYSTEM_H_
#define VIGIL_BASE_FS_IN_MEMORY_FILE_SYSTEM_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/fs/file_system.h"

namespace vigil {

class InMemoryFileSystem : public FileSystem {
 public:
  InMemoryFileSystem();

  absl::StatusOr<std::string> ReadFile(std::string_view path) override;
  absl::Status WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenAppendable(std::string_view path) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(std::string_view path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(std::string_view path) override;
  absl::StatusOr<FileInfo> Stat(std::string_view path) override;
  bool Exists(std::string_view path) override;
  absl::Status CreateDirs(std::string_view path) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status Truncate(std::string_view path, uint64_t size) override;
  absl::Status SyncDir(std::string_view path) override;

  // Every later write (Append, WriteFileAtomic) fails with `status` until cleared with OkStatus(); e.g.
  // absl::ResourceExhaustedError("no space left on device").
  void SetWriteError(absl::Status status);

  // Simulates power loss: every file loses the bytes appended after its last Sync (files written with
  // WriteFileAtomic(sync=true) keep everything).
  void DropUnsyncedData();

  struct FileData {
    std::string bytes;
    size_t synced = 0;
    uint64_t inode = 0;
  };

 private:
  friend class InMemoryWritableFile;

  absl::Status CheckWritable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ParentExists(const std::string& path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<FileData>> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  uint64_t next_inode_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace vigil

#endif  // VIGIL_BASE_FS_IN_MEMORY_FILE_SYSTEM_H_
