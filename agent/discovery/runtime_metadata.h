// Container metadata read from the files container runtimes keep on the node, so the agent labels containers
// without calling the Kubernetes or runtime APIs:
//   Docker (incl. cri-dockerd): /var/lib/docker/containers/<id>/config.v2.json (+ hostconfig.json)
//   containerd (CRI):           /run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json
//   CRI-O:                      /run/containers/storage/overlay-containers/<id>/userdata/config.json
// The last two are OCI runtime specs whose "annotations" carry the CRI's pod and container names.
#ifndef VIGIL_AGENT_DISCOVERY_RUNTIME_METADATA_H_
#define VIGIL_AGENT_DISCOVERY_RUNTIME_METADATA_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::agent::discovery {

// What one runtime file says about a container. Empty strings are unknown.
struct RuntimeMetadata {
  std::string name;  // Docker's container name without the leading "/"; empty for OCI specs.
  std::string image;
  std::string container;  // Kubernetes container name.
  std::string pod;
  std::string namespace_name;
  std::string pod_uid;
  bool sandbox = false;         // the pod's sandbox (pause) container
  bool shares_network = false;  // Docker network mode "host" or "container:<id>": no network of its own
  // Docker's Config.Labels, sorted by key (the source of cAdvisor's container_label_* series).
  std::vector<std::pair<std::string, std::string>> labels;
};

// Parses Docker's config.v2.json and, when non-empty, hostconfig.json. Errors say which file and why.
absl::StatusOr<RuntimeMetadata> ParseDockerConfig(std::string_view config_v2_json, std::string_view hostconfig_json);

// Parses an OCI runtime spec written by containerd's CRI plugin or CRI-O and reads their annotations.
absl::StatusOr<RuntimeMetadata> ParseOciSpec(std::string_view config_json);

}  // namespace vigil::agent::discovery

#endif  // VIGIL_AGENT_DISCOVERY_RUNTIME_METADATA_H_
