// Per-window cost of the two hottest range kernels: rate() and quantile_over_time() over 240 samples (an hour at
// a 15s scrape interval).
#include <cmath>
#include <vector>

#include "benchmark/benchmark.h"
#include "model/sample.h"
#include "query/functions/over_time.h"
#include "query/functions/range.h"

namespace vigil::query::functions {
namespace {

constexpr int kWindow = 240;
constexpr TimestampMs kStepMs = 15000;

// A counter with jittered increments and one reset, so the kernels take their realistic branches.
std::vector<Sample> CounterWindow() {
  std::vector<Sample> s;
  double v = 1000;
  for (int i = 0; i < kWindow; ++i) {
    v = (i == kWindow / 2) ? 3 : v + 10 + std::fmod(i * 7.3, 5.0);
    s.push_back({(i + 1) * kStepMs - 700, v});
  }
  return s;
}

void BM_ExtrapolatedRate(benchmark::State& state) {
  const std::vector<Sample> s = CounterWindow();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ExtrapolatedRate(s, 0, kWindow * kStepMs, true, true));
  }
  state.SetItemsProcessed(state.iterations() * kWindow);
}
BENCHMARK(BM_ExtrapolatedRate);

void BM_QuantileOverTime(benchmark::State& state) {
  const std::vector<Sample> s = CounterWindow();
  std::vector<double> scratch;
  for (auto _ : state) {
    benchmark::DoNotOptimize(QuantileOverTime(0.9, s, &scratch));
  }
  state.SetItemsProcessed(state.iterations() * kWindow);
}
BENCHMARK(BM_QuantileOverTime);

}  // namespace
}  // namespace vigil::query::functions
