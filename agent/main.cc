// vigil-agent: one per node (a Kubernetes DaemonSet), replacing cAdvisor and node_exporter. Every
// --collection.interval it runs the cgroup (container_*) and node (node_*) collectors into a snapshot, serves
// the latest snapshot on GET /metrics for any Prometheus-compatible scraper, and ships each cycle through a
// disk-backed queue to the --remote-write.url endpoints. With --traces.url it also receives OTLP/HTTP and Zipkin
// spans from local applications, labels them with the sender's pod and ships them with OTLP/HTTP through the same
// kind of queue; with --logs.url it tails the node's container logs and ships them with Loki's push API.
// SIGTERM/SIGINT stop it cleanly. See docs/agent.md.
#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "agent/collectors/cgroup/cgroup_collector.h"
#include "agent/collectors/node/node_collectors.h"
#include "agent/config/agent_config.h"
#include "agent/discovery/container_discovery.h"
#include "agent/logs/log_shipping.h"
#include "agent/loop/collection_loop.h"
#include "agent/loop/process_collector.h"
#include "agent/server/agent_server.h"
#include "agent/ship/shipping.h"
#include "agent/snapshot/snapshot_exchange.h"
#include "agent/traces/trace_shipping.h"
#include "base/clock/clock.h"
#include "base/flags/flags.h"
#include "base/fs/file_system.h"
#include "base/log/log.h"
#include "base/version/version.h"

namespace vigil::agent {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(5);

// Every collector name the binary knows: cgroup, then the node collectors.
std::vector<std::string_view> CollectorNames() {
  std::vector<std::string_view> names = {"cgroup"};
  for (std::string_view n : node::NodeCollectorNames()) names.push_back(n);
  return names;
}

// A host path under --path.rootfs, for runtime state directories that have no flag of their own.
std::string UnderRoot(const AgentConfig& cfg, std::string_view path) {
  if (cfg.rootfs.empty() || cfg.rootfs == "/") return std::string(path);
  std::string root = cfg.rootfs;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return absl::StrCat(root, std::string(path));
}

// Everything the collection thread runs, owned here.
struct Collectors {
  std::unique_ptr<discovery::ContainerDiscovery> discovery;
  std::vector<std::unique_ptr<Collector>> owned;
  std::vector<Collector*> all;
};

discovery::ContainerDiscovery::Options DiscoveryOptions(const AgentConfig& cfg) {
  discovery::ContainerDiscovery::Options d;
  d.procfs = cfg.procfs;
  d.pod_logs_dir = cfg.pod_logs_dir;
  d.container_logs_dir = cfg.container_logs_dir;
  d.docker_containers_dir = cfg.docker_containers_dir;
  for (std::string& dir : d.containerd_task_dirs) dir = UnderRoot(cfg, dir);
  for (std::string& dir : d.crio_container_dirs) dir = UnderRoot(cfg, dir);
  return d;
}

absl::StatusOr<Collectors> BuildCollectors(const AgentConfig& cfg) {
  Collectors out;
  if (cfg.collectors.at("cgroup")) {
    out.discovery = std::make_unique<discovery::ContainerDiscovery>(DiscoveryOptions(cfg));

    cgroup::CgroupCollectorOptions c;
    c.cgroup_root = absl::StrCat(cfg.sysfs, "/fs/cgroup");
    c.procfs = cfg.procfs;
    c.sysfs = cfg.sysfs;
    c.include = cfg.cgroup_include;
    c.exclude = cfg.cgroup_exclude;
    c.label_allowlist = cfg.label_allow;
    c.discovery = out.discovery.get();
    absl::StatusOr<std::unique_ptr<cgroup::CgroupCollector>> collector = cgroup::CgroupCollector::Create(c);
    if (!collector.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cgroup collector: ", collector.status().message(), " (disable it with --no-collector.cgroup)"));
    }
    out.owned.push_back(*std::move(collector));
  }

  node::NodeOptions n;
  n.procfs = cfg.procfs;
  n.sysfs = cfg.sysfs;
  n.rootfs = cfg.rootfs;
  n.udev_data = cfg.udev_data;
  for (std::string_view name : node::NodeCollectorNames()) {
    if (cfg.collectors.at(std::string(name))) n.enabled.emplace_back(name);
  }
  if (!cfg.filesystem_mount_points_exclude.empty()) {
    n.filesystem_mount_points_exclude = cfg.filesystem_mount_points_exclude;
  }
  if (!cfg.filesystem_fs_types_exclude.empty()) n.filesystem_fs_types_exclude = cfg.filesystem_fs_types_exclude;
  if (!cfg.diskstats_device_exclude.empty()) n.diskstats_device_exclude = cfg.diskstats_device_exclude;
  n.netdev_device_exclude = cfg.netdev_device_exclude;
  n.netclass_device_exclude = cfg.netclass_device_exclude;
  // An empty list would mean "all" to NewNodeCollectors.
  if (!n.enabled.empty()) {
    if (absl::Status s = node::ValidateNodeOptions(n); !s.ok()) return s;
    for (auto& c : node::NewNodeCollectors(n)) out.owned.push_back(std::move(c));
  }

  out.owned.push_back(std::make_unique<ProcessCollector>(RealFileSystem()));
  for (auto& c : out.owned) out.all.push_back(c.get());
  return out;
}

int Run(int argc, char** argv) {
  AgentConfig cfg;
  FlagSet flags("vigil-agent",
                "The Vigil node agent: container (cgroup) and node metrics, served on /metrics and shipped with "
                "Prometheus remote_write.");
  RegisterAgentFlags(&flags, &cfg, CollectorNames());
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "vigil-agent: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (flags.version_requested()) {
    std::printf("%s\n", VersionLine("vigil-agent").c_str());
    return 0;
  }
  if (absl::Status s = FinishAgentConfig(flags, &cfg); !s.ok()) {
    std::fprintf(stderr, "vigil-agent: config: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  log::SetLevel(*log::ParseLevel(cfg.log_level));

  // Signals are taken synchronously by this thread; block them before any other thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string enabled;
  for (const std::string& name : EnabledCollectors(cfg)) absl::StrAppend(&enabled, enabled.empty() ? "" : ",", name);
  log::Info(
      "starting vigil-agent",
      {{"version", std::string(kVersion)}, {"interval", absl::FormatDuration(cfg.interval)}, {"collectors", enabled}});

  absl::StatusOr<Collectors> collectors = BuildCollectors(cfg);
  if (!collectors.ok()) {
    log::Error("cannot set up the collectors", {{"err", collectors.status()}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<Shipping>> shipping = Shipping::Create(cfg);
  if (!shipping.ok()) {
    log::Error("cannot set up remote_write shipping", {{"err", shipping.status()}});
    return 1;
  }

  if (Collector* c = (*shipping)->metrics_collector(); c != nullptr) collectors->all.push_back(c);

  // Traces: the receivers label spans with the sending pod, found through the same discovery as the cgroups'.
  std::unique_ptr<discovery::ContainerDiscovery> trace_discovery;
  discovery::ContainerDiscovery* discovery = collectors->discovery.get();
  if (discovery == nullptr && !cfg.traces_urls.empty()) {
    trace_discovery = std::make_unique<discovery::ContainerDiscovery>(DiscoveryOptions(cfg));
    discovery = trace_discovery.get();
  }
  absl::StatusOr<std::unique_ptr<TraceShipping>> traces = TraceShipping::Create(cfg, discovery);
  if (!traces.ok()) {
    log::Error("cannot set up trace shipping", {{"err", traces.status()}});
    return 1;
  }
  if (*traces != nullptr) collectors->all.push_back((*traces)->metrics_collector());

  // Logs: the node's container log files, tailed and shipped with Loki's push API.
  absl::StatusOr<std::unique_ptr<logs::LogShipping>> log_shipping =
      logs::LogShipping::Create(cfg, RealFileSystem(), RealClock(), nullptr);
  if (!log_shipping.ok()) {
    log::Error("cannot set up log shipping", {{"err", log_shipping.status()}});
    return 1;
  }
  if (*log_shipping != nullptr) collectors->all.push_back((*log_shipping)->metrics_collector());

  SnapshotExchange exchange;
  CollectionLoop loop(collectors->all, &exchange, RealClock(), {.interval = cfg.interval});
  for (Shipper* s : (*shipping)->shippers()) loop.AddShipper(s);

  http::ServerOptions http;
  http.listen_address = cfg.listen_address;
  // Trace receivers take OTLP batches; without them only small requests arrive.
  http.max_request_bytes = *traces != nullptr ? size_t{16} << 20 : size_t{1} << 20;
  // A node agent has a handful of clients (a scraper or two, probes).
  http.worker_threads = 4;
  AgentServer server(
      &exchange, [&loop] { return loop.ready(); }, http);
  if (*traces != nullptr) (*traces)->RegisterReceivers(&server.http());
  if (absl::Status s = server.Start(); !s.ok()) {
    log::Error("cannot start the HTTP server", {{"err", s}});
    return 1;
  }
  if (*traces != nullptr) {
    if (absl::Status s = (*traces)->StartListeners(); !s.ok()) {
      log::Error("cannot start the trace receivers", {{"err", s}});
      return 1;
    }
  }
  log::Info("listening", {{"address", cfg.listen_address}});

  if (*log_shipping != nullptr) (*log_shipping)->Start();

  absl::Notification stop;
  std::thread collection([&] { loop.Run(&stop); });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::Info("shutting down", {{"signal", sig}});
  stop.Notify();
  collection.join();
  server.Shutdown(kShutdownGrace);
  if (*log_shipping != nullptr) {
    if (absl::Status s = (*log_shipping)->Close(); !s.ok()) log::Error("closing log shipping failed", {{"err", s}});
  }
  if (*traces != nullptr) {
    if (absl::Status s = (*traces)->Close(kShutdownGrace); !s.ok()) {
      log::Error("closing the trace queues failed", {{"err", s}});
    }
  }
  if (absl::Status s = (*shipping)->Close(); !s.ok()) {
    log::Error("closing the remote_write queue failed", {{"err", s}});
    return 1;
  }
  log::Info("stopped");
  return 0;
}

}  // namespace
}  // namespace vigil::agent

int main(int argc, char** argv) {
  // Few threads allocate here; two arenas keep freed scrape buffers from scattering over many (RSS).
  mallopt(M_ARENA_MAX, 2);
  // A /metrics page of a busy node is megabytes, rendered per scrape and freed right after. A fixed mmap
  // threshold (setting it turns off glibc's dynamic one, which would rise to the page size after the first free)
  // keeps such buffers in their own mappings, returned to the kernel when freed instead of held in the heap.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Debian's Abseil is built without NDEBUG; its deadlock detector is for debugging, not production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return vigil::agent::Run(argc, argv);
}
