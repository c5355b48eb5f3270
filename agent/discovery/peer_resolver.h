// Finds the container behind a TCP peer, so the agent can label what a local application sends it (traces) with
// the application's pod, as OpenTelemetry's k8sattributes processor does by connection:
// - a peer in the agent's own network namespace (loopback, hostNetwork pods, processes on the node) by the
//   process owning the peer's socket: the line of <procfs>/net/tcp{,6} whose local address is the peer's
//   address gives the socket inode, a scan of <procfs>/<pid>/fd gives the process, its cgroup the container;
// - a peer in another network namespace (a pod with its own IP) by its IPv4 address: every network namespace's
//   local addresses (<procfs>/<pid>/net/fib_trie, one process per namespace) mapped to that process's pod.
// Answers are cached per peer address; the IP map is rebuilt on a miss at most every `ip_rescan_interval`.
// No Kubernetes API call: everything comes from /proc and the runtime's state (ContainerDiscovery).
#ifndef VIGIL_AGENT_DISCOVERY_PEER_RESOLVER_H_
#define VIGIL_AGENT_DISCOVERY_PEER_RESOLVER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/discovery/container_discovery.h"
#include "base/clock/clock.h"

namespace vigil::agent::discovery {

// One IPv4 or IPv6 peer as /proc/net/tcp{,6} prints local addresses: the hex of the address as the kernel stores
// it (four little-endian 32-bit words) and the port, e.g. "0100007F:1F90" for 127.0.0.1:8080. Empty on a
// malformed address. "ip:port" or "[ip]:port" in; IPv4-mapped IPv6 peers are converted to IPv4.
std::string ProcNetAddress(std::string_view peer_addr);

// The local (own) IPv4 addresses of a network namespace, from the text of its /proc/<pid>/net/fib_trie: the
// entries marked "/32 host LOCAL", loopback excluded.
std::vector<std::string> LocalAddressesFromFibTrie(std::string_view fib_trie);

// Who a peer is: its container, and whether only its pod is known (found by the pod's IP, which all the pod's
// containers share).
struct PeerResolution {
  std::shared_ptr<const ContainerInfo> info;  // null: not a container, or unknown
  bool by_pod_ip = false;
};

class PeerResolver {
 public:
  struct Options {
    std::string procfs = "/proc";
    // How long an answer for a peer address is kept (a keep-alive connection sends many requests).
    absl::Duration cache_ttl = absl::Seconds(60);
    // The pod IP map is rebuilt on a miss at most this often.
    absl::Duration ip_rescan_interval = absl::Seconds(15);
    Clock* clock = nullptr;  // null: RealClock()
  };

  // `discovery` must outlive the resolver.
  PeerResolver(ContainerDiscovery* discovery, Options options);

  // The container (for a pod IP: a container of the pod) that sent from `peer_addr` ("ip:port" or "[ip]:port",
  // as http::Request::remote_addr); info is null when it is none (a process outside any container, a remote
  // host) or cannot be told. Thread-safe.
  PeerResolution Resolve(std::string_view peer_addr);

 private:
  struct Cached {
    PeerResolution who;
    absl::Time at;
  };

  std::shared_ptr<const ContainerInfo> BySocketOwner(const std::string& proc_net_address);
  std::shared_ptr<const ContainerInfo> ByPodIp(std::string_view ip) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildIpMap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ContainerDiscovery* const discovery_;
  const Options options_;
  Clock* const clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<const ContainerInfo>> by_ip_ ABSL_GUARDED_BY(mu_);
  absl::Time ip_map_built_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace vigil::agent::discovery

#endif  // VIGIL_AGENT_DISCOVERY_PEER_RESOLVER_H_
