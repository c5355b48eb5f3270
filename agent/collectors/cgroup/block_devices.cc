#include "agent/collectors/cgroup/block_devices.h"

#include <fcntl.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/collectors/cgroup/stat_parse.h"

namespace vigil::agent::cgroup {

BlockDeviceNames::BlockDeviceNames(std::string sysfs, std::string procfs)
    : sysfs_(std::move(sysfs)), procfs_(std::move(procfs)) {}

std::string_view BlockDeviceNames::Name(uint32_t major, uint32_t minor) {
  const uint64_t key = (static_cast<uint64_t>(major) << 32) | minor;
  auto it = names_.find(key);
  if (it == names_.end()) it = names_.emplace(key, Resolve(major, minor)).first;
  return it->second;
}

void BlockDeviceNames::Refresh() {
  for (auto it = names_.begin(); it != names_.end();) {
    if (!it->second.empty() && it->second[0] != '/') {
      names_.erase(it++);
    } else {
      ++it;
    }
  }
}

std::string BlockDeviceNames::Resolve(uint32_t major, uint32_t minor) {
  std::string_view text;
  std::string path = absl::StrCat(sysfs_, "/dev/block/", major, ":", minor, "/uevent");
  if (reader_.Read(AT_FDCWD, path.c_str(), &text)) {
    size_t pos = text.find("DEVNAME=");
    if (pos != std::string_view::npos && (pos == 0 || text[pos - 1] == '\n')) {
      std::string_view v = text.substr(pos + 8);
      v = v.substr(0, v.find('\n'));
      if (!v.empty()) return absl::StrCat("/dev/", std::string(v));
    }
  }
  // /proc/partitions: "major minor  #blocks  name".
  path = absl::StrCat(procfs_, "/partitions");
  if (reader_.Read(AT_FDCWD, path.c_str(), &text)) {
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      std::string_view f[4];
      for (std::string_view& x : f) x = internal::NextField(&line);
      uint64_t ma = 0, mi = 0;
      if (ParseUint64(f[0], &ma) && ParseUint64(f[1], &mi) && ma == major && mi == minor && !f[3].empty()) {
        return absl::StrCat("/dev/", std::string(f[3]));
      }
    }
  }
  return absl::StrCat(major, ":", minor);
}

}  // namespace vigil::agent::cgroup
