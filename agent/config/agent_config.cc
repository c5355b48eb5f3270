#include "agent/config/agent_config.h"

#include <unistd.h>

#include <functional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/config/config.h"
#include "base/fs/file_system.h"
#include "base/log/log.h"
#include "base/metrics/registry.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "re2/re2.h"

namespace vigil::agent {
namespace {

// Pairs each flag with the config field it sets, so a field given as a flag keeps the flag's value over the
// file's.
struct FlagField {
  const char* flag;
  std::function<void(AgentConfig* to, const AgentConfig& from)> copy;
};

#define VIGIL_FLAG_FIELD(flag, field)                                              \
  FlagField {                                                                      \
    flag, [](AgentConfig* to, const AgentConfig& from) { to->field = from.field; } \
  }

const std::vector<FlagField>& FlagFields() {
  static const auto* fields = new std::vector<FlagField>{
      VIGIL_FLAG_FIELD("web.listen-address", listen_address),
      VIGIL_FLAG_FIELD("path.procfs", procfs),
      VIGIL_FLAG_FIELD("path.sysfs", sysfs),
      VIGIL_FLAG_FIELD("path.rootfs", rootfs),
      VIGIL_FLAG_FIELD("path.udev.data", udev_data),
      VIGIL_FLAG_FIELD("path.pod-logs", pod_logs_dir),
      VIGIL_FLAG_FIELD("path.container-logs", container_logs_dir),
      VIGIL_FLAG_FIELD("path.docker-containers", docker_containers_dir),
      VIGIL_FLAG_FIELD("collection.interval", interval),
      VIGIL_FLAG_FIELD("cgroup.include", cgroup_include),
      VIGIL_FLAG_FIELD("cgroup.exclude", cgroup_exclude),
      VIGIL_FLAG_FIELD("label.allow", label_allow),
      VIGIL_FLAG_FIELD("collector.filesystem.mount-points-exclude", filesystem_mount_points_exclude),
      VIGIL_FLAG_FIELD("collector.filesystem.fs-types-exclude", filesystem_fs_types_exclude),
      VIGIL_FLAG_FIELD("collector.diskstats.device-exclude", diskstats_device_exclude),
      VIGIL_FLAG_FIELD("collector.netdev.device-exclude", netdev_device_exclude),
      VIGIL_FLAG_FIELD("collector.netclass.device-exclude", netclass_device_exclude),
      VIGIL_FLAG_FIELD("queue.dir", queue_dir),
      VIGIL_FLAG_FIELD("queue.max-size", queue_max_bytes),
      VIGIL_FLAG_FIELD("traces.url", traces_urls),
      VIGIL_FLAG_FIELD("receivers.listen-address", receiver_listen_addresses),
      VIGIL_FLAG_FIELD("node.name", node_name),
      VIGIL_FLAG_FIELD("logs.url", logs_urls),
      VIGIL_FLAG_FIELD("logs.positions-file", logs_positions_file),
      VIGIL_FLAG_FIELD("logs.max-line-size", logs_max_line_bytes),
      VIGIL_FLAG_FIELD("log.level", log_level),
  };
  return *fields;
}

#undef VIGIL_FLAG_FIELD

absl::Status DecodeRemoteWrite(config::Object& obj, RemoteWriteTarget* target) {
  obj.Required("url", &target->url);
  obj.Optional("timeout", &target->timeout);
  return obj.Finish();
}

absl::Status DecodeAgent(config::Object& root, AgentConfig* cfg) {
  root.OptionalObject("web", [&](config::Object& web) {
    web.Optional("listen_address", &cfg->listen_address);
    return web.Finish();
  });
  root.OptionalObject("paths", [&](config::Object& paths) {
    paths.Optional("procfs", &cfg->procfs);
    paths.Optional("sysfs", &cfg->sysfs);
    paths.Optional("rootfs", &cfg->rootfs);
    paths.Optional("udev_data", &cfg->udev_data);
    paths.Optional("pod_logs", &cfg->pod_logs_dir);
    paths.Optional("container_logs", &cfg->container_logs_dir);
    paths.Optional("docker_containers", &cfg->docker_containers_dir);
    return paths.Finish();
  });
  root.OptionalObject("collection", [&](config::Object& collection) {
    collection.Optional("interval", &cfg->interval);
    return collection.Finish();
  });
  root.OptionalObject("collectors", [&](config::Object& collectors) {
    for (auto& [name, enabled] : cfg->collectors) collectors.Optional(name, &enabled);
    return collectors.Finish();
  });
  root.OptionalObject("cgroup", [&](config::Object& cgroup) {
    cgroup.Optional("include", &cfg->cgroup_include);
    cgroup.Optional("exclude", &cfg->cgroup_exclude);
    cgroup.Optional("label_allow", &cfg->label_allow);
    return cgroup.Finish();
  });
  root.OptionalObject("node", [&](config::Object& node) {
    node.Optional("filesystem_mount_points_exclude", &cfg->filesystem_mount_points_exclude);
    node.Optional("filesystem_fs_types_exclude", &cfg->filesystem_fs_types_exclude);
    node.Optional("diskstats_device_exclude", &cfg->diskstats_device_exclude);
    node.Optional("netdev_device_exclude", &cfg->netdev_device_exclude);
    node.Optional("netclass_device_exclude", &cfg->netclass_device_exclude);
    return node.Finish();
  });
  root.OptionalList("remote_write", &cfg->remote_write, DecodeRemoteWrite);
  if (root.Has("external_labels")) {
    std::map<std::string, std::string> labels;
    if (root.Optional("external_labels", &labels)) {
      for (const auto& [name, value] : labels) {
        if (absl::Status s = metrics::ValidateLabelName(name); !s.ok()) {
          root.AddError("external_labels", absl::StrCat("label ", AV(name), ": ", AV(SV(s.message()))));
        } else if (value.empty()) {
          root.AddError("external_labels", absl::StrCat("label ", AV(name), ": empty value"));
        }
      }
      cfg->external_labels = std::move(labels);
    }
  }
  root.OptionalObject("queue", [&](config::Object& queue) {
    queue.Optional("dir", &cfg->queue_dir);
    queue.Optional("max_size", &cfg->queue_max_bytes, config::ByteSize);
    return queue.Finish();
  });
  root.OptionalObject("traces", [&](config::Object& traces) {
    traces.Optional("urls", &cfg->traces_urls);
    traces.Optional("listen_addresses", &cfg->receiver_listen_addresses);
    return traces.Finish();
  });
  root.Optional("node_name", &cfg->node_name);
  root.OptionalObject("logs", [&](config::Object& logs) {
    logs.Optional("urls", &cfg->logs_urls);
    logs.Optional("positions_file", &cfg->logs_positions_file);
    logs.Optional("max_line_size", &cfg->logs_max_line_bytes, config::ByteSize);
    return logs.Finish();
  });
  root.OptionalObject("log", [&](config::Object& log) {
    log.Optional("level", &cfg->log_level);
    return log.Finish();
  });
  return root.Finish();
}

absl::Status ValidateRegexes(std::string_view what, const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    RE2 re(p, RE2::Quiet);
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(AV(what), ": invalid regular expression \"", p, "\": ", re.error()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterAgentFlags(FlagSet* flags, AgentConfig* cfg, const std::vector<std::string_view>& collector_names) {
  flags->String("config.file", &cfg->config_file, "vigil-agent configuration file (YAML); flags override it.");
  flags->String("web.listen-address", &cfg->listen_address,
                "Address to listen on for /metrics and the health checks (9102: next to node_exporter's 9100).");
  flags->String("path.procfs", &cfg->procfs, "procfs mountpoint (the host's /proc).");
  flags->String("path.sysfs", &cfg->sysfs, "sysfs mountpoint (the host's /sys; cgroups under <sysfs>/fs/cgroup).");
  flags->String("path.rootfs", &cfg->rootfs,
                "rootfs mountpoint (the host's /); mount points are reported relative "
                "to it.");
  flags->String("path.udev.data", &cfg->udev_data, "udev data path (node_disk_info).");
  flags->String("path.pod-logs", &cfg->pod_logs_dir, "The kubelet's pod log directory (pod metadata).");
  flags->String("path.container-logs", &cfg->container_logs_dir, "The kubelet's container log symlinks.");
  flags->String("path.docker-containers", &cfg->docker_containers_dir, "Docker's container state directory.");
  flags->Duration("collection.interval", &cfg->interval,
                  "How often collectors run; /metrics serves the latest cycle and each cycle is shipped once.");
  for (std::string_view name : collector_names) {
    bool& enabled = cfg->collectors.emplace(std::string(name), true).first->second;
    flags->Bool(absl::StrCat("collector.", AV(name)), &enabled,
                absl::StrCat("Enable the ", AV(name), " collector (--no-collector.", AV(name), " disables it)."));
  }
  flags->StringList("cgroup.include", &cfg->cgroup_include,
                    "Only cgroups whose path matches one of these regular expressions (repeatable; default all).");
  flags->StringList("cgroup.exclude", &cfg->cgroup_exclude,
                    "Leave out cgroups whose path matches this regular expression (repeatable).");
  flags->StringList("label.allow", &cfg->label_allow,
                    "Container runtime label exported as container_label_<name> (repeatable; default none).");
  flags->String("collector.filesystem.mount-points-exclude", &cfg->filesystem_mount_points_exclude,
                "Regexp of mount points to leave out (empty: node_exporter's default).");
  flags->String("collector.filesystem.fs-types-exclude", &cfg->filesystem_fs_types_exclude,
                "Regexp of file system types to leave out (empty: node_exporter's default).");
  flags->String("collector.diskstats.device-exclude", &cfg->diskstats_device_exclude,
                "Regexp of block devices to leave out (empty: node_exporter's default).");
  flags->String("collector.netdev.device-exclude", &cfg->netdev_device_exclude,
                "Regexp of network devices to leave out of node_network_* counters.");
  flags->String("collector.netclass.device-exclude", &cfg->netclass_device_exclude,
                "Regexp of network devices to leave out of /sys/class/net metrics.");
  flags->StringList("remote-write.url", &cfg->flag_remote_write_urls,
                    "Ship every cycle to this Prometheus remote_write URL (repeatable; replaces the file's list).");
  flags->StringList("external-label", &cfg->flag_external_labels,
                    "name=value[,name=value] added to every shipped series, e.g. node=$(NODE_NAME),cluster=prod "
                    "(repeatable; overrides the file's labels of the same name).");
  flags->String("queue.dir", &cfg->queue_dir, "Directory of the disk-backed remote_write queue.");
  flags->ByteSize("queue.max-size", &cfg->queue_max_bytes,
                  "Largest size of the queue on disk; beyond it the oldest cycles are dropped (and counted).");
  flags->StringList("traces.url", &cfg->traces_urls,
                    "Run the OTLP (/v1/traces) and Zipkin (/api/v2/spans) receivers and ship their spans with "
                    "OTLP/HTTP to this URL, e.g. http://store:9201/v1/traces (repeatable; replaces the file's list).");
  flags->StringList("receivers.listen-address", &cfg->receiver_listen_addresses,
                    "Also serve the trace receivers on this address, e.g. 0.0.0.0:4318 (repeatable).");
  flags->StringList("logs.url", &cfg->logs_urls,
                    "Tail the node's container logs (CRI under --path.pod-logs, Docker json-file under "
                    "--path.docker-containers) and ship them with Loki's push API to this URL, e.g. "
                    "http://store:9201/loki/api/v1/push (repeatable; replaces the file's list).");
  flags->String("logs.positions-file", &cfg->logs_positions_file,
                "Where the offsets the store acknowledged are kept, per log file.");
  flags->ByteSize("logs.max-line-size", &cfg->logs_max_line_bytes,
                  "Longer log lines are split into pieces of this size (and counted).");
  flags->String("node.name", &cfg->node_name,
                "k8s.node.name added to received spans (default: the external label node, else the host name).");
  flags->String("log.level", &cfg->log_level,
                "Only log messages with this severity or above: debug, info, warn, "
                "error.");
}

absl::Status ParseExternalLabels(std::string_view text, std::map<std::string, std::string>* out) {
  for (absl::string_view part : absl::StrSplit(AV(text), ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("external label \"", part, "\": want name=value"));
    }
    std::string name(part.substr(0, eq));
    std::string value(part.substr(eq + 1));
    if (absl::Status s = metrics::ValidateLabelName(name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("external label \"", part, "\": ", AV(SV(s.message()))));
    }
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("external label \"", part, "\": empty value"));
    (*out)[name] = std::move(value);
  }
  return absl::OkStatus();
}

absl::Status FinishAgentConfig(const FlagSet& flags, AgentConfig* cfg) {
  if (!cfg->config_file.empty()) {
    VIGIL_ASSIGN_OR_RETURN(config::ConfigFile file, config::LoadFile(cfg->config_file));
    AgentConfig from_file = *cfg;
    VIGIL_RETURN_IF_ERROR(file.Decode([&](config::Object& obj) { return DecodeAgent(obj, &from_file); }));
    for (const FlagField& f : FlagFields()) {
      if (flags.IsSet(f.flag)) f.copy(&from_file, *cfg);
    }
    for (auto& [name, enabled] : from_file.collectors) {
      if (flags.IsSet(absl::StrCat("collector.", name))) enabled = cfg->collectors.at(name);
    }
    VIGIL_ASSIGN_OR_RETURN(from_file.config_text, RealFileSystem()->ReadFile(cfg->config_file));
    *cfg = std::move(from_file);
  }
  if (!cfg->flag_remote_write_urls.empty()) {
    cfg->remote_write.clear();
    for (const std::string& url : cfg->flag_remote_write_urls) cfg->remote_write.push_back(RemoteWriteTarget{url});
  }
  for (const std::string& labels : cfg->flag_external_labels) {
    VIGIL_RETURN_IF_ERROR(ParseExternalLabels(labels, &cfg->external_labels));
  }
  return ValidateAgentConfig(*cfg);
}

absl::Status ValidateAgentConfig(const AgentConfig& cfg) {
  if (cfg.listen_address.empty()) return absl::InvalidArgumentError("web.listen-address must not be empty");
  if (cfg.interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("collection.interval ", absl::FormatDuration(cfg.interval), " is too short: at least 100ms"));
  }
  for (const RemoteWriteTarget& t : cfg.remote_write) {
    if (t.url.rfind("http://", 0) != 0 && t.url.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("remote_write url \"", t.url, "\": want an http:// or https:// URL"));
    }
    if (t.timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("remote_write url \"", t.url, "\": timeout must be positive"));
    }
  }
  for (const auto& [name, value] : cfg.external_labels) {
    if (absl::Status s = metrics::ValidateLabelName(name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("external label ", name, ": ", AV(SV(s.message()))));
    }
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("external label ", name, ": empty value"));
  }
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("cgroup.include", cfg.cgroup_include));
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("cgroup.exclude", cfg.cgroup_exclude));
  VIGIL_RETURN_IF_ERROR(
      ValidateRegexes("collector.filesystem.mount-points-exclude", {cfg.filesystem_mount_points_exclude}));
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("collector.filesystem.fs-types-exclude", {cfg.filesystem_fs_types_exclude}));
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("collector.diskstats.device-exclude", {cfg.diskstats_device_exclude}));
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("collector.netdev.device-exclude", {cfg.netdev_device_exclude}));
  VIGIL_RETURN_IF_ERROR(ValidateRegexes("collector.netclass.device-exclude", {cfg.netclass_device_exclude}));
  for (const std::string& url : cfg.traces_urls) {
    if (url.rfind("http://", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("traces url \"", url, "\": want an http:// URL"));
    }
  }
  for (const std::string& url : cfg.logs_urls) {
    if (url.rfind("http://", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("logs url \"", url, "\": want an http:// URL"));
    }
  }
  if (!cfg.logs_urls.empty()) {
    if (cfg.logs_positions_file.empty()) return absl::InvalidArgumentError("logs.positions-file must not be empty");
    if (cfg.logs_max_line_bytes < 1024) return absl::InvalidArgumentError("logs.max-line-size must be at least 1KB");
  }
  if (!cfg.receiver_listen_addresses.empty() && cfg.traces_urls.empty()) {
    return absl::InvalidArgumentError("receivers.listen-address needs a traces.url to ship the spans to");
  }
  if (!cfg.remote_write.empty() || !cfg.traces_urls.empty() || !cfg.logs_urls.empty()) {
    if (cfg.queue_dir.empty()) return absl::InvalidArgumentError("queue.dir must not be empty with remote_write");
    if (cfg.queue_max_bytes <= 0) return absl::InvalidArgumentError("queue.max-size must be positive");
  }
  if (absl::StatusOr<log::Level> level = log::ParseLevel(cfg.log_level); !level.ok()) return level.status();
  return absl::OkStatus();
}

std::string EffectiveNodeName(const AgentConfig& cfg) {
  if (!cfg.node_name.empty()) return cfg.node_name;
  if (auto it = cfg.external_labels.find("node"); it != cfg.external_labels.end()) return it->second;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) return host;
  return "";
}

std::vector<std::string> EnabledCollectors(const AgentConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& [name, enabled] : cfg.collectors) {
    if (enabled) out.push_back(name);
  }
  return out;
}

}  // namespace vigil::agent
