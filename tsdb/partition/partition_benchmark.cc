// Select latency of PartitionStore on RocksDB: 100,000 synthetic series (100 metrics x 1,000 instances, two
// label values each), one 2h partition of 15 s samples in chunks of 240, queried for one hour.
//
//   bazel run -c opt //tsdb/partition:partition_benchmark
//
// Realistic data and bytes per sample: partition_report.cc.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "tsdb/partition/partition_store.h"
#include "tsdb/partition/partition_test_util.h"

namespace vigil::tsdb::partition {
namespace {

constexpr int kMetrics = 100;
constexpr int kInstances = 1000;
constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kStep = 15000;

PartitionStore* Store() {
  static PartitionStore* store = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/partition_benchmark";
    std::filesystem::remove_all(dir);
    auto opened = PartitionStore::Open(dir, {});
    if (!opened.ok()) std::abort();
    std::vector<SeriesChunks> series;
    series.reserve(kMetrics * kInstances);
    std::vector<Sample> samples;
    for (int m = 0; m < kMetrics; ++m) {
      for (int i = 0; i < kInstances; ++i) {
        samples.clear();
        double v = m * 7 + i;
        for (int64_t t = 0; t < 2 * kHour; t += kStep) samples.push_back({t, v += (i % 5)});
        Labels labels = {{"__name__", absl::StrCat("metric_", m)},
                         {"instance", absl::StrCat("host-", i, ".example.net:9100")},
                         {"job", "node"},
                         {"zone", absl::StrCat("z", i % 4)}};
        series.push_back(MakeSeries(std::move(labels), samples, 240));
      }
    }
    if (!(*opened)->WritePartition({0, 2 * kHour - 1}, series).ok()) std::abort();
    return opened->release();
  }();
  return store;
}

Matcher M(MatchType t, std::string n, std::string v) { return *Matcher::Create(t, std::move(n), std::move(v)); }

void RunSelect(benchmark::State& state, std::vector<Matcher> matchers) {
  PartitionStore* store = Store();
  size_t series = 0, samples = 0;
  for (auto _ : state) {
    auto q = *store->NewQuerier(kHour / 2, kHour / 2 + kHour - 1);
    absl::StatusOr<SelectResult> r = SelectAll(*q, matchers);
    if (!r.ok()) state.SkipWithError("select failed");
    series = r->size();
    samples = 0;
    for (const auto& [l, s] : *r) samples += s.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = static_cast<double>(series);
  state.counters["samples"] = static_cast<double>(samples);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
}

void BM_SelectOneSeries(benchmark::State& state) {
  RunSelect(state, {M(MatchType::kEqual, "__name__", "metric_42"),
                    M(MatchType::kEqual, "instance", "host-123.example.net:9100")});
}
BENCHMARK(BM_SelectOneSeries);

void BM_SelectOneMetric(benchmark::State& state) { RunSelect(state, {M(MatchType::kEqual, "__name__", "metric_42")}); }
BENCHMARK(BM_SelectOneMetric);

void BM_SelectMetricOneZone(benchmark::State& state) {
  RunSelect(state, {M(MatchType::kEqual, "__name__", "metric_42"), M(MatchType::kEqual, "zone", "z1")});
}
BENCHMARK(BM_SelectMetricOneZone);

void BM_SelectMetricInstanceRegex(benchmark::State& state) {
  RunSelect(state, {M(MatchType::kEqual, "__name__", "metric_42"), M(MatchType::kRegexMatch, "instance", "host-1.*")});
}
BENCHMARK(BM_SelectMetricInstanceRegex);

void BM_LabelValuesInstance(benchmark::State& state) {
  PartitionStore* store = Store();
  for (auto _ : state) {
    auto q = *store->NewQuerier(0, 2 * kHour);
    auto values = q->LabelValues("instance", {});
    benchmark::DoNotOptimize(values);
  }
}
BENCHMARK(BM_LabelValuesInstance);

}  // namespace
}  // namespace vigil::tsdb::partition
