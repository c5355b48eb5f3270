// A deterministic, node_exporter-like fleet of hosts for tests and benchmarks: which series exist and what
// values they take over time.
//
// Each host gets a shape (4-24 CPUs, 1-3 disks, 4-7 filesystems, 2-4 network interfaces, 40 % "bare metal" with
// CPU frequency and temperature sensors) and about 450-1000 series with the names, labels and types
// node_exporter 1.5 exposes (see catalog.cc), plus the series a Prometheus scrape adds (up,
// scrape_duration_seconds, ...). Values follow per-family models: counters that grow from an uptime-sized start
// at the real resolution (node_cpu_seconds_total at 0.01 s, schedstat at 1 ns, bytes as integers), some tied to a
// per-host CPU utilisation signal (daily cycle, smooth noise, rare spikes) and with occasional bursts; drifting
// gauges (memory in KiB steps, filesystems in 4 KiB steps); load averages with 2 decimals; durations with
// nanosecond mantissas; near-constant gauges (node_uname_info, boot time). Hosts reboot rarely (a deliberate
// counter reset, FleetOptions::reboots_per_day).
//
// Everything derives from the options: each series' values depend only on (seed, its host, its labels,
// interval, duration, end), so any output order or sharding yields the same samples.
//
//   VIGIL_ASSIGN_OR_RETURN(Fleet fleet, Fleet::Create({.seed = 1, .hosts = 10, .end_ms = end}));
//   for (size_t i = 0; i < fleet.series().size(); ++i) {
//     SeriesCursor c(fleet, i);
//     for (Sample s; c.Next(&s);) Use(fleet.series()[i].labels, s);
//   }
#ifndef VIGIL_TOOLS_DATAGEN_FLEET_H_
#define VIGIL_TOOLS_DATAGEN_FLEET_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/sample.h"
#include "tools/datagen/rng.h"
#include "wire/exposition/format.h"

namespace vigil::datagen {

struct FleetOptions {
  // Everything random derives from this.
  uint64_t seed = 1;
  // Number of hosts (node_exporter targets), at least 1.
  int hosts = 10;
  // Index of the first host: instance names and seeds follow the index, so disjoint ranges give disjoint series.
  int first_host = 0;
  // Scrape interval; at least 1 ms.
  int64_t interval_ms = 15000;
  // Samples lie in [end_ms - duration_ms, end_ms); each host has one per interval, at its own offset.
  int64_t duration_ms = 2 * 3600 * 1000;
  int64_t end_ms = 1700000000000;
  // Expected reboots per host per day (each resets the host's counters and moves node_boot_time_seconds).
  double reboots_per_day = 0.02;
};

// A metric family as exposed: the OpenMetrics family name (without a counter's _total), its type, HELP and UNIT.
struct FamilyInfo {
  std::string name;
  exposition::MetricType type = exposition::MetricType::kGauge;
  std::string help;
  std::string unit;  // "" if none
};

// How a series' value evolves; see SeriesCursor. The meaning of the parameters depends on the kind.
enum class ModelKind : uint8_t {
  kConst,      // v0
  kCounter,    // += a/s * (1-e + e*util/base) * (1 + b*N), bursts of 2..d times with probability c per step
  kSparse,     // += 1..b with probability a per step
  kCpu,        // node_cpu_seconds_total{mode}: += interval * share(mode, util of this CPU)
  kWalk,       // walk around a*(1 +- v0): += e*(level - v) + b*N, clamped to [c, d]
  kDrain,      // free space of a v0-byte filesystem: starts at e*v0, -= a/s, cleanups with probability b; minus d
  kLoad,       // load average over a seconds of util*CPUs
  kNoise,      // a * exp(b*N): durations
  kTimeNow,    // the scrape time in seconds + a + |b*N|
  kUtilGauge,  // a + b*util*CPUs + c*N, at least 0
  kStep,       // v0, moving by up to +-b (relative) with probability a per step
  kBootTime,   // v0, moved to the reboot time on a reboot
};

// ValueModel::cpu for series that follow the host's utilisation rather than one CPU's.
inline constexpr uint16_t kHostWide = 0xFFFF;

struct ValueModel {
  ModelKind kind = ModelKind::kConst;
  // Values are multiples of this (0.01 for CPU seconds, 1e-9 for ns counters, 1024 for meminfo); 0 = any.
  double resolution = 0;
  double v0 = 0, a = 0, b = 0, c = 0, d = 0, e = 0;
  uint16_t cpu = kHostWide;  // kCpu, kCounter with util coupling: which CPU's utilisation
  uint8_t mode = 0;          // kCpu: index into the CPU modes
  // Series with the same non-zero stream share their random stream (filesystem free and avail move together).
  uint64_t stream = 0;
};

// One host (one node_exporter target).
struct HostInfo {
  uint32_t index = 0;    // FleetOptions::first_host + position
  std::string instance;  // "node00042.example:9100"
  uint64_t seed = 0;
  int cpus = 0;
  bool bare_metal = false;
  int64_t offset_ms = 0;       // scrape phase within the interval
  double base_util = 0.2;      // mean CPU utilisation
  double daily_amplitude = 0;  // of the daily cycle
  double daily_phase = 0;
  std::vector<double> cpu_factor;  // per CPU, multiplies the host utilisation
};

// One series: labels (with __name__, instance, job) and value model.
struct SeriesInfo {
  Labels labels;
  uint32_t family = 0;  // index into Fleet::families()
  uint32_t host = 0;    // index into Fleet::hosts()
  ValueModel model;
};

class Fleet {
 public:
  // Builds the fleet. InvalidArgument for hosts < 1, interval < 1 ms, negative duration or reboot rate.
  static absl::StatusOr<Fleet> Create(const FleetOptions& options);

  const FleetOptions& options() const { return options_; }
  std::span<const FamilyInfo> families() const { return families_; }
  std::span<const HostInfo> hosts() const { return hosts_; }
  // Grouped by family (in families() order), then by host: the order of an OpenMetrics exposition.
  std::span<const SeriesInfo> series() const { return series_; }

  // Samples per series: duration / interval.
  int64_t steps() const { return steps_; }
  uint64_t total_samples() const { return static_cast<uint64_t>(steps_) * series_.size(); }
  // Start of the range: end_ms - duration_ms.
  TimestampMs start_ms() const { return options_.end_ms - options_.duration_ms; }
  // The timestamp of a host's `step`th scrape: start + host offset + step * interval.
  TimestampMs Timestamp(uint32_t host, int64_t step) const {
    return start_ms() + hosts_[host].offset_ms + step * options_.interval_ms;
  }
  // Whether host `host` reboots just before its `step`th scrape (its counters restart there).
  bool RebootAt(uint32_t host, int64_t step) const;
  // The CPU utilisation of `cpu` (kHostWide: the host's) of `host` at `t`, in [0.01, 1]: a pure function of
  // (host, cpu, t).
  double Utilisation(uint32_t host, uint16_t cpu, TimestampMs t) const;

 private:
  Fleet() = default;
  friend class FleetBuilder;

  FleetOptions options_;
  std::vector<FamilyInfo> families_;
  std::vector<HostInfo> hosts_;
  std::vector<SeriesInfo> series_;
  int64_t steps_ = 0;
  double reboot_probability_ = 0;  // per host and step
};

// Produces one series' samples in time order. Cheap to create; holds only the series' state.
class SeriesCursor {
 public:
  SeriesCursor(const Fleet& fleet, size_t series);

  // The next sample; false after the last step.
  bool Next(Sample* sample);
  // Steps produced so far.
  int64_t step() const { return step_; }

 private:
  double Quantize(double v) const;

  const Fleet& fleet_;
  const SeriesInfo& series_;
  const HostInfo& host_;
  Rng rng_;
  int64_t step_ = 0;
  double value_ = 0;   // the model's continuous state
  double target_ = 0;  // kWalk: this series' level
  double dt_s_ = 0;    // interval in seconds
};

}  // namespace vigil::datagen

#endif  // VIGIL_TOOLS_DATAGEN_FLEET_H_
