// Classifies a cgroup path the way the kubelet and container runtimes lay cgroups out (contract §5.4), so the
// agent can label container metrics without asking any API. Pure string work: no file is read.
//
//   ParsedCgroupPath p = ParseCgroupPath(
//       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12_34.slice/cri-containerd-ab12….scope");
//   p.kind == CgroupKind::kContainer; p.runtime == Runtime::kContainerd; p.pod_uid == "12-34";
#ifndef VIGIL_AGENT_DISCOVERY_CGROUP_PATH_H_
#define VIGIL_AGENT_DISCOVERY_CGROUP_PATH_H_

#include <string>
#include <string_view>

namespace vigil::agent::discovery {

// What a cgroup stands for.
enum class CgroupKind {
  kRoot,       // "/": the whole machine.
  kAggregate,  // slices, "kubepods", QoS levels, anything not recognised below.
  kPod,        // a Kubernetes pod's cgroup (aggregates its sandbox and containers).
  kContainer,  // a runtime container: inside a pod (app or sandbox) or standalone (Docker).
  kConmon,     // CRI-O's per-container monitor scope ("crio-conmon-<id>.scope").
  kService,    // a plain systemd unit outside Kubernetes ("/system.slice/sshd.service").
};

// The container runtime a container cgroup's name reveals.
enum class Runtime {
  kUnknown,     // no runtime prefix (cgroupfs driver: "/kubepods/burstable/pod<uid>/<id>")
  kContainerd,  // "cri-containerd-<id>.scope"
  kCrio,        // "crio-<id>.scope" or "crio-<id>"
  kDocker,      // "docker-<id>.scope" or "/docker/<id>"
};

// "containerd", "crio", "docker" or "" — for logs and tests.
std::string_view RuntimeName(Runtime runtime);
std::string_view CgroupKindName(CgroupKind kind);

// The result of ParseCgroupPath (owns its strings: discovery caches results, this is not a hot path).
struct ParsedCgroupPath {
  CgroupKind kind = CgroupKind::kAggregate;
  Runtime runtime = Runtime::kUnknown;
  // Container ID of a kContainer/kConmon cgroup.
  std::string container_id;
  // The pod UID with dashes (systemd writes it with underscores) for kPod and kContainer inside a pod.
  std::string pod_uid;
  // "burstable", "besteffort" or "" (guaranteed pods and non-Kubernetes cgroups).
  std::string qos;
  // The systemd unit ("sshd.service", "session-3.scope") of a kService cgroup.
  std::string unit;
};

// Classifies `path` (a cgroup path as in /proc/<pid>/cgroup: starts with "/", no trailing slash except the root).
// Never fails: what is not recognised is a kAggregate.
ParsedCgroupPath ParseCgroupPath(std::string_view path);

}  // namespace vigil::agent::discovery

#endif  // VIGIL_AGENT_DISCOVERY_CGROUP_PATH_H_
