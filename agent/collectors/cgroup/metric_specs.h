// The metric families the cgroup collector writes: cAdvisor's names, types and units (contract §5.2). One table
// so names are spelled once and tests can enumerate them.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_METRIC_SPECS_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_METRIC_SPECS_H_

#include <cstdint>
#include <string_view>

#include "agent/collectors/cgroup/cgroup_stats.h"
#include "agent/collectors/cgroup/stat_parse.h"
#include "wire/exposition/format.h"

namespace vigil::agent::cgroup {

// A family with one sample per cgroup.
struct ScalarMetricSpec {
  Field field;
  std::string_view name;
  exposition::MetricType type;
  std::string_view help;
  std::string_view unit;
  bool cpu_total = false;  // carries cpu="total", as the kubelet's container_cpu_usage_seconds_total
};

using exposition::MetricType;

inline constexpr ScalarMetricSpec kScalarMetrics[] = {
    {kCpuUsageSeconds, "container_cpu_usage_seconds_total", MetricType::kCounter,
     "Cumulative CPU time consumed by the container, in seconds.", "seconds", true},
    {kCpuUserSeconds, "container_cpu_user_seconds_total", MetricType::kCounter,
     "Cumulative CPU time the container spent in user mode, in seconds.", "seconds"},
    {kCpuSystemSeconds, "container_cpu_system_seconds_total", MetricType::kCounter,
     "Cumulative CPU time the container spent in kernel mode, in seconds.", "seconds"},
    {kCfsPeriods, "container_cpu_cfs_periods_total", MetricType::kCounter,
     "Number of CFS enforcement periods that have elapsed.", ""},
    {kCfsThrottledPeriods, "container_cpu_cfs_throttled_periods_total", MetricType::kCounter,
     "Number of CFS periods in which the container was throttled.", ""},
    {kCfsThrottledSeconds, "container_cpu_cfs_throttled_seconds_total", MetricType::kCounter,
     "Total time the container was throttled by CFS, in seconds.", "seconds"},
    {kMemoryUsage, "container_memory_usage_bytes", MetricType::kGauge,
     "Memory charged to the container, page cache included, in bytes.", "bytes"},
    {kMemoryWorkingSet, "container_memory_working_set_bytes", MetricType::kGauge,
     "Memory usage minus inactive file cache, in bytes.", "bytes"},
    {kMemoryRss, "container_memory_rss", MetricType::kGauge, "Anonymous memory (RSS) of the container, in bytes.", ""},
    {kMemoryCache, "container_memory_cache", MetricType::kGauge, "Page cache charged to the container, in bytes.", ""},
    {kMemorySwap, "container_memory_swap", MetricType::kGauge, "Swap used by the container, in bytes.", ""},
    {kMemoryMappedFile, "container_memory_mapped_file", MetricType::kGauge,
     "Memory-mapped file pages of the container, in bytes.", ""},
    {kMemoryFailcnt, "container_memory_failcnt", MetricType::kCounter,
     "Number of times memory usage hit the limit (always 0 on cgroup v2).", ""},
    {kMemoryMaxUsage, "container_memory_max_usage_bytes", MetricType::kGauge,
     "Highest memory usage recorded, in bytes.", "bytes"},
    {kSpecMemoryLimit, "container_spec_memory_limit_bytes", MetricType::kGauge,
     "Memory limit of the container in bytes (0: unlimited).", "bytes"},
    {kSpecCpuQuota, "container_spec_cpu_quota", MetricType::kGauge,
     "CFS quota of the container in microseconds per period.", ""},
    {kSpecCpuPeriod, "container_spec_cpu_period", MetricType::kGauge, "CFS period of the container in microseconds.",
     ""},
    {kSpecCpuShares, "container_spec_cpu_shares", MetricType::kGauge,
     "CPU shares of the container (cgroup v2 weight converted back to shares).", ""},
    {kOomEvents, "container_oom_events_total", MetricType::kCounter,
     "Number of processes of the container killed by the OOM killer.", ""},
    {kProcesses, "container_processes", MetricType::kGauge, "Number of processes in the container's cgroup.", ""},
    {kThreads, "container_threads", MetricType::kGauge, "Number of tasks (threads) in the container.", ""},
    {kPressureCpuWaiting, "container_pressure_cpu_waiting_seconds_total", MetricType::kCounter,
     "Time at least one task of the container waited for CPU, in seconds (PSI some).", "seconds"},
    {kPressureCpuStalled, "container_pressure_cpu_stalled_seconds_total", MetricType::kCounter,
     "Time all non-idle tasks of the container stalled on CPU, in seconds (PSI full).", "seconds"},
    {kPressureMemoryWaiting, "container_pressure_memory_waiting_seconds_total", MetricType::kCounter,
     "Time at least one task of the container waited for memory, in seconds (PSI some).", "seconds"},
    {kPressureMemoryStalled, "container_pressure_memory_stalled_seconds_total", MetricType::kCounter,
     "Time all non-idle tasks of the container stalled on memory, in seconds (PSI full).", "seconds"},
    {kPressureIoWaiting, "container_pressure_io_waiting_seconds_total", MetricType::kCounter,
     "Time at least one task of the container waited for I/O, in seconds (PSI some).", "seconds"},
    {kPressureIoStalled, "container_pressure_io_stalled_seconds_total", MetricType::kCounter,
     "Time all non-idle tasks of the container stalled on I/O, in seconds (PSI full).", "seconds"},
};

// A counter family with one sample per block device (label `device`).
struct DeviceMetricSpec {
  std::string_view name;
  uint64_t DeviceIo::*value;
  std::string_view help;
  std::string_view unit;
};

inline constexpr DeviceMetricSpec kDeviceMetrics[] = {
    {"container_fs_reads_bytes_total", &DeviceIo::read_bytes, "Cumulative bytes read from the device.", "bytes"},
    {"container_fs_writes_bytes_total", &DeviceIo::write_bytes, "Cumulative bytes written to the device.", "bytes"},
    {"container_fs_reads_total", &DeviceIo::reads, "Cumulative read operations completed on the device.", ""},
    {"container_fs_writes_total", &DeviceIo::writes, "Cumulative write operations completed on the device.", ""},
};

// A counter family with one sample per network interface (label `interface`).
struct NetworkMetricSpec {
  std::string_view name;
  uint64_t NetDevCounters::*value;
  std::string_view help;
  std::string_view unit;
};

inline constexpr NetworkMetricSpec kNetworkMetrics[] = {
    {"container_network_receive_bytes_total", &NetDevCounters::rx_bytes, "Cumulative bytes received.", "bytes"},
    {"container_network_receive_packets_total", &NetDevCounters::rx_packets, "Cumulative packets received.", ""},
    {"container_network_receive_errors_total", &NetDevCounters::rx_errors, "Cumulative errors while receiving.", ""},
    {"container_network_receive_packets_dropped_total", &NetDevCounters::rx_dropped,
     "Cumulative packets dropped while receiving.", ""},
    {"container_network_transmit_bytes_total", &NetDevCounters::tx_bytes, "Cumulative bytes transmitted.", "bytes"},
    {"container_network_transmit_packets_total", &NetDevCounters::tx_packets, "Cumulative packets transmitted.", ""},
    {"container_network_transmit_errors_total", &NetDevCounters::tx_errors, "Cumulative errors while transmitting.",
     ""},
    {"container_network_transmit_packets_dropped_total", &NetDevCounters::tx_dropped,
     "Cumulative packets dropped while transmitting.", ""},
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_METRIC_SPECS_H_
