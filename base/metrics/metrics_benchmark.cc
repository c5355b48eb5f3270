// Costs of the hot-path metric updates. Run by hand:
//   bazel run -c opt //base/metrics:metrics_benchmark
#include <string>

#include "base/metrics/metric.h"
#include "base/metrics/registry.h"
#include "benchmark/benchmark.h"

namespace vigil::metrics {
namespace {

void BM_CounterInc(benchmark::State& state) {
  static Counter* counter = new Counter();
  for (auto _ : state) counter->Inc();
  benchmark::DoNotOptimize(counter->Value());
}
BENCHMARK(BM_CounterInc)->ThreadRange(1, 8);

void BM_CounterAddFraction(benchmark::State& state) {
  static Counter* counter = new Counter();
  for (auto _ : state) counter->Add(0.25);
  benchmark::DoNotOptimize(counter->Value());
}
BENCHMARK(BM_CounterAddFraction)->ThreadRange(1, 8);

void BM_GaugeAdd(benchmark::State& state) {
  static Gauge* gauge = new Gauge();
  for (auto _ : state) gauge->Add(1);
  benchmark::DoNotOptimize(gauge->Value());
}
BENCHMARK(BM_GaugeAdd)->ThreadRange(1, 8);

void BM_HistogramObserve(benchmark::State& state) {
  static Histogram* histogram = new Histogram(DefaultBuckets());
  double v = 0;
  for (auto _ : state) {
    histogram->Observe(v);
    v += 0.001;
    if (v > 12) v = 0;
  }
  benchmark::DoNotOptimize(histogram->Snapshot());
}
BENCHMARK(BM_HistogramObserve)->ThreadRange(1, 8);

void BM_WithLabelsLookup(benchmark::State& state) {
  static Registry* registry = new Registry();
  static CounterFamily* family = *registry->NewCounter("requests_total", "h", {"method", "code"});
  for (auto _ : state) family->WithLabels({"GET", "200"})->Inc();
}
BENCHMARK(BM_WithLabelsLookup);

void BM_RenderText(benchmark::State& state) {
  Registry registry;
  CounterFamily* family = *registry.NewCounter("requests_total", "h", {"method", "code"});
  for (int i = 0; i < 100; ++i) family->WithLabels({"GET", std::to_string(200 + i)})->Add(i);
  HistogramFamily* latency = *registry.NewHistogram("latency_seconds", "h", {"handler"}, DefaultBuckets());
  for (int i = 0; i < 10; ++i) latency->WithLabels({"/h" + std::to_string(i)})->Observe(0.1 * i);
  std::string out;
  for (auto _ : state) {
    out.clear();
    registry.RenderText(&out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_RenderText);

}  // namespace
}  // namespace vigil::metrics
