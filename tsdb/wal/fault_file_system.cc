#include "tsdb/wal/fault_file_system.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::wal {

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem* fs, std::unique_ptr<WritableFile> base) : fs_(fs), base_(std::move(base)) {}

  absl::Status Append(std::string_view data) override {
    VIGIL_RETURN_IF_ERROR(fs_->Step());
    int64_t budget;
    {
      absl::MutexLock lock(&fs_->mu_);
      budget = fs_->append_budget_;
      if (budget >= 0) fs_->append_budget_ = std::max<int64_t>(0, budget - static_cast<int64_t>(data.size()));
    }
    if (budget < 0 || static_cast<uint64_t>(budget) >= data.size()) return base_->Append(data);
    if (budget > 0) VIGIL_RETURN_IF_ERROR(base_->Append(data.substr(0, static_cast<size_t>(budget))));
    return absl::ResourceExhaustedError("write: no space left on device");
  }
  absl::Status Sync() override {
    VIGIL_RETURN_IF_ERROR(fs_->Step());
    {
      absl::MutexLock lock(&fs_->mu_);
      ++fs_->syncs_;
    }
    return base_->Sync();
  }
  absl::Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultFileSystem* fs_;
  std::unique_ptr<WritableFile> base_;
};

void FaultFileSystem::CrashAfter(int64_t ops) {
  absl::MutexLock lock(&mu_);
  crash_after_ = ops;
  crashed_ = false;
}

bool FaultFileSystem::crashed() const {
  absl::MutexLock lock(&mu_);
  return crashed_;
}

void FaultFileSystem::FailAppendsAfter(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  append_budget_ = bytes;
}

int64_t FaultFileSystem::mutating_ops() const {
  absl::MutexLock lock(&mu_);
  return ops_;
}

int64_t FaultFileSystem::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

absl::Status FaultFileSystem::Step() {
  absl::MutexLock lock(&mu_);
  if (crash_after_ == 0 || crashed_) {
    crashed_ = true;
    return absl::UnavailableError("simulated crash");
  }
  if (crash_after_ > 0) --crash_after_;
  ++ops_;
  return absl::OkStatus();
}

absl::Status FaultFileSystem::WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) {
  VIGIL_RETURN_IF_ERROR(Step());
  return base_->WriteFileAtomic(path, contents, sync);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultFileSystem::OpenAppendable(std::string_view path) {
  VIGIL_RETURN_IF_ERROR(Step());
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->OpenAppendable(path));
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, std::move(file)));
}

absl::Status FaultFileSystem::CreateDirs(std::string_view path) {
  VIGIL_RETURN_IF_ERROR(Step());
  return base_->CreateDirs(path);
}

absl::Status FaultFileSystem::Remove(std::string_view path) {
  VIGIL_RETURN_IF_ERROR(Step());
  return base_->Remove(path);
}

absl::Status FaultFileSystem::Rename(std::string_view from, std::string_view to) {
  VIGIL_RETURN_IF_ERROR(Step());
  absl::StatusOr<FileInfo> info = base_->Stat(from);
  if (!info.ok() || !info->is_dir) return base_->Rename(from, to);
  // rename(2) of a directory, as one step: POSIX refuses a non-empty target.
  if (base_->Exists(to)) {
    absl::StatusOr<std::vector<std::string>> existing = base_->ListDir(to);
    if (!existing.ok() || !existing->empty()) {
      return absl::FailedPreconditionError(absl::StrCat("rename ", AV(from), " -> ", AV(to), ": Directory not empty"));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, base_->ListDir(from));
  VIGIL_RETURN_IF_ERROR(base_->CreateDirs(to));
  for (const std::string& name : names) {
    VIGIL_RETURN_IF_ERROR(base_->Rename(JoinPath(from, name), JoinPath(to, name)));
  }
  return base_->Remove(from);
}

absl::Status FaultFileSystem::Truncate(std::string_view path, uint64_t size) {
  VIGIL_RETURN_IF_ERROR(Step());
  return base_->Truncate(path, size);
}

absl::Status FaultFileSystem::SyncDir(std::string_view path) {
  VIGIL_RETURN_IF_ERROR(Step());
  return base_->SyncDir(path);
}

}  // namespace vigil::wal
