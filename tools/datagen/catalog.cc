// What a generated host exposes: node_exporter 1.5's families with their labels, and a value model per series.
// Rates, sizes and resolutions are those of a real scrape (wire/exposition/testdata/node_exporter_1.5.0.txt)
// widened to production shapes.
#include "tools/datagen/catalog.h"

#include <array>
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"

namespace vigil::datagen {
namespace {

using exposition::MetricType;

std::string Str(int i) { return std::to_string(i); }

// ---- CPU: node_cpu_seconds_total and the other per-CPU families.

void AddCpus(FleetBuilder& b, Rng& rng, double uptime_s) {
  const HostInfo& h = b.host();
  const uint32_t cpu_seconds =
      b.Family("node_cpu_seconds_total", MetricType::kCounter, "Seconds the CPUs spent in each mode.");
  const uint32_t guest = b.Family("node_cpu_guest_seconds_total", MetricType::kCounter,
                                  "Seconds the CPUs spent in guests (VMs) for each mode.");
  const uint32_t running = b.Family("node_schedstat_running_seconds_total", MetricType::kCounter,
                                    "Number of seconds CPU spent running a process.");
  const uint32_t waiting = b.Family("node_schedstat_waiting_seconds_total", MetricType::kCounter,
                                    "Number of seconds spent by processing waiting for this CPU.");
  const uint32_t slices =
      b.Family("node_schedstat_timeslices_total", MetricType::kCounter, "Number of timeslices executed by CPU.");
  const uint32_t processed =
      b.Family("node_softnet_processed_total", MetricType::kCounter, "Number of processed packets.");
  const uint32_t dropped = b.Family("node_softnet_dropped_total", MetricType::kCounter, "Number of dropped packets.");
  const uint32_t squeezed = b.Family("node_softnet_times_squeezed_total", MetricType::kCounter,
                                     "Number of times processing packets ran out of quota.");
  static constexpr std::array<const char*, 8> kModes = {"idle",    "iowait", "irq",    "nice",
                                                        "softirq", "steal",  "system", "user"};
  // Whether this host runs niced work; VMs have steal time, bare metal none.
  const double nice = rng.Chance(0.3) ? 1.0 : 0.0;
  const double steal = h.bare_metal ? 0.0 : 1.0;
  for (int cpu = 0; cpu < h.cpus; ++cpu) {
    const std::string c = Str(cpu);
    const double u = std::min(1.0, h.base_util * h.cpu_factor[cpu]);
    for (uint8_t mode = 0; mode < kModes.size(); ++mode) {
      ValueModel m;
      m.kind = ModelKind::kCpu;
      m.mode = mode;
      m.cpu = static_cast<uint16_t>(cpu);
      m.a = mode == 3 ? nice : mode == 5 ? steal : 1.0;
      // Start: the uptime split by the mean shares (fleet.cc's CpuShare at the mean utilisation), +-20 %.
      static constexpr std::array<double, 8> kMeanShare = {0, 0.03, 0.006, 0.004, 0.03, 0.01, 0.24, 0.64};
      const double share = mode == 0 ? 1 - u : kMeanShare[mode] * u * m.a;
      m.v0 = uptime_s * share * rng.Uniform(0.8, 1.2);
      m.resolution = 0.01;
      b.Add(cpu_seconds, "node_cpu_seconds_total", {{"cpu", c}, {"mode", kModes[mode]}}, m);
    }
    b.Add(guest, "node_cpu_guest_seconds_total", {{"cpu", c}, {"mode", "nice"}}, Const(0));
    b.Add(guest, "node_cpu_guest_seconds_total", {{"cpu", c}, {"mode", "user"}}, Const(0));
    b.Add(running, "node_schedstat_running_seconds_total", {{"cpu", c}},
          Counter(uptime_s * u, h.base_util, 1e-9, 1.0, 0.05, 0, 0, static_cast<uint16_t>(cpu)));
    b.Add(waiting, "node_schedstat_waiting_seconds_total", {{"cpu", c}},
          Counter(uptime_s * u * 0.05, h.base_util * 0.05, 1e-9, 1.0, 0.3, 0.01, 6, static_cast<uint16_t>(cpu)));
    b.Add(slices, "node_schedstat_timeslices_total", {{"cpu", c}},
          Counter(uptime_s * 300 * u, 300 * h.base_util, 1, 0.8, 0.2, 0.01, 4, static_cast<uint16_t>(cpu)));
    b.Add(processed, "node_softnet_processed_total", {{"cpu", c}},
          Counter(uptime_s * 40, 40, 1, 0.6, 0.3, 0.01, 10, static_cast<uint16_t>(cpu)));
    b.Add(dropped, "node_softnet_dropped_total", {{"cpu", c}}, Sparse(0, 0.0005, 2));
    b.Add(squeezed, "node_softnet_times_squeezed_total", {{"cpu", c}}, Sparse(rng.Int(0, 50), 0.01, 2));
  }
  if (!h.bare_metal) return;
  const uint32_t freq =
      b.Family("node_cpu_scaling_frequency_hertz", MetricType::kGauge, "Current scaled CPU thread frequency in hertz.");
  const uint32_t freq_min = b.Family("node_cpu_scaling_frequency_min_hertz", MetricType::kGauge,
                                     "Minimum scaled CPU thread frequency in hertz.");
  const uint32_t freq_max = b.Family("node_cpu_scaling_frequency_max_hertz", MetricType::kGauge,
                                     "Maximum scaled CPU thread frequency in hertz.");
  const uint32_t temp =
      b.Family("node_hwmon_temp_celsius", MetricType::kGauge, "Hardware monitor for temperature (input).");
  const uint32_t temp_crit =
      b.Family("node_hwmon_temp_crit_celsius", MetricType::kGauge, "Hardware monitor for temperature (crit).");
  const uint32_t rapl =
      b.Family("node_rapl_package_joules_total", MetricType::kCounter, "Current RAPL package value in joules.");
  const double max_hz = 1e8 * rng.Int(28, 45);
  for (int cpu = 0; cpu < h.cpus; ++cpu) {
    const std::string c = Str(cpu);
    b.Add(freq, "node_cpu_scaling_frequency_hertz", {{"cpu", c}}, Step(max_hz * 0.7, 0.3, 0.3, 1000));
    b.Add(freq_min, "node_cpu_scaling_frequency_min_hertz", {{"cpu", c}}, Const(8e8));
    b.Add(freq_max, "node_cpu_scaling_frequency_max_hertz", {{"cpu", c}}, Const(max_hz));
  }
  const int sockets = h.cpus > 12 ? 2 : 1;
  for (int s = 0; s < sockets; ++s) {
    const std::string chip = absl::StrFormat("platform_coretemp_%d", s);
    for (int core = 0; core <= std::min(h.cpus / sockets, 8); ++core) {
      const std::string sensor = absl::StrFormat("temp%d", core + 1);
      b.Add(temp, "node_hwmon_temp_celsius", {{"chip", chip}, {"sensor", sensor}}, Walk(45, 0.8, 30, 95, 1, 0.1));
      b.Add(temp_crit, "node_hwmon_temp_crit_celsius", {{"chip", chip}, {"sensor", sensor}}, Const(100));
    }
    b.Add(rapl, "node_rapl_package_joules_total",
          {{"index", Str(s)}, {"path", "/sys/class/powercap/intel-rapl:" + Str(s)}},
          Counter(uptime_s * 40, 40, 1e-6, 0.8, 0.1, 0, 0));
  }
}

// ---- Memory: node_memory_<field>_bytes from /proc/meminfo.

void AddMemory(FleetBuilder& b, Rng& rng) {
  const HostInfo& h = b.host();
  const double total =
      std::ldexp(1.0, static_cast<int>(std::log2(h.cpus)) + 1 + static_cast<int>(rng.Int(0, 2))) * kGiB -
      rng.Int(100, 400) * 1024 * kKiB;
  const double swap = rng.Chance(0.5) ? 0 : total / 4;
  const auto frac = [&](double f, double sigma_f) { return Walk(total * f, total * sigma_f, 0, total, kKiB, 0.02); };
  struct Field {
    const char* name;
    ValueModel model;
  };
  const Field fields[] = {
      {"MemTotal", Const(total)},
      {"MemFree", frac(0.2, 0.004)},
      {"MemAvailable", frac(0.55, 0.004)},
      {"Buffers", frac(0.01, 0.0002)},
      {"Cached", frac(0.35, 0.002)},
      {"SwapCached", swap > 0 ? Walk(4e6, 1e5, 0, 1e8, kKiB) : Const(0)},
      {"Active", frac(0.3, 0.003)},
      {"Inactive", frac(0.3, 0.003)},
      {"Active_anon", frac(0.15, 0.003)},
      {"Inactive_anon", frac(0.02, 0.0005)},
      {"Active_file", frac(0.15, 0.001)},
      {"Inactive_file", frac(0.28, 0.002)},
      {"Unevictable", Const(std::round(rng.Uniform(0, 3e7) / kKiB) * kKiB)},
      {"Mlocked", Const(std::round(rng.Uniform(0, 3e7) / kKiB) * kKiB)},
      {"SwapTotal", Const(swap)},
      {"SwapFree", swap > 0 ? Walk(swap * 0.95, swap * 0.001, 0, swap, kKiB) : Const(0)},
      {"Dirty", Walk(2e6, 5e5, 0, 5e8, kKiB, 0.3)},
      {"Writeback", Walk(0, 2e4, 0, 1e7, kKiB, 0.5)},
      {"AnonPages", frac(0.15, 0.003)},
      {"Mapped", frac(0.03, 0.0005)},
      {"Shmem", frac(0.01, 0.0001)},
      {"KReclaimable", frac(0.03, 0.0002)},
      {"Slab", frac(0.05, 0.0003)},
      {"SReclaimable", frac(0.03, 0.0002)},
      {"SUnreclaim", frac(0.02, 0.0001)},
      {"KernelStack", Walk(1.6e7, 1e5, 1e6, 1e9, kKiB)},
      {"PageTables", Walk(2.5e7, 3e5, 1e6, 1e10, kKiB)},
      {"NFS_Unstable", Const(0)},
      {"Bounce", Const(0)},
      {"WritebackTmp", Const(0)},
      {"CommitLimit", Const(std::round((total / 2 + swap) / kKiB) * kKiB)},
      {"Committed_AS", frac(0.4, 0.004)},
      {"VmallocTotal", Const(35184372087808)},
      {"VmallocUsed", Walk(6e7, 2e5, 1e7, 1e9, kKiB)},
      {"VmallocChunk", Const(0)},
      {"Percpu", Const(h.cpus * 1.5e6 - std::fmod(h.cpus * 1.5e6, kKiB))},
      {"HardwareCorrupted", Const(0)},
      {"AnonHugePages", Walk(total * 0.02, 2 * 1024 * kKiB, 0, total, 2 * 1024 * kKiB, 0.02)},
      {"ShmemHugePages", Const(0)},
      {"ShmemPmdMapped", Const(0)},
      {"FileHugePages", Const(0)},
      {"FilePmdMapped", Const(0)},
      {"Hugepagesize", Const(2 * 1024 * kKiB)},
      {"Hugetlb", Const(0)},
      {"DirectMap4k", Const(std::round(rng.Uniform(1e8, 6e8) / kKiB) * kKiB)},
      {"DirectMap2M", Const(std::round(total * 0.7 / (2048 * kKiB)) * 2048 * kKiB)},
      {"DirectMap1G", Const(h.bare_metal ? std::floor(total * 0.25 / kGiB) * kGiB : 0)},
  };
  for (const Field& f : fields) {
    const std::string name = absl::StrFormat("node_memory_%s_bytes", f.name);
    const uint32_t family =
        b.Family(name, MetricType::kGauge, absl::StrFormat("Memory information field %s_bytes.", f.name));
    b.Add(family, name, {}, f.model);
  }
  for (const char* count : {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"}) {
    const std::string name = absl::StrFormat("node_memory_%s", count);
    b.Add(b.Family(name, MetricType::kGauge, absl::StrFormat("Memory information field %s.", count)), name, {},
          Const(0));
  }
}

}  // namespace

void AddHostSeries(FleetBuilder& b, Rng& rng, double uptime_s) {
  AddCpus(b, rng, uptime_s);
  AddMemory(b, rng);
  AddFilesystemsDisksNetwork(b, rng, uptime_s);
  AddKernel(b, rng, uptime_s);
  AddExporterAndScrape(b, rng, uptime_s);
}

}  // namespace vigil::datagen
