// One full node collection cycle (every default collector) on the real host, into a sink that only counts, so
// the numbers are the collectors' own cost: file reads, parsing, statfs. Run by hand:
//   bazel run -c opt //agent/collectors/node:node_collectors_benchmark
#include <memory>
#include <vector>

#include "agent/collector/testing/counting_sink.h"
#include "agent/collectors/node/node_collectors.h"
#include "benchmark/benchmark.h"

namespace vigil::agent::node {
namespace {

void BM_FullNodeCycle(benchmark::State& state) {
  std::vector<std::unique_ptr<Collector>> collectors = NewNodeCollectors(NodeOptions{});
  CountingSink sink;
  for (auto _ : state) {
    sink.samples = 0;
    for (auto& c : collectors) benchmark::DoNotOptimize(c->Collect(&sink));
  }
  state.counters["samples_per_cycle"] = static_cast<double>(sink.samples);
}
BENCHMARK(BM_FullNodeCycle)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

// Each collector alone, to see where a cycle's time goes.
void BM_Collector(benchmark::State& state) {
  const std::string_view name = NodeCollectorNames()[static_cast<size_t>(state.range(0))];
  NodeOptions options;
  options.enabled = {std::string(name)};
  std::vector<std::unique_ptr<Collector>> collectors = NewNodeCollectors(options);
  CountingSink sink;
  for (auto _ : state) benchmark::DoNotOptimize(collectors[0]->Collect(&sink));
  state.SetLabel(std::string(name));
}
BENCHMARK(BM_Collector)->DenseRange(0, 13)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil::agent::node
