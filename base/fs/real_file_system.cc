// POSIX implementation of FileSystem.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/fs/file_system.h"
#include "base/strings/absl_view.h"

namespace vigil {
namespace {

absl::Status ErrnoError(std::string_view op, std::string_view path, int err) {
  std::string msg = absl::StrCat(AV(op), " ", AV(path), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("append ", path_, ": file is closed"));
    absl::Status s = WriteAll(fd_, data, path_);
    if (s.ok()) size_ += data.size();
    return s;
  }

  absl::Status Sync() override {
    if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("sync ", path_, ": file is closed"));
    if (::fdatasync(fd_) != 0) return ErrnoError("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("close ", path_, ": file is closed"));
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return ErrnoError("close", path_, errno);
    return absl::OkStatus();
  }

  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixReadableFile : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }

  absl::Status ReadAt(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        out->clear();
        return ErrnoError("read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoError("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileSystem : public FileSystem {
 public:
  absl::StatusOr<std::string> ReadFile(std::string_view path) override {
    std::string p(path);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", p, errno);
    FdCloser closer(fd);
    std::string out;
    char buf[64 * 1024];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("read", p, errno);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  absl::Status WriteFileAtomic(std::string_view path, std::string_view contents, bool sync) override {
    static std::atomic<uint64_t> counter{0};
    std::string target(path);
    std::string tmp = absl::StrCat(target, ".tmp.", ::getpid(), ".", counter.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoError("open", tmp, errno);
    absl::Status s = WriteAll(fd, contents, tmp);
    if (s.ok() && sync && ::fsync(fd) != 0) s = ErrnoError("fsync", tmp, errno);
    if (::close(fd) != 0 && s.ok()) s = ErrnoError("close", tmp, errno);
    if (s.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) s = ErrnoError("rename", target, errno);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    return sync ? SyncDir(DirName(target)) : absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> OpenAppendable(std::string_view path) override {
    std::string p(path);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoError("open", p, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("stat", p, err);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(p, fd, static_cast<uint64_t>(st.st_size)));
  }

  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(std::string_view path) override {
    std::string p(path);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", p, errno);
    return std::unique_ptr<ReadableFile>(new PosixReadableFile(p, fd));
  }

  absl::StatusOr<std::vector<std::string>> ListDir(std::string_view path) override {
    std::string p(path);
    DIR* dir = ::opendir(p.c_str());
    if (dir == nullptr) return ErrnoError("opendir", p, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return ErrnoError("readdir", p, err);
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::StatusOr<FileInfo> Stat(std::string_view path) override {
    std::string p(path);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return ErrnoError("stat", p, errno);
    FileInfo info;
    info.size = static_cast<uint64_t>(st.st_size);
    info.is_dir = S_ISDIR(st.st_mode);
    info.mtime = absl::TimeFromTimespec(st.st_mtim);
    info.device = static_cast<uint64_t>(st.st_dev);
    info.inode = static_cast<uint64_t>(st.st_ino);
    return info;
  }

  bool Exists(std::string_view path) override {
    std::string p(path);
    return ::access(p.c_str(), F_OK) == 0;
  }

  absl::Status CreateDirs(std::string_view path) override {
    std::string p(path);
    if (p.empty()) return absl::InvalidArgumentError("mkdir: empty path");
    for (size_t i = 1; i <= p.size(); ++i) {
      if (i != p.size() && p[i] != '/') continue;
      std::string prefix = p.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("mkdir", prefix, errno);
    }
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return ErrnoError("stat", p, errno);
    if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(absl::StrCat("mkdir ", p, ": not a directory"));
    return absl::OkStatus();
  }

  absl::Status Remove(std::string_view path) override {
    std::string p(path);
    if (::remove(p.c_str()) != 0) return ErrnoError("remove", p, errno);
    return absl::OkStatus();
  }

  absl::Status Rename(std::string_view from, std::string_view to) override {
    std::string f(from), t(to);
    if (::rename(f.c_str(), t.c_str()) != 0) return ErrnoError("rename", absl::StrCat(f, " -> ", t), errno);
    return absl::OkStatus();
  }

  absl::Status Truncate(std::string_view path, uint64_t size) override {
    std::string p(path);
    if (::truncate(p.c_str(), static_cast<off_t>(size)) != 0) return ErrnoError("truncate", p, errno);
    return absl::OkStatus();
  }

  absl::Status SyncDir(std::string_view path) override {
    std::string p(path);
    int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", p, errno);
    FdCloser closer(fd);
    if (::fsync(fd) != 0) return ErrnoError("fsync", p, errno);
    return absl::OkStatus();
  }
};

}  // namespace

FileSystem* RealFileSystem() {
  static FileSystem* const fs = new PosixFileSystem();
  return fs;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  while (a.size() > 1 && a.back() == '/') a.remove_suffix(1);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  if (a == "/") return absl::StrCat("/", AV(b));
  return absl::StrCat(AV(a), "/", AV(b));
}

std::string_view DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace vigil
