// Encode and decode speed of the chunk format, in samples per second, on the value shapes that dominate
// node_exporter data. Run: bazel run -c opt //tsdb/chunk:chunk_benchmark
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "benchmark/benchmark.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_iterator.h"

namespace vigil::tsdb {
namespace {

constexpr size_t kSamples = kDefaultChunkSamples;

enum Shape { kCpuCounter, kNanoDuration, kConstant, kJitteredCounter, kRandomBits };

double Decimal(int64_t m, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, static_cast<double>(m) / std::pow(10.0, digits));
  return std::strtod(buf, nullptr);
}

struct Data {
  std::vector<int64_t> t;
  std::vector<double> v;
};

Data Make(Shape shape) {
  std::mt19937_64 rng(shape);
  std::lognormal_distribution<double> lognormal(0, 0.35);
  Data d;
  int64_t c = 654758929;
  for (size_t i = 0; i < kSamples; ++i) {
    int64_t t = 1795298402957 + static_cast<int64_t>(i) * 15000;
    if (shape == kJitteredCounter && rng() % 50 == 0) t += 1 + static_cast<int64_t>(rng() % 25);
    d.t.push_back(t);
    c += 1300 + static_cast<int64_t>(rng() % 100);
    switch (shape) {
      case kCpuCounter:
      case kJitteredCounter:
        d.v.push_back(Decimal(c, 2));  // node_cpu_seconds_total
        break;
      case kNanoDuration:  // node_scrape_collector_duration_seconds
        d.v.push_back(Decimal(static_cast<int64_t>(300000 * lognormal(rng)), 9));
        break;
      case kConstant:
        d.v.push_back(1);
        break;
      case kRandomBits:
        d.v.push_back(std::bit_cast<double>(rng()));
        break;
    }
  }
  return d;
}

void BM_Encode(benchmark::State& state) {
  const Data d = Make(static_cast<Shape>(state.range(0)));
  ChunkEncoder encoder;
  encoder.Reserve(kSamples);
  std::string out;
  for (auto _ : state) {
    out.clear();
    absl::Status s = encoder.Encode(d.t, d.v, &out);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kSamples));
  state.counters["bytes/sample"] = static_cast<double>(out.size()) / kSamples;
}

void BM_AppendAndFinish(benchmark::State& state) {
  const Data d = Make(static_cast<Shape>(state.range(0)));
  ChunkAppender app(kSamples);
  std::string out;
  for (auto _ : state) {
    for (size_t i = 0; i < kSamples; ++i) {
      absl::Status s = app.Append(d.t[i], d.v[i]);
      benchmark::DoNotOptimize(s);
    }
    out.clear();
    app.FinishTo(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kSamples));
}

void BM_Decode(benchmark::State& state) {
  const Data d = Make(static_cast<Shape>(state.range(0)));
  ChunkEncoder encoder;
  std::string chunk;
  if (!encoder.Encode(d.t, d.v, &chunk).ok()) std::abort();
  for (auto _ : state) {
    ChunkIterator it(chunk);
    double sum = 0;
    while (it.Next()) sum += static_cast<double>(it.At().t) + it.At().v;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kSamples));
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgName("shape");
  for (int s : {kCpuCounter, kNanoDuration, kConstant, kJitteredCounter, kRandomBits}) b->Arg(s);
}

BENCHMARK(BM_Encode)->Apply(Shapes);
BENCHMARK(BM_AppendAndFinish)->Apply(Shapes);
BENCHMARK(BM_Decode)->Apply(Shapes);

}  // namespace
}  // namespace vigil::tsdb
