// The node collectors: node_exporter-compatible `node_*` metrics read from procfs, sysfs and a few system calls,
// so the agent replaces prometheus-node-exporter on a node (contract §5.3; names, HELP texts, types and label
// sets as node_exporter 1.5 writes them).
//
//   agent::node::NodeOptions options;                      // node_exporter's defaults
//   VIGIL_RETURN_IF_ERROR(agent::node::ValidateNodeOptions(options));
//   std::vector<std::unique_ptr<agent::Collector>> collectors = agent::node::NewNodeCollectors(options);
//   for (auto& c : collectors) c->Collect(&sink);           // once per cycle, on one thread
//
// Each collector keeps its read buffers and parsed tables between cycles, so a cycle allocates (almost) nothing
// once the first has sized them. See docs/agent-node.md for the metric list and deviations from node_exporter.
#ifndef VIGIL_AGENT_COLLECTORS_NODE_NODE_COLLECTORS_H_
#define VIGIL_AGENT_COLLECTORS_NODE_NODE_COLLECTORS_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "agent/collector/collector.h"
#include "agent/collectors/node/node_options.h"

namespace vigil::agent::node {

// The collectors this package provides, by name, in the order NewNodeCollectors creates them: cpu, meminfo,
// loadavg, pressure, stat, vmstat, filefd, diskstats, filesystem, netdev, netclass, uname, time, os. All are on
// by default.
const std::vector<std::string_view>& NodeCollectorNames();

// Checks `options`: every enabled name is known and every pattern compiles. InvalidArgument naming the option
// and the offending value otherwise.
absl::Status ValidateNodeOptions(const NodeOptions& options);

// Creates the enabled collectors (all when options.enabled is empty). Unknown names are skipped (use
// ValidateNodeOptions first); a collector whose pattern does not compile returns that error from every Collect.
// The collectors keep copies of the options; `clock` and `system`, when set, must outlive them.
std::vector<std::unique_ptr<Collector>> NewNodeCollectors(const NodeOptions& options);

// The individual collectors (the factory above calls these).
std::unique_ptr<Collector> NewCpuCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewMeminfoCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewLoadavgCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewPressureCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewStatCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewVmstatCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewFilefdCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewDiskstatsCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewFilesystemCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewNetdevCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewNetclassCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewUnameCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewTimeCollector(const NodeOptions& options);
std::unique_ptr<Collector> NewOsCollector(const NodeOptions& options);

}  // namespace vigil::agent::node

#endif  // VIGIL_AGENT_COLLECTORS_NODE_NODE_COLLECTORS_H_
