// Engine throughput over MemoryStorage: rate() and sum by over 10k series for 1h at a 15s step (241 steps).
//   bazel run -c opt //query/engine:engine_benchmark
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "query/engine/engine.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query {
namespace {

constexpr int kSeries = 10'000;
constexpr int64_t kScrape = 15'000;
constexpr int64_t kHour = 3'600'000;

// 10k counters scraped every 15s over 1h5m (so the first 5m window of the hour is full), in 100 jobs.
tsdb::MemoryStorage* Storage() {
  static tsdb::MemoryStorage* storage = [] {
    auto* s = new tsdb::MemoryStorage();
    std::unique_ptr<tsdb::Appender> app = s->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      const Labels l = {{"__name__", "http_requests_total"},
                        {"job", absl::StrCat("job-", i % 100)},
                        {"instance", absl::StrCat("host-", i)}};
      tsdb::SeriesRef ref = 0;
      double v = 0;
      for (int64_t t = 0; t <= kHour + 5 * 60'000; t += kScrape) {
        v += static_cast<double>(i % 7 + 1);
        ref = *app->Append(ref, l, t, v);
      }
    }
    (void)app->Commit();
    return s;
  }();
  return storage;
}

void RunRange(benchmark::State& state, const char* query) {
  tsdb::MemoryStorage* storage = Storage();
  EngineOptions options;
  Engine engine(options);
  for (auto _ : state) {
    absl::StatusOr<QueryResult> r = engine.RangeQuery(storage, query, 5 * 60'000, kHour + 5 * 60'000, kScrape);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = kSeries;
  state.counters["steps"] = static_cast<double>(kHour / kScrape + 1);
}

void BM_Rate(benchmark::State& state) { RunRange(state, "rate(http_requests_total[5m])"); }
BENCHMARK(BM_Rate)->Unit(benchmark::kMillisecond);

void BM_SumByRate(benchmark::State& state) { RunRange(state, "sum by (job) (rate(http_requests_total[5m]))"); }
BENCHMARK(BM_SumByRate)->Unit(benchmark::kMillisecond);

void BM_SumBy(benchmark::State& state) { RunRange(state, "sum by (job) (http_requests_total)"); }
BENCHMARK(BM_SumBy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::query
