// The agent's own process metrics, named as every Prometheus client library names them (process_cpu_seconds_total,
// process_resident_memory_bytes, ...), so the usual dashboards and alerts on exporters' footprint work.
#ifndef VIGIL_AGENT_LOOP_PROCESS_COLLECTOR_H_
#define VIGIL_AGENT_LOOP_PROCESS_COLLECTOR_H_

#include <string>
#include <string_view>

#include "agent/collector/collector.h"
#include "base/fs/file_system.h"

namespace vigil::agent {

// Reads <proc>/self/stat (CPU time, memory), <proc>/self/fd (open descriptors) and, once, <proc>/stat (boot
// time) and <proc>/self/limits (descriptor limit). A few small reads per cycle.
class ProcessCollector final : public Collector {
 public:
  // `proc` is the agent's own procfs ("/proc"), not the host's --path.procfs; `fs` must outlive the collector.
  explicit ProcessCollector(FileSystem* fs, std::string proc = "/proc", long clock_ticks_per_second = 0,
                            long page_size = 0);

  std::string_view name() const override { return "process"; }
  absl::Status Collect(MetricSink* sink) override;

 private:
  FileSystem* const fs_;
  const std::string proc_;
  const double ticks_;
  const double page_size_;
  bool read_static_ = false;
  double boot_time_ = -1;  // seconds since the epoch; -1 when unknown
  double max_fds_ = -1;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_LOOP_PROCESS_COLLECTOR_H_
