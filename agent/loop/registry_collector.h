// Copies a self-metrics Registry (base/metrics) into the agent's cycle, so metrics that library code keeps there
// (the remote_write senders' vigil_agent_remote_write_*) are on /metrics and shipped like every other series.
#ifndef VIGIL_AGENT_LOOP_REGISTRY_COLLECTOR_H_
#define VIGIL_AGENT_LOOP_REGISTRY_COLLECTOR_H_

#include <string>
#include <string_view>

#include "agent/collector/collector.h"
#include "base/metrics/registry.h"

namespace vigil::agent {

// Renders the registry in the text format and parses it back into the sink (a few dozen series: the round trip
// costs microseconds and reuses the one writer and the one parser). Counters and gauges keep their types; a
// histogram's _bucket, _sum and _count series become untyped families of those names, because a MetricSink
// family's samples all share its name.
class RegistryCollector final : public Collector {
 public:
  // `registry` must outlive the collector. `name` is the collector label of the agent's own metrics.
  RegistryCollector(const metrics::Registry* registry, std::string name)
      : registry_(registry), name_(std::move(name)) {}

  std::string_view name() const override { return name_; }
  absl::Status Collect(MetricSink* sink) override;

 private:
  const metrics::Registry* const registry_;
  const std::string name_;
  std::string text_;  // reused
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_LOOP_REGISTRY_COLLECTOR_H_
