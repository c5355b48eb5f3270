#include "agent/collectors/cgroup/file_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace vigil::agent::cgroup {

DirFd::DirFd(const char* path) : fd_(::open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) {}

DirFd& DirFd::operator=(DirFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

DirFd::~DirFd() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileReader::Read(int dir_fd, const char* name, std::string_view* out) {
  vanished_ = false;
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // ENOENT on a file of a live cgroup only means "controller not enabled"; the caller checks the directory.
    vanished_ = errno == ENODEV || errno == ESRCH;
    return false;
  }
  size_t len = 0;
  bool ok = true;
  while (true) {
    if (len == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n = ::read(fd, buf_.data() + len, buf_.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      // A cgroup removed between open and read answers ENODEV; a process gone, ESRCH.
      vanished_ = errno == ENODEV || errno == ESRCH || errno == ENOENT;
      ok = false;
      break;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  if (!ok) return false;
  *out = std::string_view(buf_.data(), len);
  return true;
}

}  // namespace vigil::agent::cgroup
