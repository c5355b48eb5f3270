// Where the cgroup hierarchies of a host live under its cgroup root, and in which mode the host runs them:
//   kV2      one unified tree at the root ("/sys/fs/cgroup/cgroup.controllers" exists)
//   kV1      one tree per controller ("/sys/fs/cgroup/memory", "cpu,cpuacct" or "cpu" and "cpuacct", ...)
//   kHybrid  v1 controllers plus an otherwise empty v2 tree at "<root>/unified" (systemd's hybrid mode), where
//            the kernel still publishes PSI files per cgroup
// The same cgroup has the same path in every hierarchy, so a container is one path whatever the mode.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_LAYOUT_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_LAYOUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::agent::cgroup {

enum class CgroupMode { kV2, kV1, kHybrid };

// "v2", "v1", "hybrid".
std::string_view CgroupModeName(CgroupMode mode);

struct CgroupLayout {
  CgroupMode mode = CgroupMode::kV2;
  // The v2 tree: the root itself (kV2), "<root>/unified" (kHybrid), empty (kV1).
  std::string unified;
  // v1 hierarchy directories; empty when the controller is not mounted. cpu and cpuacct are the same directory
  // when the two are co-mounted ("cpu,cpuacct").
  std::string cpu;
  std::string cpuacct;
  std::string memory;
  std::string blkio;
  std::string pids;

  // The directories whose union of sub-directories is the set of cgroups (v2: the tree; v1: each distinct
  // controller hierarchy the collector reads).
  std::vector<std::string> WalkRoots() const;
  // Where a cgroup's cgroup.procs is read (v2: the tree; v1: pids, else memory, else cpu, else cpuacct).
  const std::string& ProcsRoot() const;
};

// Inspects `root` (normally "/sys/fs/cgroup"). NotFound when it holds neither a v2 tree nor a v1 controller.
absl::StatusOr<CgroupLayout> DetectCgroupLayout(std::string_view root);

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_LAYOUT_H_
