// Rendering /metrics for a node with 300 containers (the budget: <= 5 ms), and filling the snapshot in
// a collection cycle. The snapshot resembles what the cgroup and node collectors write: 40 container_* families
// with kubelet-style labels (id, name, image, container, pod, namespace) per container, plus ~1000 node series.
//
//   bazel run -c opt //agent/snapshot:snapshot_benchmark
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/snapshot/snapshot.h"
#include "benchmark/benchmark.h"

namespace vigil::agent {
namespace {

using exposition::MetricType;

constexpr int kContainers = 300;
constexpr int kContainerFamilies = 40;

struct Container {
  std::string id, name, image, container, pod, ns;
};

std::vector<Container> MakeContainers() {
  std::vector<Container> out;
  for (int i = 0; i < kContainers; ++i) {
    const int pod = i / 3;
    std::string uid = absl::StrFormat("%08x_1b2c_4d5e_8f90_%012x", pod * 7919, pod);
    std::string cid = absl::StrFormat("%064x", static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
    out.push_back(Container{absl::StrCat("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod", uid,
                                         ".slice/cri-containerd-", cid, ".scope"),
                            cid, absl::StrCat("registry.example.com/team/app-", pod % 40, ":v1.", i % 7),
                            absl::StrCat("container-", i % 3), absl::StrCat("app-", pod, "-7d9f8c6b5-x2k4q"),
                            absl::StrCat("namespace-", pod % 12)});
  }
  return out;
}

void Fill(const std::vector<Container>& containers, Snapshot* s) {
  for (int f = 0; f < kContainerFamilies; ++f) {
    const std::string family = absl::StrCat("container_metric_", f, f % 2 == 0 ? "_total" : "_bytes");
    for (size_t i = 0; i < containers.size(); ++i) {
      const Container& c = containers[i];
      s->Family(family, f % 2 == 0 ? MetricType::kCounter : MetricType::kGauge, "A container metric.");
      Label labels[] = {{"container", c.container}, {"id", c.id},   {"image", c.image},
                        {"name", c.name},           {"pod", c.pod}, {"namespace", c.ns}};
      s->Sample(labels, static_cast<double>(i * 1000 + f) + 0.125);
    }
  }
  for (int cpu = 0; cpu < 64; ++cpu) {
    s->Family("node_cpu_seconds_total", MetricType::kCounter, "Seconds the CPUs spent in each mode.", "seconds");
    for (const char* mode : {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"}) {
      std::string c = absl::StrCat(cpu);
      Label labels[] = {{"cpu", c}, {"mode", mode}};
      s->Sample(labels, 123456.78 + cpu);
    }
  }
  for (int m = 0; m < 500; ++m) {
    s->Family(absl::StrCat("node_misc_", m), MetricType::kGauge, "A node metric.");
    s->Sample({}, m * 1.5);
  }
}

void BM_Render(benchmark::State& state) {
  const auto format = static_cast<exposition::Format>(state.range(0));
  std::vector<Container> containers = MakeContainers();
  Snapshot s;
  s.Reset(0);
  Fill(containers, &s);
  s.Seal();
  std::string out;
  for (auto _ : state) {
    out.clear();
    s.Render(format, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["samples"] = static_cast<double>(s.num_samples());
  state.counters["bytes"] = static_cast<double>(out.size());
  state.counters["snapshot_bytes"] = static_cast<double>(s.MemoryBytes());
}
BENCHMARK(BM_Render)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Fill(benchmark::State& state) {
  std::vector<Container> containers = MakeContainers();
  Snapshot s;
  int64_t t = 0;
  for (auto _ : state) {
    s.Reset(++t);
    Fill(containers, &s);
    s.Seal();
  }
  state.counters["samples"] = static_cast<double>(s.num_samples());
}
BENCHMARK(BM_Fill)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::agent
