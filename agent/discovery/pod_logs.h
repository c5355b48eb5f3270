// Pod and container names from the kubelet's log directories (contract §5.5), the one metadata source every
// Kubernetes node has whatever its runtime:
//   /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log      pod UID -> namespace, pod
//   /var/log/containers/<pod>_<namespace>_<container>-<id>.log     container ID -> namespace, pod, container
// The pod sandbox has no log, so a container ID missing from the second directory while its pod is in the
// first is (after a short grace period, see ContainerDiscovery) the sandbox.
#ifndef VIGIL_AGENT_DISCOVERY_POD_LOGS_H_
#define VIGIL_AGENT_DISCOVERY_POD_LOGS_H_

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/fs/file_system.h"

namespace vigil::agent::discovery {

// One pod directory's identity.
struct PodLogRef {
  std::string namespace_name;
  std::string pod;
};

// One container log symlink's identity.
struct ContainerLogRef {
  std::string namespace_name;
  std::string pod;
  std::string container;
};

// Splits a /var/log/pods entry "<namespace>_<pod>_<uid>". Namespaces and pod names are DNS names (no '_'), so
// the split is unambiguous. False for anything else.
bool ParsePodLogDirName(std::string_view name, PodLogRef* ref, std::string* uid);

// Splits a /var/log/containers entry "<pod>_<namespace>_<container>-<containerID>.log". False for anything else.
bool ParseContainerLogName(std::string_view name, ContainerLogRef* ref, std::string* container_id);

// An index over both directories. Not thread-safe (ContainerDiscovery serialises access).
class PodLogIndex {
 public:
  // Either directory may be empty (not configured) or absent on this node.
  PodLogIndex(FileSystem* fs, std::string pods_dir, std::string containers_dir);

  // Re-lists both directories, replacing the index. Unreadable directories give an empty index.
  void Rescan();

  // Null when unknown. Pointers stay valid until the next Rescan.
  const PodLogRef* FindPod(std::string_view uid) const;
  const ContainerLogRef* FindContainer(std::string_view container_id) const;

  // Whether the containers directory could be listed at the last Rescan: only then does a missing container ID
  // say anything.
  bool has_container_logs() const { return has_container_logs_; }

 private:
  FileSystem* fs_;
  std::string pods_dir_;
  std::string containers_dir_;
  bool has_container_logs_ = false;
  absl::flat_hash_map<std::string, PodLogRef> pods_;
  absl::flat_hash_map<std::string, ContainerLogRef> containers_;
};

}  // namespace vigil::agent::discovery

#endif  // VIGIL_AGENT_DISCOVERY_POD_LOGS_H_
