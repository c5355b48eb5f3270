// Names block devices the way cAdvisor labels container_fs_* series: device="/dev/<name>" for the
// "<major>:<minor>" the kernel writes in io.stat and blkio files. Names come from <sysfs>/dev/block/M:m/uevent
// (DEVNAME=), else <procfs>/partitions; a device neither knows keeps "M:m" so series stay distinct.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_BLOCK_DEVICES_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_BLOCK_DEVICES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "agent/collectors/cgroup/file_reader.h"

namespace vigil::agent::cgroup {

// Caches names for the process's lifetime (devices are rarely renumbered; an unknown device is looked up again
// at most once per Refresh). Not thread-safe.
class BlockDeviceNames {
 public:
  BlockDeviceNames(std::string sysfs, std::string procfs);

  // The label for device major:minor. The view is valid until the next Refresh.
  std::string_view Name(uint32_t major, uint32_t minor);

  // Lets devices named "M:m" (unknown at their last lookup) be looked up again.
  void Refresh();

 private:
  std::string Resolve(uint32_t major, uint32_t minor);

  std::string sysfs_;
  std::string procfs_;
  FileReader reader_;
  absl::flat_hash_map<uint64_t, std::string> names_;
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_BLOCK_DEVICES_H_
