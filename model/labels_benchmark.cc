// Benchmarks of the per-series hot paths: label set construction and hashing, materialising interned labels and
// matching label values.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/symbol_table.h"

namespace vigil {
namespace {

// A typical scraped series: metric name, target labels and two metric labels, in scrape (unsorted) order.
void BM_BuildAndHashSixLabels(benchmark::State& state) {
  LabelsBuilder builder;
  for (auto _ : state) {
    builder.Reset(Labels());
    builder.Set("__name__", "http_requests_total")
        .Set("job", "api-server")
        .Set("instance", "10.0.12.7:8080")
        .Set("method", "GET")
        .Set("code", "200")
        .Set("handler", "/api/v1/query_range");
    Labels l = builder.Build();
    benchmark::DoNotOptimize(l.Hash());
  }
}
BENCHMARK(BM_BuildAndHashSixLabels);

void BM_FromPairsSixLabels(benchmark::State& state) {
  for (auto _ : state) {
    Labels l = {{"__name__", "http_requests_total"},
                {"job", "api-server"},
                {"instance", "10.0.12.7:8080"},
                {"method", "GET"},
                {"code", "200"},
                {"handler", "/api/v1/query_range"}};
    benchmark::DoNotOptimize(l.Hash());
  }
}
BENCHMARK(BM_FromPairsSixLabels);

void BM_InternSixLabels(benchmark::State& state) {
  SymbolTable symbols;
  const Labels l = {{"__name__", "http_requests_total"},
                    {"job", "api-server"},
                    {"instance", "10.0.12.7:8080"},
                    {"method", "GET"},
                    {"code", "200"},
                    {"handler", "/api/v1/query_range"}};
  for (auto _ : state) {
    InternedLabels il = symbols.Intern(l);
    benchmark::DoNotOptimize(il.Hash());
  }
}
BENCHMARK(BM_InternSixLabels);

void BM_MaterializeSixLabels(benchmark::State& state) {
  SymbolTable symbols;
  std::vector<InternedLabels> series;
  for (int i = 0; i < 1000; ++i) {
    series.push_back(symbols.Intern(Labels{{"__name__", "http_requests_total"},
                                           {"job", "api-server"},
                                           {"instance", absl::StrCat("10.0.12.", i % 250, ":8080")},
                                           {"method", i % 2 == 0 ? "GET" : "POST"},
                                           {"code", absl::StrCat(200 + i % 5)},
                                           {"handler", absl::StrCat("/api/v1/h", i)}}));
  }
  size_t i = 0;
  for (auto _ : state) {
    Labels l = symbols.Materialize(series[i++ % series.size()]);
    benchmark::DoNotOptimize(l.size());
  }
}
BENCHMARK(BM_MaterializeSixLabels);

void BM_LabelsGet(benchmark::State& state) {
  const Labels l = {{"__name__", "http_requests_total"},
                    {"job", "api-server"},
                    {"instance", "10.0.12.7:8080"},
                    {"method", "GET"},
                    {"code", "200"},
                    {"handler", "/api/v1/query_range"}};
  for (auto _ : state) benchmark::DoNotOptimize(l.Get("method"));
}
BENCHMARK(BM_LabelsGet);

// Matching a realistic spread of values; state.range(0) picks the matcher.
void BM_MatcherMatches(benchmark::State& state) {
  struct Case {
    MatchType type;
    const char* value;
  };
  static const Case kCases[] = {
      {MatchType::kEqual, "api-server"},                                   // 0: string equality
      {MatchType::kRegexMatch, "api-server"},                              // 1: regex literal
      {MatchType::kRegexMatch, "api-server|web-frontend|batch|ingester"},  // 2: alternation set
      {MatchType::kRegexMatch, "api.*"},                                   // 3: prefix
      {MatchType::kRegexMatch, "(api|web)-[a-z]+[0-9]?"},                  // 4: general regex (RE2)
  };
  const Case& c = kCases[state.range(0)];
  absl::StatusOr<Matcher> m = Matcher::Create(c.type, "job", c.value);
  if (!m.ok()) {
    state.SkipWithError("matcher did not compile");
    return;
  }
  state.SetLabel(std::string(m->StrategyName()));
  const std::vector<std::string> values = {"api-server", "web-frontend", "batch", "node-exporter", "api-gateway",
                                           "ingester",   "querier",      "",      "apiserver2",    "web-x1"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(m->Matches(values[i++ % values.size()]));
}
BENCHMARK(BM_MatcherMatches)->DenseRange(0, 4);

}  // namespace
}  // namespace vigil
