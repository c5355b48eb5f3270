#include "tools/datagen/fleet.h"

#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::datagen {
namespace {

using exposition::MetricType;

FleetOptions Small(int hosts = 3) {
  FleetOptions o;
  o.seed = 42;
  o.hosts = hosts;
  o.interval_ms = 15000;
  o.duration_ms = 30 * 60 * 1000;
  o.end_ms = 1700000000000;
  return o;
}

// A fingerprint of every label set and sample.
uint64_t Fingerprint(const Fleet& fleet) {
  uint64_t h = 0;
  for (size_t i = 0; i < fleet.series().size(); ++i) {
    h = HashPair(h, fleet.series()[i].labels.Hash());
    SeriesCursor c(fleet, i);
    for (Sample s; c.Next(&s);) h = HashPair(HashPair(h, static_cast<uint64_t>(s.t)), std::bit_cast<uint64_t>(s.v));
  }
  return h;
}

std::vector<Sample> Samples(const Fleet& fleet, size_t series) {
  std::vector<Sample> out;
  SeriesCursor c(fleet, series);
  for (Sample s; c.Next(&s);) out.push_back(s);
  return out;
}

TEST(FleetTest, SameSeedSameData) {
  const Fleet a = *Fleet::Create(Small());
  const Fleet b = *Fleet::Create(Small());
  EXPECT_EQ(Fingerprint(a), Fingerprint(b));
  FleetOptions other = Small();
  other.seed = 43;
  EXPECT_NE(Fingerprint(*Fleet::Create(other)), Fingerprint(a));
}

TEST(FleetTest, SeriesDependOnlyOnTheirHost) {
  // Host 1 of a 2-host fleet and of a 4-host fleet starting at host 1 carry the same data.
  FleetOptions two = Small(2);
  FleetOptions four = Small(4);
  four.first_host = 1;
  const Fleet a = *Fleet::Create(two);
  const Fleet b = *Fleet::Create(four);
  std::map<std::string, std::vector<Sample>> from_a;
  for (size_t i = 0; i < a.series().size(); ++i) {
    if (a.hosts()[a.series()[i].host].index == 1) from_a[a.series()[i].labels.ToString()] = Samples(a, i);
  }
  size_t compared = 0;
  for (size_t i = 0; i < b.series().size(); ++i) {
    if (b.hosts()[b.series()[i].host].index != 1) continue;
    const auto it = from_a.find(b.series()[i].labels.ToString());
    ASSERT_NE(it, from_a.end()) << b.series()[i].labels.ToString();
    const std::vector<Sample> got = Samples(b, i);
    ASSERT_EQ(got.size(), it->second.size());
    for (size_t k = 0; k < got.size(); ++k) {
      ASSERT_EQ(got[k].t, it->second[k].t);
      ASSERT_EQ(std::bit_cast<uint64_t>(got[k].v), std::bit_cast<uint64_t>(it->second[k].v));
    }
    ++compared;
  }
  EXPECT_EQ(compared, from_a.size());
}

TEST(FleetTest, Shape) {
  FleetOptions o = Small(60);
  o.duration_ms = 15000;
  const Fleet fleet = *Fleet::Create(o);
  EXPECT_EQ(fleet.hosts().size(), 60u);
  EXPECT_EQ(fleet.steps(), 1);
  std::vector<size_t> per_host(60);
  std::vector<size_t> cpu_series(60);
  std::set<std::string> family_names;
  for (const FamilyInfo& f : fleet.families()) {
    EXPECT_TRUE(family_names.insert(f.name).second) << "family " << f.name << " twice";
    if (!f.unit.empty()) {
      EXPECT_TRUE(f.name.ends_with("_" + f.unit)) << f.name;
    }
  }
  std::set<std::string> names;
  for (const SeriesInfo& s : fleet.series()) {
    ASSERT_TRUE(ValidateLabels(s.labels).ok()) << s.labels.ToString();
    const HostInfo& h = fleet.hosts()[s.host];
    EXPECT_EQ(s.labels.Get("instance"), h.instance);
    EXPECT_EQ(s.labels.Get("job"), "node");
    const FamilyInfo& f = fleet.families()[s.family];
    const std::string_view name = s.labels.MetricName();
    EXPECT_TRUE(name.starts_with(f.name)) << name << " in " << f.name;
    if (f.type == MetricType::kCounter) {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    ++per_host[s.host];
    if (name == "node_cpu_seconds_total") ++cpu_series[s.host];
    names.insert(std::string(name));
  }
  EXPECT_THAT(fleet.hosts()[7].instance, ::testing::MatchesRegex("node00007\\.example:9100"));
  size_t bare_metal = 0;
  for (size_t h = 0; h < 60; ++h) {
    const HostInfo& host = fleet.hosts()[h];
    EXPECT_GE(host.cpus, 4);
    EXPECT_LE(host.cpus, 24);
    EXPECT_EQ(cpu_series[h], 8u * static_cast<size_t>(host.cpus));
    EXPECT_GE(per_host[h], 400u) << "host " << h;
    EXPECT_LE(per_host[h], 1100u) << "host " << h;
    EXPECT_GE(host.offset_ms, 0);
    EXPECT_LT(host.offset_ms, o.interval_ms);
    bare_metal += host.bare_metal;
  }
  EXPECT_GT(bare_metal, 10u);
  EXPECT_LT(bare_metal, 40u);
  EXPECT_GT(names.size(), 200u);
  for (const char* must : {"up", "scrape_duration_seconds", "node_uname_info", "node_boot_time_seconds", "node_load1",
                           "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes",
                           "node_network_receive_bytes_total", "node_disk_read_bytes_total",
                           "node_schedstat_running_seconds_total", "node_scrape_collector_duration_seconds"}) {
    EXPECT_TRUE(names.count(must)) << must;
  }
}

TEST(FleetTest, TimestampsAreOnEachHostsGrid) {
  const Fleet fleet = *Fleet::Create(Small());
  EXPECT_EQ(fleet.steps(), 120);
  for (size_t i = 0; i < fleet.series().size(); i += 97) {
    const std::vector<Sample> s = Samples(fleet, i);
    ASSERT_EQ(s.size(), 120u);
    const HostInfo& h = fleet.hosts()[fleet.series()[i].host];
    EXPECT_EQ(s[0].t, fleet.start_ms() + h.offset_ms);
    for (size_t k = 1; k < s.size(); ++k) EXPECT_EQ(s[k].t - s[k - 1].t, 15000);
    EXPECT_LT(s.back().t, fleet.options().end_ms);
  }
}

bool IsCounterFamily(const FamilyInfo& f) {
  return f.type == MetricType::kCounter || f.name.starts_with("node_vmstat_") || f.name == "go_gc_duration_seconds" ||
         (f.name.starts_with("node_netstat_") && f.name != "node_netstat_Tcp_CurrEstab");
}

TEST(FleetTest, CountersNeverDecreaseExceptAtReboots) {
  FleetOptions o = Small(6);
  o.duration_ms = 6 * 3600 * 1000;
  o.reboots_per_day = 8;  // ~2 reboots per host in 6 hours
  const Fleet fleet = *Fleet::Create(o);
  size_t reboots = 0;
  for (uint32_t h = 0; h < 6; ++h) {
    for (int64_t step = 0; step < fleet.steps(); ++step) reboots += fleet.RebootAt(h, step);
  }
  ASSERT_GT(reboots, 3u);
  size_t resets = 0;
  size_t counters = 0;
  for (size_t i = 0; i < fleet.series().size(); ++i) {
    const SeriesInfo& s = fleet.series()[i];
    const FamilyInfo& f = fleet.families()[s.family];
    const std::vector<Sample> v = Samples(fleet, i);
    if (s.labels.MetricName() == "node_boot_time_seconds") {
      for (size_t k = 1; k < v.size(); ++k) {
        EXPECT_EQ(v[k].v != v[k - 1].v, fleet.RebootAt(s.host, static_cast<int64_t>(k))) << k;
      }
    }
    if (!IsCounterFamily(f) || s.labels.Has("quantile")) continue;
    ++counters;
    for (size_t k = 1; k < v.size(); ++k) {
      if (fleet.RebootAt(s.host, static_cast<int64_t>(k))) {
        resets += v[k].v < v[k - 1].v;
        continue;
      }
      ASSERT_GE(v[k].v, v[k - 1].v) << s.labels.ToString() << " step " << k;
    }
  }
  EXPECT_GT(counters, 1000u);
  EXPECT_GT(resets, 100u);  // reboots do reset the counters
}

TEST(FleetTest, NoRebootsByDefaultWithinHours) {
  FleetOptions o = Small(3);
  o.reboots_per_day = 0;
  const Fleet fleet = *Fleet::Create(o);
  for (uint32_t h = 0; h < 3; ++h) {
    for (int64_t step = 0; step < fleet.steps(); ++step) EXPECT_FALSE(fleet.RebootAt(h, step));
  }
}

// Whether `v` is a multiple of 1/`inverse` as the nearest double of k/inverse.
bool OnGrid(double v, double inverse) { return std::round(v * inverse) / inverse == v; }

TEST(FleetTest, ValuesHaveTheRealResolutions) {
  const Fleet fleet = *Fleet::Create(Small(4));
  std::map<std::string, std::set<uint64_t>> distinct;
  size_t cpu = 0;
  for (size_t i = 0; i < fleet.series().size(); ++i) {
    const std::string name(fleet.series()[i].labels.MetricName());
    for (const Sample& s : Samples(fleet, i)) {
      ASSERT_TRUE(std::isfinite(s.v)) << name;
      if (name != "node_timex_offset_seconds") {
        ASSERT_GE(s.v, 0) << name;
      }
      distinct[name].insert(std::bit_cast<uint64_t>(s.v));
      if (name == "node_cpu_seconds_total") {
        ASSERT_TRUE(OnGrid(s.v, 100)) << s.v;
        ++cpu;
      } else if (name.starts_with("node_memory_") && name.ends_with("_bytes")) {
        ASSERT_EQ(std::fmod(s.v, 1024), 0) << name << " " << s.v;
      } else if (name.starts_with("node_load")) {
        ASSERT_TRUE(OnGrid(s.v, 100)) << s.v;
      } else if (name == "node_schedstat_running_seconds_total" || name == "node_scrape_collector_duration_seconds") {
        ASSERT_TRUE(OnGrid(s.v, 1e9) || s.v > 1e6) << s.v;  // ns, as far as a double holds them
      } else if (name == "node_uname_info" || name == "up") {
        ASSERT_EQ(s.v, 1);
      } else if (name.ends_with("_bytes_total") || name.starts_with("node_filesystem_")) {
        ASSERT_EQ(std::trunc(s.v), s.v) << name;
      }
    }
  }
  EXPECT_GT(cpu, 0u);
  // Near-constant gauges stay put; durations and ns counters look random.
  EXPECT_EQ(distinct["node_uname_info"].size(), 1u);
  EXPECT_EQ(distinct["node_boot_time_seconds"].size(), 4u);  // one per host
  EXPECT_GT(distinct["node_scrape_collector_duration_seconds"].size(), 10000u);
  EXPECT_GT(distinct["node_schedstat_running_seconds_total"].size(), 1000u);
  EXPECT_GT(distinct["node_memory_MemFree_bytes"].size(), 100u);
}

TEST(FleetTest, CpuModesAddUpToTheInterval) {
  const Fleet fleet = *Fleet::Create(Small(2));
  // Sum the per-step increments of all modes of each CPU.
  std::map<std::string, std::vector<double>> per_cpu;  // instance/cpu -> sum of increments per step
  for (size_t i = 0; i < fleet.series().size(); ++i) {
    const Labels& l = fleet.series()[i].labels;
    if (l.MetricName() != "node_cpu_seconds_total") continue;
    const std::vector<Sample> v = Samples(fleet, i);
    std::vector<double>& sum = per_cpu[std::string(l.Get("instance")) + "/" + std::string(l.Get("cpu"))];
    sum.resize(v.size());
    for (size_t k = 1; k < v.size(); ++k) sum[k] += v[k].v - v[k - 1].v;
  }
  ASSERT_GT(per_cpu.size(), 7u);
  for (const auto& [cpu, sums] : per_cpu) {
    for (size_t k = 1; k < sums.size(); ++k) {
      EXPECT_NEAR(sums[k], 15.0, 1.5) << cpu << " step " << k;
    }
  }
}

TEST(FleetTest, RejectsBadOptions) {
  FleetOptions o = Small();
  o.hosts = 0;
  EXPECT_EQ(Fleet::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.interval_ms = 0;
  EXPECT_EQ(Fleet::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.duration_ms = -1;
  EXPECT_EQ(Fleet::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.reboots_per_day = -1;
  EXPECT_EQ(Fleet::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Small();
  o.duration_ms = 0;
  EXPECT_EQ(Fleet::Create(o)->total_samples(), 0u);
}

}  // namespace
}  // namespace vigil::datagen
