// Benchmarks of series selection: the postings set operations and PostingsForMatchers over an index shaped like
// a fleet of node_exporter-style targets.
//
//   bazel run //tsdb/index:postings_benchmark
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/symbol_table.h"
#include "tsdb/index/mem_postings.h"
#include "tsdb/index/postings.h"

namespace vigil::tsdb {
namespace {

std::vector<SeriesId> EveryNth(size_t n, SeriesId step, SeriesId offset) {
  std::vector<SeriesId> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = offset + i * step;
  return out;
}

// Intersect of a list of range(0) ids with one of 1 M ids: linear when similar, galloping when small.
void BM_Intersect(benchmark::State& state) {
  const size_t small = static_cast<size_t>(state.range(0));
  const std::vector<SeriesId> big = EveryNth(1'000'000, 2, 0);
  const std::vector<SeriesId> a = EveryNth(small, 2'000'000 / small, 1000);
  std::vector<SeriesId> out;
  for (auto _ : state) {
    Intersect(a, big, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * small));
}
BENCHMARK(BM_Intersect)->Arg(100)->Arg(10'000)->Arg(1'000'000);

// k-way union of range(0) lists totalling 1 M ids.
void BM_Union(benchmark::State& state) {
  const size_t k = static_cast<size_t>(state.range(0));
  std::vector<std::vector<SeriesId>> owned;
  for (size_t i = 0; i < k; ++i) owned.push_back(EveryNth(1'000'000 / k, k, i));
  std::vector<PostingsSpan> lists(owned.begin(), owned.end());
  std::vector<SeriesId> out;
  for (auto _ : state) {
    Union(lists, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 1'000'000));
}
BENCHMARK(BM_Union)->Arg(2)->Arg(16)->Arg(1024);

// 1000 targets x 200 series: job (10 values), instance (1000), __name__ (200), mode (8 values on a quarter).
struct Fixture {
  Fixture() {
    SeriesId id = 1;
    for (int target = 0; target < 1000; ++target) {
      for (int metric = 0; metric < 200; ++metric) {
        LabelsBuilder b;
        b.Set("__name__", absl::StrCat("node_metric_", metric));
        b.Set("job", absl::StrCat("job-", target % 10));
        b.Set("instance", absl::StrCat("10.0.", target / 256, ".", target % 256, ":9100"));
        if (metric % 4 == 0) b.Set("mode", absl::StrCat("mode", metric % 8));
        interned.push_back(symbols.Intern(b.Build()));
        index.Add(id++, interned.back());
      }
    }
  }
  SymbolTable symbols;
  MemPostings index{&symbols};
  std::vector<InternedLabels> interned;
};

Fixture& SharedFixture() {
  static Fixture* f = new Fixture();
  return *f;
}

Matcher M(MatchType type, std::string name, std::string value) {
  return *Matcher::Create(type, std::move(name), std::move(value));
}

void RunSelector(benchmark::State& state, const std::vector<Matcher>& ms) {
  Fixture& f = SharedFixture();
  size_t n = 0;
  for (auto _ : state) {
    std::vector<SeriesId> ids = f.index.PostingsForMatchers(ms);
    n = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.counters["series"] = static_cast<double>(n);
}

void BM_SelectMetricAndJob(benchmark::State& state) {
  RunSelector(state, {M(MatchType::kEqual, "__name__", "node_metric_7"), M(MatchType::kEqual, "job", "job-3")});
}
BENCHMARK(BM_SelectMetricAndJob);

void BM_SelectMetricInstanceRegex(benchmark::State& state) {
  RunSelector(state, {M(MatchType::kEqual, "__name__", "node_metric_8"),
                      M(MatchType::kRegexMatch, "instance", "10\\.0\\.1\\..*")});
}
BENCHMARK(BM_SelectMetricInstanceRegex);

void BM_SelectMetricNotMode(benchmark::State& state) {
  RunSelector(state, {M(MatchType::kEqual, "__name__", "node_metric_12"), M(MatchType::kNotEqual, "mode", "mode0")});
}
BENCHMARK(BM_SelectMetricNotMode);

void BM_SelectJobRegexAll(benchmark::State& state) { RunSelector(state, {M(MatchType::kRegexMatch, "job", "job-.*")}); }
BENCHMARK(BM_SelectJobRegexAll);

}  // namespace
}  // namespace vigil::tsdb
