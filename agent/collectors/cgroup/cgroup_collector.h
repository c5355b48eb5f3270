// The agent's container metrics collector, a cAdvisor replacement: one row of container_* series per cgroup,
// with cAdvisor's names, types, units and formulas and the kubelet's label set (contract §5.1, §5.2), read from
// cgroup v2, v1 or hybrid hierarchies.
//
//   discovery::ContainerDiscovery discovery({});
//   CgroupCollectorOptions options;
//   options.include = {"/", "/kubepods.*", "/system\\.slice/.*"};
//   options.discovery = &discovery;
//   VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<CgroupCollector> c, CgroupCollector::Create(options));
//   c->Collect(&sink);  // once per cycle, on the collection thread
//
// A cycle walks the hierarchies (cgroups appear and vanish between cycles), reads each included cgroup's files
// into reused buffers, and then writes family by family, so every family is started once per cycle. A cgroup
// that vanishes mid-read is skipped silently.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_COLLECTOR_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_COLLECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "agent/collector/collector.h"
#include "agent/collectors/cgroup/block_devices.h"
#include "agent/collectors/cgroup/cgroup_layout.h"
#include "agent/collectors/cgroup/cgroup_stats.h"
#include "agent/discovery/container_discovery.h"
#include "re2/re2.h"

namespace vigil::agent::cgroup {

struct CgroupCollectorOptions {
  // The host's cgroup mount point; layout (v2, v1, hybrid) is detected under it.
  std::string cgroup_root = "/sys/fs/cgroup";
  // The host's /proc (for /proc/<pid>/net/dev of pod sandboxes and /proc/partitions) and /sys (block device
  // names). A DaemonSet mounts the host's under e.g. /host/proc.
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  // RE2 patterns matched against the whole cgroup path ("/kubepods.slice/…"; the machine is "/"). A cgroup is
  // exported when it matches some `include` pattern (or `include` is empty) and no `exclude` pattern. Children of
  // a cgroup that is not exported are still considered.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Runtime labels (Docker's Config.Labels, e.g. "com.example.team") exported as extra labels named
  // container_label_<key with characters outside [a-zA-Z0-9_] replaced by '_'>, like cAdvisor's
  // --whitelisted_container_labels. Empty: none (the kubelet's style).
  std::vector<std::string> label_allowlist;
  // Supplies name/image/container/pod/namespace labels. Not owned; may be shared with other users (thread-safe).
  // Null: only the `id` label.
  discovery::ContainerDiscovery* discovery = nullptr;
};

class CgroupCollector : public Collector {
 public:
  // Detects the layout under options.cgroup_root and compiles the patterns. Errors: no cgroup hierarchy there,
  // an invalid pattern (quoted, with RE2's reason).
  static absl::StatusOr<std::unique_ptr<CgroupCollector>> Create(CgroupCollectorOptions options);

  ~CgroupCollector() override;

  std::string_view name() const override { return "cgroup"; }
  absl::Status Collect(MetricSink* sink) override;

  const CgroupLayout& layout() const { return layout_; }
  // Cgroups seen by the last walk (exported or not).
  size_t cgroup_count() const { return entries_.size(); }

 private:
  struct Entry;

  CgroupCollector(CgroupCollectorOptions options, CgroupLayout layout);

  absl::Status Walk();
  void WalkDir(int dir_fd, size_t depth);
  void Visit();
  bool Included(std::string_view path) const;
  void BuildLabels(Entry* e);
  void Emit(MetricSink* sink);

  const CgroupCollectorOptions options_;
  const CgroupLayout layout_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  CgroupStatsReader reader_;
  BlockDeviceNames devices_;
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> entries_;
  std::vector<Entry*> order_;  // included entries, sorted by path
  bool order_dirty_ = true;
  uint64_t generation_ = 0;
  uint64_t cycles_ = 0;
  std::vector<std::string> allowlist_names_;  // container_label_<sanitized>, parallel to label_allowlist
  std::string walk_path_;
  std::vector<std::vector<char>> dirent_buffers_;  // one per walk depth
  std::vector<Label> label_buf_;
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_COLLECTOR_H_
