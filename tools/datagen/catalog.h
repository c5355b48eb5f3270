// Internal to the fleet: the catalog of metric families a generated host exposes and the builder that turns
// hosts into series. catalog.cc says what a host looks like; fleet.cc how values move.
#ifndef VIGIL_TOOLS_DATAGEN_CATALOG_H_
#define VIGIL_TOOLS_DATAGEN_CATALOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "model/labels.h"
#include "tools/datagen/fleet.h"
#include "tools/datagen/rng.h"

namespace vigil::datagen {

// Collects families and series while hosts are added, then hands them to a Fleet in exposition order.
class FleetBuilder {
 public:
  explicit FleetBuilder(Fleet* fleet) : fleet_(fleet) {}

  // Draws host number `index`'s shape from its seed and adds all its series.
  void AddHost(uint32_t index);
  // Moves the series into the fleet, grouped by family.
  void Finish();

  // Used by the catalog (catalog.cc). A family is registered by the name of its samples ("node_cpu_seconds_total"
  // for a counter, whose OpenMetrics family is "node_cpu_seconds"); registering it again returns the same index.
  uint32_t Family(std::string_view sample_name, exposition::MetricType type, std::string_view help);
  // Adds a series of the current host: `name`{instance, job, labels...} with value model `model`. Labels with
  // empty values are dropped, as a scrape drops them.
  void Add(uint32_t family, std::string_view name, std::initializer_list<LabelPair> labels, const ValueModel& model);

  // The host being added, and how many series it has so far.
  const HostInfo& host() const { return *host_; }
  size_t host_series() const { return host_series_; }
  // The fleet's options (the interval sets some per-scrape probabilities).
  const FleetOptions& options() const { return fleet_->options(); }

 private:
  Fleet* fleet_;
  const HostInfo* host_ = nullptr;
  uint32_t host_position_ = 0;
  size_t host_series_ = 0;
  absl::flat_hash_map<std::string, uint32_t> family_index_;
  std::vector<std::vector<SeriesInfo>> by_family_;
};

// ---- Value models by purpose, for the catalog.

inline constexpr double kKiB = 1024;
inline constexpr double kGiB = 1024.0 * 1024 * 1024;

// A constant.
inline ValueModel Const(double v) {
  ValueModel m;
  m.v0 = v;
  return m;
}

// A counter starting at `start`, growing by `rate` per second, at `resolution`. `util` in [0, 1] is how much the
// rate follows the host's (or `cpu`'s) utilisation; `noise` the per-step relative noise; bursts multiply a step's
// increment by 2..`burst_max` with probability `burst_p`.
inline ValueModel Counter(double start, double rate, double resolution, double util = 0.6, double noise = 0.3,
                          double burst_p = 0.01, double burst_max = 8, uint16_t cpu = kHostWide) {
  ValueModel m;
  m.kind = ModelKind::kCounter;
  m.v0 = start;
  m.a = rate;
  m.b = noise;
  m.c = burst_p;
  m.d = burst_max;
  m.e = util;
  m.cpu = cpu;
  m.resolution = resolution;
  return m;
}

// A counter that rarely moves: +1..max_step with probability p per scrape.
inline ValueModel Sparse(double start, double p, double max_step = 3) {
  ValueModel m;
  m.kind = ModelKind::kSparse;
  m.v0 = start;
  m.a = p;
  m.b = max_step;
  m.resolution = 1;
  return m;
}

// A gauge wandering around `mean` (pulled back by `theta` per step) within [lo, hi]. Each series' own level is
// `mean` +- `spread` (relative), so series of one family differ.
inline ValueModel Walk(double mean, double sigma, double lo, double hi, double resolution, double theta = 0.05,
                       double spread = 0.2) {
  ValueModel m;
  m.kind = ModelKind::kWalk;
  m.v0 = spread;
  m.a = mean;
  m.b = sigma;
  m.c = lo;
  m.d = hi;
  m.e = theta;
  m.resolution = resolution;
  return m;
}

// A duration around `mean`, log-normal with `sigma`, in nanoseconds.
inline ValueModel Noise(double mean, double sigma) {
  ValueModel m;
  m.kind = ModelKind::kNoise;
  m.a = mean;
  m.b = sigma;
  m.resolution = 1e-9;
  return m;
}

// A small integer gauge: base + per_busy_cpu * (busy CPUs) + noise.
inline ValueModel UtilGauge(double base, double per_busy_cpu, double noise) {
  ValueModel m;
  m.kind = ModelKind::kUtilGauge;
  m.a = base;
  m.b = per_busy_cpu;
  m.c = noise;
  m.resolution = 1;
  return m;
}

// A gauge holding a level that moves by up to +-relative with probability p per scrape.
inline ValueModel Step(double v, double p, double relative, double resolution) {
  ValueModel m;
  m.kind = ModelKind::kStep;
  m.v0 = v;
  m.a = p;
  m.b = relative;
  m.resolution = resolution;
  return m;
}

// Add the series of the builder's current host, by group; `rng` is the host's shape stream and `uptime_s` how
// long it has been up at the start of the range. AddHostSeries calls the others in exposition order.
void AddHostSeries(FleetBuilder& b, Rng& rng, double uptime_s);
void AddFilesystemsDisksNetwork(FleetBuilder& b, Rng& rng, double uptime_s);  // catalog_devices.cc
void AddKernel(FleetBuilder& b, Rng& rng, double uptime_s);                   // catalog_system.cc
// The exporter's own families and, last, the series a Prometheus scrape adds (up, scrape_*).
void AddExporterAndScrape(FleetBuilder& b, Rng& rng, double uptime_s);  // catalog_system.cc

}  // namespace vigil::datagen

#endif  // VIGIL_TOOLS_DATAGEN_CATALOG_H_
