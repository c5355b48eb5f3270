#include "base/fs/in_memory_file_system.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil {
namespace {

// Paths are normalised so "a//b/" and "a/b" are the same key.
std::string Normalize(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

absl::Status NotFound(std::string_view op, std::string_view path) {
  return absl::NotFoundError(absl::StrCat(AV(op), " ", AV(path), ": No such file or directory"));
}

}  // namespace

class InMemoryWritableFile : public WritableFile {
 public:
  InMemoryWritableFile(InMemoryFileSystem* fs, std::string path, std::shared_ptr<InMemoryFileSystem::FileData> data)
      : fs_(fs), path_(std::move(path)), data_(std::move(data)) {}

  absl::Status Append(std::string_view bytes) override {
    absl::MutexLock lock(&fs_->mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("append ", path_, ": file is closed"));
    if (absl::Status s = fs_->CheckWritable(); !s.ok()) return Annotate(s);
    data_->bytes.append(bytes);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    absl::MutexLock lock(&fs_->mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("sync ", path_, ": file is closed"));
    data_->synced = data_->bytes.size();
    return absl::OkStatus();
  }
  absl::Status Close() override {
    absl::MutexLock lock(&fs_->mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("close ", path_, ": file is closed"));
    closed_ = true;
    return absl::OkStatus();
  }
  uint64_t Size() const override {
    absl::MutexLock lock(&fs_->mu_);
    return data_->bytes.size();
  }

 private:
  absl::Status Annotate(const absl::Status& s) const {
    return absl::Status(s.code(), absl::StrCat("write ", path_, ": ", AV(SV(s.message()))));
  }

  InMemoryFileSystem* fs_;
  std::string path_;
  std::shared_ptr<InMemoryFileSystem::FileData> data_;
  bool closed_ = false;
};

namespace {

class InMemoryReadableFile : public ReadableFile {
 public:
  InMemoryReadableFile(absl::Mutex* mu, std::shared_ptr<InMemoryFileSystem::FileData> data)
      : mu_(mu), data_(std::move(data)) {}

  absl::Status ReadAt(uint64_t offset, size_t n, std::string* out) const override {
    absl::MutexLock lock(mu_);
    out->clear();
    if (offset < data_->bytes.size()) out->assign(data_->bytes, offset, n);
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Size() const override {
    absl::MutexLock lock(mu_);
    return data_->bytes.size();
  }

 private:
  absl::Mutex* mu_;
  std::shared_ptr<InMemoryFileSystem::FileData> data_;
};

}  // namespace

InMemoryFileSystem::InMemoryFileSystem() {
  dirs_.insert("/");
  dirs_.insert(".");
}

absl::Status InMemoryFileSystem::CheckWritable() const { return write_error_; }

bool InMemoryFileSystem::ParentExists(const std::string& path) const {
  return dirs_.count(std::string(DirName(path))) > 0;
}

absl::StatusOr<std::string> InMemoryFileSystem::ReadFile(std::string_view path) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("open", path);
  return it->second->bytes;
}

absl::Status InMemoryFileSystem::WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  if (!ParentExists(p)) return NotFound("open", path);
  if (absl::Status s = CheckWritable(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("write ", p, ": ", AV(SV(s.message()))));
  }
  auto data = std::make_shared<FileData>();
  data->bytes.assign(contents);
  data->synced = sync ? contents.size() : 0;
  data->inode = next_inode_++;
  files_[p] = std::move(data);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WritableFile>> InMemoryFileSystem::OpenAppendable(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  if (dirs_.count(p)) return absl::FailedPreconditionError(absl::StrCat("open ", p, ": is a directory"));
  if (!ParentExists(p)) return NotFound("open", path);
  std::shared_ptr<FileData>& data = files_[p];
  if (data == nullptr) {
    data = std::make_shared<FileData>();
    data->inode = next_inode_++;
  }
  return std::unique_ptr<WritableFile>(new InMemoryWritableFile(this, p, data));
}

absl::StatusOr<std::unique_ptr<ReadableFile>> InMemoryFileSystem::OpenReadable(std::string_view path) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("open", path);
  return std::unique_ptr<ReadableFile>(new InMemoryReadableFile(&mu_, it->second));
}

absl::StatusOr<std::vector<std::string>> InMemoryFileSystem::ListDir(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string dir = Normalize(path);
  if (!dirs_.count(dir)) return NotFound("opendir", path);
  std::set<std::string> names;
  auto collect = [&](const std::string& p) {
    if (p != dir && DirName(p) == dir) {
      size_t slash = p.rfind('/');
      names.insert(slash == std::string::npos ? p : p.substr(slash + 1));
    }
  };
  for (const auto& [p, data] : files_) collect(p);
  for (const std::string& d : dirs_) collect(d);
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<FileInfo> InMemoryFileSystem::Stat(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  FileInfo info;
  if (dirs_.count(p)) {
    info.is_dir = true;
    return info;
  }
  auto it = files_.find(p);
  if (it == files_.end()) return NotFound("stat", path);
  info.size = it->second->bytes.size();
  info.inode = it->second->inode;
  info.device = 1;
  return info;
}

bool InMemoryFileSystem::Exists(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  return dirs_.count(p) > 0 || files_.count(p) > 0;
}

absl::Status InMemoryFileSystem::CreateDirs(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  if (p.empty()) return absl::InvalidArgumentError("mkdir: empty path");
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i != p.size() && p[i] != '/') continue;
    std::string prefix = p.substr(0, i);
    if (files_.count(prefix)) return absl::FailedPreconditionError(absl::StrCat("mkdir ", prefix, ": not a directory"));
    dirs_.insert(prefix);
  }
  return absl::OkStatus();
}

absl::Status InMemoryFileSystem::Remove(std::string_view path) {
  absl::MutexLock lock(&mu_);
  std::string p = Normalize(path);
  if (files_.erase(p)) return absl::OkStatus();
  if (!dirs_.count(p)) return NotFound("remove", path);
  std::string prefix = p + "/";
  for (const auto& [f, data] : files_) {
    if (absl::StartsWith(f, prefix)) {
      return absl::FailedPreconditionError(absl::StrCat("remove ", p, ": Directory not empty"));
    }
  }
  for (const std::string& d : dirs_) {
    if (absl::StartsWith(d, prefix)) {
      return absl::FailedPreconditionError(absl::StrCat("remove ", p, ": Directory not empty"));
    }
  }
  dirs_.erase(p);
  return absl::OkStatus();
}

absl::Status InMemoryFileSystem::Rename(std::string_view from, std::string_view to) {
  absl::MutexLock lock(&mu_);
  std::string f = Normalize(from), t = Normalize(to);
  if (dirs_.count(f)) {
    // A directory moves with everything under it (POSIX rename(2) of a directory).
    if (!ParentExists(t)) return NotFound("rename", absl::StrCat(AV(from), " -> ", AV(to)));
    if (files_.count(t))
      return absl::FailedPreconditionError(absl::StrCat("rename ", f, " -> ", t, ": Not a directory"));
    std::string prefix = f + "/";
    std::map<std::string, std::shared_ptr<FileData>> moved_files;
    for (auto fit = files_.begin(); fit != files_.end();) {
      if (absl::StartsWith(fit->first, prefix)) {
        moved_files[t + fit->first.substr(f.size())] = std::move(fit->second);
        fit = files_.erase(fit);
      } else {
        ++fit;
      }
    }
    std::set<std::string> moved_dirs;
    for (auto dit = dirs_.begin(); dit != dirs_.end();) {
      if (*dit == f || absl::StartsWith(*dit, prefix)) {
        moved_dirs.insert(t + dit->substr(f.size()));
        dit = dirs_.erase(dit);
      } else {
        ++dit;
      }
    }
    for (auto& [p, d] : moved_files) files_[p] = std::move(d);
    dirs_.insert(moved_dirs.begin(), moved_dirs.end());
    return absl::OkStatus();
  }
  auto it = files_.find(f);
  if (it == files_.end()) return NotFound("rename", absl::StrCat(AV(from), " -> ", AV(to)));
  if (!ParentExists(t)) return NotFound("rename", absl::StrCat(AV(from), " -> ", AV(to)));
  std::shared_ptr<FileData> data = std::move(it->second);
  files_.erase(it);
  files_[t] = std::move(data);
  return absl::OkStatus();
}

absl::Status InMemoryFileSystem::Truncate(std::string_view path, uint64_t size) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("truncate", path);
  it->second->bytes.resize(size);
  if (it->second->synced > size) it->second->synced = size;
  return absl::OkStatus();
}

absl::Status InMemoryFileSystem::SyncDir(std::string_view path) {
  absl::MutexLock lock(&mu_);
  if (!dirs_.count(Normalize(path))) return NotFound("open", path);
  return absl::OkStatus();
}

void InMemoryFileSystem::SetWriteError(absl::Status status) {
  absl::MutexLock lock(&mu_);
  write_error_ = std::move(status);
}

void InMemoryFileSystem::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  for (auto& [path, data] : files_) data->bytes.resize(data->synced);
}

}  // namespace vigil
