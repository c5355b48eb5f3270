#include "agent/collectors/cgroup/cgroup_layout.h"

#include <unistd.h>

#include <algorithm>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vigil::agent::cgroup {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The first of `names` under `root` that holds `marker` (a file only that controller's hierarchy has).
std::string FindHierarchy(const std::string& root, std::initializer_list<const char*> names, const char* marker) {
  for (const char* n : names) {
    std::string dir = absl::StrCat(root, "/", n);
    if (Exists(absl::StrCat(dir, "/", marker))) return dir;
  }
  return "";
}

}  // namespace

std::string_view CgroupModeName(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::kV2:
      return "v2";
    case CgroupMode::kV1:
      return "v1";
    case CgroupMode::kHybrid:
      return "hybrid";
  }
  return "";
}

std::vector<std::string> CgroupLayout::WalkRoots() const {
  if (mode == CgroupMode::kV2) return {unified};
  std::vector<std::string> roots;
  for (const std::string* d : {&memory, &cpu, &cpuacct, &pids, &blkio}) {
    if (!d->empty() && std::find(roots.begin(), roots.end(), *d) == roots.end()) roots.push_back(*d);
  }
  return roots;
}

const std::string& CgroupLayout::ProcsRoot() const {
  if (mode == CgroupMode::kV2) return unified;
  for (const std::string* d : {&pids, &memory, &cpu, &cpuacct, &blkio}) {
    if (!d->empty()) return *d;
  }
  return unified;
}

absl::StatusOr<CgroupLayout> DetectCgroupLayout(std::string_view root_view) {
  std::string root(root_view);
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  CgroupLayout layout;
  if (Exists(root + "/cgroup.controllers")) {
    layout.mode = CgroupMode::kV2;
    layout.unified = root;
    return layout;
  }
  layout.cpu = FindHierarchy(root, {"cpu", "cpu,cpuacct", "cpuacct,cpu"}, "cpu.shares");
  layout.cpuacct = FindHierarchy(root, {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"}, "cpuacct.usage");
  layout.memory = FindHierarchy(root, {"memory"}, "memory.usage_in_bytes");
  layout.blkio = FindHierarchy(root, {"blkio"}, "cgroup.procs");
  layout.pids = FindHierarchy(root, {"pids"}, "cgroup.procs");
  if (layout.cpu.empty() && layout.cpuacct.empty() && layout.memory.empty() && layout.blkio.empty() &&
      layout.pids.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no cgroup hierarchy under ", root,
                     ": neither cgroup.controllers (v2) nor cpu, cpuacct, memory, blkio or pids directories (v1)"));
  }
  layout.mode = CgroupMode::kV1;
  if (Exists(root + "/unified/cgroup.controllers")) {
    layout.mode = CgroupMode::kHybrid;
    layout.unified = root + "/unified";
  }
  return layout;
}

}  // namespace vigil::agent::cgroup
