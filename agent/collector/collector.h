// The seam between the agent's collectors (cgroup, node, ...) and what consumes a collection cycle (the scrape
// target's snapshot, the remote_write shipper). A collector reads the kernel's files and writes metric families
// into a MetricSink; it never knows whether they end up rendered as text or shipped.
//
//   absl::Status CpuCollector::Collect(MetricSink* sink) {
//     sink->Family("node_cpu_seconds_total", exposition::MetricType::kCounter,
//                  "Seconds the CPUs spent in each mode.");
//     Label labels[] = {{"cpu", "0"}, {"mode", "idle"}};
//     sink->Sample(labels, 1234.5);
//     ...
//   }
#ifndef VIGIL_AGENT_COLLECTOR_COLLECTOR_H_
#define VIGIL_AGENT_COLLECTOR_COLLECTOR_H_

#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "model/labels.h"
#include "wire/exposition/format.h"

namespace vigil::agent {

// Receives one collection cycle. Not thread-safe: one collector writes at a time.
class MetricSink {
 public:
  virtual ~MetricSink() = default;

  // Starts a metric family. `name` is the sample name as the text format 0.0.4 writes it, including a counter's
  // "_total" suffix ("node_cpu_seconds_total"), so every sample that follows has exactly this name. Families of
  // one name may be started more than once in a cycle (two collectors, or a collector per cgroup); the sink
  // merges them. `help` is the HELP text; `unit` the OpenMetrics unit ("seconds", "bytes") or empty.
  virtual void Family(std::string_view name, exposition::MetricType type, std::string_view help,
                      std::string_view unit = {}) = 0;

  // One sample of the current family. `labels` exclude __name__, need not be sorted, and labels with an empty
  // value are dropped (an empty value means "absent", as everywhere in Prometheus). The sink copies what it keeps.
  virtual void Sample(std::span<const Label> labels, double value) = 0;
};

// One source of metrics. Collect runs once per cycle on the agent's collection thread.
class Collector {
 public:
  virtual ~Collector() = default;

  // A short stable name ("cgroup", "cpu", "meminfo", ...): the `collector` label of the agent's own
  // vigil_agent_collector_duration_seconds and vigil_agent_collector_errors_total.
  virtual std::string_view name() const = 0;

  // Writes this cycle's metrics into `sink`. Returns an error when the collector failed as a whole (its input is
  // missing or unreadable); what it wrote before failing is kept. Vanishing inputs (a cgroup removed mid-read, a
  // network device gone) are normal and not errors.
  virtual absl::Status Collect(MetricSink* sink) = 0;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_COLLECTOR_COLLECTOR_H_
