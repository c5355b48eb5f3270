// Reads small kernel files (cgroupfs, procfs, sysfs) into one reused buffer, so a collection cycle of thousands
// of reads allocates nothing once the buffer has grown. Files are opened relative to a directory descriptor so
// the kernel resolves the cgroup's path once per cgroup, not once per file.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_FILE_READER_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_FILE_READER_H_

#include <string>
#include <string_view>
#include <vector>

namespace vigil::agent::cgroup {

// An open directory, closed on destruction. Invalid (fd() < 0) when the open failed.
class DirFd {
 public:
  DirFd() = default;
  // Opens directory `path` (O_PATH). errno tells why when invalid.
  explicit DirFd(const char* path);
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  DirFd(DirFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DirFd& operator=(DirFd&& o) noexcept;
  ~DirFd();

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Not thread-safe; one per collector.
class FileReader {
 public:
  // Reads all of file `name` in directory `dir_fd` (or absolute `name` when dir_fd is AT_FDCWD). The view stays
  // valid until the next Read. False when the file does not exist or cannot be read (a vanished cgroup: ENOENT,
  // ENODEV); `vanished()` then says whether the directory itself is gone.
  bool Read(int dir_fd, const char* name, std::string_view* out);

  // After a failed Read: true when the failure means the cgroup (or process) disappeared, not just that the file
  // is absent in this configuration.
  bool vanished() const { return vanished_; }

 private:
  std::vector<char> buf_ = std::vector<char>(16 * 1024);
  bool vanished_ = false;
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_FILE_READER_H_
