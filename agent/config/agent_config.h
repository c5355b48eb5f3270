// vigil-agent's configuration: a YAML file (--config.file) overridden by command-line flags. Flags keep
// node_exporter's names where the meaning is the same (--web.listen-address, --path.procfs, --path.sysfs,
// --path.rootfs, --collector.<name> / --no-collector.<name>), so existing DaemonSet arguments carry over.
// docs/agent.md lists every option.
//
//   AgentConfig cfg;
//   FlagSet flags("vigil-agent", "...");
//   RegisterAgentFlags(&flags, &cfg, {"cgroup", "cpu", "meminfo"});
//   VIGIL_RETURN_IF_ERROR(flags.Parse(argc, argv));
//   VIGIL_RETURN_IF_ERROR(FinishAgentConfig(flags, &cfg));   // reads --config.file, applies flags, validates
#ifndef VIGIL_AGENT_CONFIG_AGENT_CONFIG_H_
#define VIGIL_AGENT_CONFIG_AGENT_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/flags/flags.h"

namespace vigil::agent {

// One remote_write destination.
struct RemoteWriteTarget {
  std::string url;
  // Longest wait for one request.
  absl::Duration timeout = absl::Seconds(30);
};

struct AgentConfig {
  // --config.file; empty: flags only.
  std::string config_file;

  // web
  std::string listen_address = "0.0.0.0:9102";

  // paths (node_exporter's --path.*), and where the kubelet and runtimes keep container metadata.
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  std::string udev_data = "/run/udev/data";
  std::string pod_logs_dir = "/var/log/pods";
  std::string container_logs_dir = "/var/log/containers";
  std::string docker_containers_dir = "/var/lib/docker/containers";

  // collection
  absl::Duration interval = absl::Seconds(15);
  // Every collector the binary has, by name -> whether it runs. RegisterAgentFlags fills it (all enabled).
  std::map<std::string, bool> collectors;

  // cgroup collector: RE2 patterns on cgroup paths (a cgroup is kept when it matches an include pattern, or there
  // are none, and no exclude pattern), and which runtime/pod labels become container_label_* (--label.allow).
  std::vector<std::string> cgroup_include;
  std::vector<std::string> cgroup_exclude;
  std::vector<std::string> label_allow;

  // node collectors (node_exporter's --collector.<name>.* filters); RE2, unanchored.
  std::string filesystem_mount_points_exclude;  // empty: node_exporter's default
  std::string filesystem_fs_types_exclude;      // empty: node_exporter's default
  std::string diskstats_device_exclude;         // empty: node_exporter's default
  std::string netdev_device_exclude;
  std::string netclass_device_exclude;

  // shipping
  std::vector<RemoteWriteTarget> remote_write;
  // Added to every shipped series (not to /metrics: a scraper adds its own target labels).
  std::map<std::string, std::string> external_labels;
  std::string queue_dir = "/var/lib/vigil-agent/queue";
  int64_t queue_max_bytes = int64_t{256} << 20;

  // traces: OTLP/HTTP endpoints the received spans are shipped to (e.g. "http://store:9201/v1/traces"); the OTLP
  // and Zipkin receivers run only when there is one. They are mounted on web.listen-address and on every
  // receivers.listen-address (e.g. "0.0.0.0:4318" for OTLP's usual port).
  std::vector<std::string> traces_urls;
  std::vector<std::string> receiver_listen_addresses;
  // k8s.node.name on received spans; empty: the external label "node", else the host name.
  std::string node_name;

  // logs: Loki push endpoints the tailed container logs are shipped to (e.g.
  // "http://store:9201/loki/api/v1/push"); the tailer runs only when there is one.
  std::vector<std::string> logs_urls;
  // Offsets the store acknowledged, per log file; keep it on the host (a hostPath) so a new pod resumes.
  std::string logs_positions_file = "/var/lib/vigil-agent/log-positions";
  // Longer lines are split into pieces of this size (Loki's max_line_size default).
  int64_t logs_max_line_bytes = int64_t{256} << 10;

  // log
  std::string log_level = "info";

  // Where the config came from and what it said, for logs.
  std::string config_text;

  // Raw values of the repeatable flags, folded into remote_write and external_labels by FinishAgentConfig.
  std::vector<std::string> flag_remote_write_urls;
  std::vector<std::string> flag_external_labels;
};

// k8s.node.name of received spans and the node label of shipped logs: node_name, else the external label "node",
// else the host name.
std::string EffectiveNodeName(const AgentConfig& cfg);

// Registers every flag on `flags`, bound to `cfg`'s fields (whose current values are the defaults), including
// --collector.<name> for each of `collector_names` (all enabled by default; --no-collector.<name> disables).
// `flags` and `cfg` must stay alive until FinishAgentConfig.
void RegisterAgentFlags(FlagSet* flags, AgentConfig* cfg, const std::vector<std::string_view>& collector_names);

// After flags.Parse: reads --config.file if given (errors "<file>:<line>:<col>: <key>: <reason>"), lets flags
// given on the command line override the file (repeatable flags replace the file's list), folds the
// --remote-write.url and --external-label flags in, and validates the result.
absl::Status FinishAgentConfig(const FlagSet& flags, AgentConfig* cfg);

// Parses "name=value,name=value" (--external-label) into `out`; later names replace earlier ones. Label names
// must be valid Prometheus label names not starting with "__"; values must be non-empty.
absl::Status ParseExternalLabels(std::string_view text, std::map<std::string, std::string>* out);

// Checks values that are valid alone but not in range or not together (interval, URLs, regexes, label names).
absl::Status ValidateAgentConfig(const AgentConfig& cfg);

// The names of the enabled collectors, sorted.
std::vector<std::string> EnabledCollectors(const AgentConfig& cfg);

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_CONFIG_AGENT_CONFIG_H_
