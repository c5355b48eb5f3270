// Generator throughput: samples per second from the fleet's cursors and as OpenMetrics text.
//
//   bazel run -c opt //tools/datagen:fleet_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "tools/datagen/fleet.h"
#include "tools/datagen/openmetrics.h"

namespace vigil::datagen {
namespace {

const Fleet& BenchFleet() {
  static const Fleet* fleet = [] {
    FleetOptions o;
    o.hosts = 20;
    o.duration_ms = 60 * 15000;
    return new Fleet(*Fleet::Create(o));
  }();
  return *fleet;
}

void BM_CreateFleet(benchmark::State& state) {
  FleetOptions o;
  o.hosts = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(Fleet::Create(o)->series().size());
  state.SetItemsProcessed(state.iterations() * state.range(0));  // hosts
}
BENCHMARK(BM_CreateFleet)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_GenerateSamples(benchmark::State& state) {
  const Fleet& fleet = BenchFleet();
  for (auto _ : state) {
    double sum = 0;
    for (size_t i = 0; i < fleet.series().size(); ++i) {
      SeriesCursor c(fleet, i);
      for (Sample s; c.Next(&s);) sum += s.v;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * fleet.total_samples()));
}
BENCHMARK(BM_GenerateSamples)->Unit(benchmark::kMillisecond);

void BM_WriteOpenMetrics(benchmark::State& state) {
  const Fleet& fleet = BenchFleet();
  uint64_t bytes = 0;
  for (auto _ : state) {
    OutputStats stats;
    (void)WriteOpenMetrics(
        fleet, [](std::string_view) { return absl::OkStatus(); }, &stats);
    bytes += stats.bytes;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * fleet.total_samples()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WriteOpenMetrics)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::datagen
