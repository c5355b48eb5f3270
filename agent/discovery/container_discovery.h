// Container discovery: turns a cgroup path (or a PID) into the label set the kubelet puts on cAdvisor's
// container_* series — id, name, image, container, pod, namespace (contract §5.1) — from files on the node
// only: the cgroup path itself (§5.4), the kubelet's log directories (§5.5), and the runtimes' own state files
// (Docker config.v2.json, containerd/CRI-O OCI specs). No Kubernetes or runtime API is called.
//
//   ContainerDiscovery discovery({});                        // default host paths
//   auto info = discovery.Lookup("/kubepods/burstable/pod1f…/3a9c…");
//   info->pod, info->namespace_name, info->container, …
//   auto owner = discovery.LookupPid(4242);                  // for trace receivers: which pod owns this process
//
// Results are cached by cgroup path. An entry whose metadata was incomplete (a pod whose log directory does not
// exist yet, a container still starting) is resolved again after `retry_interval`; complete entries stay until
// Forget(). Thread-safe: the collector and the trace receivers share one instance.
#ifndef VIGIL_AGENT_DISCOVERY_CONTAINER_DISCOVERY_H_
#define VIGIL_AGENT_DISCOVERY_CONTAINER_DISCOVERY_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/discovery/cgroup_path.h"
#include "agent/discovery/pod_logs.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"

namespace vigil::agent::discovery {

// The labels and facts known about one cgroup. Immutable once returned (shared between threads).
struct ContainerInfo {
  std::string id;              // the cgroup path: label `id`
  std::string name;            // label `name`: the runtime's first alias (container ID; Docker's name; systemd unit)
  std::string image;           // label `image`
  std::string container;       // label `container`: Kubernetes container name ("" for sandbox, pod and others)
  std::string pod;             // label `pod`
  std::string namespace_name;  // label `namespace`
  std::string pod_uid;
  std::string container_id;
  CgroupKind kind = CgroupKind::kAggregate;
  Runtime runtime = Runtime::kUnknown;
  bool sandbox = false;  // the pod's sandbox (pause) container: where the pod's network metrics go
  // Whether the cgroup's processes live in a network namespace of their own that this row reports
  // (container_network_*): the root, pod sandboxes, standalone containers not sharing another's network.
  bool own_network = false;
  // Runtime labels (Docker Config.Labels), sorted by key.
  std::vector<std::pair<std::string, std::string>> runtime_labels;
  // False when some source was missing; the entry is resolved again after the retry interval.
  bool complete = true;
};

class ContainerDiscovery {
 public:
  struct Options {
    // Host paths; each may be pointed elsewhere (a DaemonSet mounts the host's under /host). Empty disables.
    std::string procfs = "/proc";
    std::string pod_logs_dir = "/var/log/pods";
    std::string container_logs_dir = "/var/log/containers";
    std::string docker_containers_dir = "/var/lib/docker/containers";
    std::vector<std::string> containerd_task_dirs = {"/run/containerd/io.containerd.runtime.v2.task/k8s.io"};
    std::vector<std::string> crio_container_dirs = {"/run/containers/storage/overlay-containers",
                                                    "/var/lib/containers/storage/overlay-containers"};
    // How long an incomplete entry is trusted before it is resolved again.
    absl::Duration retry_interval = absl::Seconds(10);
    // The log directories are re-listed at most this often, and only when a lookup misses.
    absl::Duration min_rescan_interval = absl::Seconds(1);
    Clock* clock = nullptr;    // null: RealClock()
    FileSystem* fs = nullptr;  // null: RealFileSystem()
  };

  explicit ContainerDiscovery(Options options);

  // The labels of cgroup `cgroup_path` ("/" for the root). Never null.
  std::shared_ptr<const ContainerInfo> Lookup(std::string_view cgroup_path);

  // The container owning process `pid`, via <procfs>/<pid>/cgroup: the line whose path names a container or pod
  // (any hierarchy), else the cgroup v2 line. NotFound when the process is gone.
  absl::StatusOr<std::shared_ptr<const ContainerInfo>> LookupPid(int pid);

  // Drops the cached entry of a cgroup that disappeared.
  void Forget(std::string_view cgroup_path);

  // Number of cached entries (for tests and self-metrics).
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const ContainerInfo> info;
    absl::Time resolved_at;
  };

  std::shared_ptr<const ContainerInfo> Resolve(std::string_view cgroup_path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills `info` from the runtime's state files; false when none was found.
  bool ReadRuntimeMetadata(ContainerInfo* info) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaybeRescanLogs() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  Clock* const clock_;
  FileSystem* const fs_;
  mutable absl::Mutex mu_;
  PodLogIndex logs_ ABSL_GUARDED_BY(mu_);
  bool logs_scanned_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_rescan_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::agent::discovery

#endif  // VIGIL_AGENT_DISCOVERY_CONTAINER_DISCOVERY_H_
