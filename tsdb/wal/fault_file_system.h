// A FileSystem for WAL tests, layered over an InMemoryFileSystem: it simulates a crash after a given number of
// mutating operations, a disk that fills up in the middle of an append, and counts fdatasyncs. It also renames
// directories (InMemoryFileSystem::Rename moves files only), which checkpoints need.
//
//   InMemoryFileSystem mem;
//   FaultFileSystem fs(&mem);
//   fs.CrashAfter(7);         // The 8th mutating operation and every later one fail, doing nothing.
//   ... run the code under test against &fs, then inspect or replay `mem`: the state the crash left.
#ifndef VIGIL_TSDB_WAL_FAULT_FILE_SYSTEM_H_
#define VIGIL_TSDB_WAL_FAULT_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/fs/file_system.h"
#include "base/fs/in_memory_file_system.h"

namespace vigil::wal {

class FaultFileSystem : public FileSystem {
 public:
  explicit FaultFileSystem(InMemoryFileSystem* base) : base_(base) {}

  // After `ops` more mutating operations (create, append, sync, rename, remove, truncate, mkdir, dir sync,
  // atomic write) succeed, every later one fails with UnavailableError("simulated crash") and changes nothing.
  // A negative value disables the crash.
  void CrashAfter(int64_t ops);
  // Whether a mutating operation has been refused because of CrashAfter.
  bool crashed() const;
  // The next Append writes only its first `bytes` bytes and then fails with ResourceExhausted("no space left
  // on device"), as a full disk does; later appends fail without writing until this is reset with -1.
  void FailAppendsAfter(int64_t bytes);

  // Mutating operations performed (successful ones).
  int64_t mutating_ops() const;
  // WritableFile::Sync calls that reached the underlying file system.
  int64_t syncs() const;

  absl::StatusOr<std::string> ReadFile(std::string_view path) override { return base_->ReadFile(path); }
  absl::Status WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenAppendable(std::string_view path) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(std::string_view path) override {
    return base_->OpenReadable(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDir(std::string_view path) override { return base_->ListDir(path); }
  absl::StatusOr<FileInfo> Stat(std::string_view path) override { return base_->Stat(path); }
  bool Exists(std::string_view path) override { return base_->Exists(path); }
  absl::Status CreateDirs(std::string_view path) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status Truncate(std::string_view path, uint64_t size) override;
  absl::Status SyncDir(std::string_view path) override;

 private:
  friend class FaultWritableFile;

  // Consumes one operation of the crash budget; an error once it is spent.
  absl::Status Step();

  InMemoryFileSystem* const base_;
  mutable absl::Mutex mu_;
  int64_t crash_after_ ABSL_GUARDED_BY(mu_) = -1;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t append_budget_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t ops_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_FAULT_FILE_SYSTEM_H_
