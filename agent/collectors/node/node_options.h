// Options and system seams for the node collectors (node_exporter-compatible `node_*` metrics).
//
//   agent::node::NodeOptions options;
//   options.procfs = "/host/root/proc";   // node_exporter's --path.procfs
//   options.sysfs = "/host/sys";          // --path.sysfs
//   options.rootfs = "/host/root";        // --path.rootfs
//   auto collectors = agent::node::NewNodeCollectors(options);
#ifndef VIGIL_AGENT_COLLECTORS_NODE_NODE_OPTIONS_H_
#define VIGIL_AGENT_COLLECTORS_NODE_NODE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/clock/clock.h"

namespace vigil::agent::node {

// node_exporter's default --collector.filesystem.mount-points-exclude.
inline constexpr char kDefaultMountPointsExclude[] =
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
// node_exporter's default --collector.filesystem.fs-types-exclude.
inline constexpr char kDefaultFsTypesExclude[] =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
    "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$";
// node_exporter's default --collector.diskstats.device-exclude: RAM disks, loop and floppy devices, partitions.
inline constexpr char kDefaultDiskDeviceExclude[] = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
// node_exporter's default --collector.vmstat.fields.
inline constexpr char kDefaultVmstatFields[] = "^(oom_kill|pgpg|pswp|pg.*fault).*";

// What statfs(2) says about a mounted file system (the fields node_filesystem_* needs).
struct StatfsResult {
  uint64_t block_size = 0;  // f_bsize
  uint64_t blocks = 0;
  uint64_t blocks_free = 0;
  uint64_t blocks_available = 0;  // for unprivileged users
  uint64_t files = 0;
  uint64_t files_free = 0;
};

// What uname(2) says (node_uname_info).
struct UnameResult {
  std::string sysname, nodename, release, version, machine, domainname;
};

// The system calls the collectors make besides reading files, so unit tests can run on fixture trees.
class NodeSystem {
 public:
  virtual ~NodeSystem() = default;
  // statfs(2) of `path`; an error for a file system that cannot be queried (node_filesystem_device_error 1).
  virtual absl::Status Statfs(const std::string& path, StatfsResult* out) = 0;
  // uname(2), with the Linux domainname ("(none)" when unset).
  virtual absl::Status Uname(UnameResult* out) = 0;
  // The local time zone's abbreviation ("UTC", "CEST") and its offset from UTC in seconds at `t`.
  virtual void TimeZone(absl::Time t, std::string* name, int64_t* offset_seconds) = 0;
};

// The real system calls. Never null, never destroyed.
NodeSystem* RealNodeSystem();

// How the node collectors find the host and what they leave out. Defaults match node_exporter's.
struct NodeOptions {
  // Where the host's procfs, sysfs and root file system are mounted (node_exporter's --path.procfs,
  // --path.sysfs, --path.rootfs). Mount points read from procfs are reported relative to `rootfs`.
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  // udev's device database (node_exporter's --path.udev.data), for node_disk_info's model/serial labels.
  std::string udev_data = "/run/udev/data";

  // Collectors to run, by name (see NodeCollectorNames()); empty runs the default set (all of them).
  std::vector<std::string> enabled;

  // RE2 patterns, searched (unanchored, like Go's MatchString) in the value; empty excludes nothing.
  std::string filesystem_mount_points_exclude = kDefaultMountPointsExclude;
  std::string filesystem_fs_types_exclude = kDefaultFsTypesExclude;
  std::string diskstats_device_exclude = kDefaultDiskDeviceExclude;
  std::string netdev_device_exclude;  // node_exporter excludes nothing by default (Debian: "^lo$")
  std::string netclass_device_exclude;
  std::string vmstat_fields = kDefaultVmstatFields;  // an include pattern

  // Seams; null means the real ones.
  Clock* clock = nullptr;
  NodeSystem* system = nullptr;
};

}  // namespace vigil::agent::node

#endif  // VIGIL_AGENT_COLLECTORS_NODE_NODE_OPTIONS_H_
