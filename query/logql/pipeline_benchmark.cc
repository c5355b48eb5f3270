// Throughput of the hot paths: a literal line filter over ~100 MB of log lines (target >= 1 GB/s per core) and
// `| json | level="error"` over JSON application logs. Bytes/s is reported by Google Benchmark.
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "model/labels.h"
#include "query/logql/parser.h"
#include "query/logql/pipeline.h"

namespace vigil::logql {
namespace {

// ~100 MB of realistic lines; "needle" appears in about 1 line in 1000.
const std::vector<std::string>& TextLines() {
  static const std::vector<std::string>* const lines = [] {
    auto* out = new std::vector<std::string>();
    std::mt19937 rng(1);
    const char* levels[] = {"info", "debug", "warn", "error"};
    const char* paths[] = {"/api/v1/users", "/api/v1/orders", "/healthz", "/metrics", "/api/v2/search?q=shoes"};
    size_t total = 0;
    while (total < 100u << 20) {
      std::string l = "ts=2024-05-01T12:34:56.789Z level=";
      l += levels[rng() % 4];
      l += " caller=server/handler.go:" + std::to_string(rng() % 900) + " msg=\"request served\" method=GET path=";
      l += paths[rng() % 5];
      l += " status=" + std::to_string(200 + rng() % 4 * 100) + " duration=" + std::to_string(rng() % 5000) +
           "ms trace_id=" + std::to_string(rng()) + std::to_string(rng());
      if (rng() % 1000 == 0) l += " needle";
      total += l.size();
      out->push_back(std::move(l));
    }
    return out;
  }();
  return *lines;
}

const std::vector<std::string>& JsonLines() {
  static const std::vector<std::string>* const lines = [] {
    auto* out = new std::vector<std::string>();
    std::mt19937 rng(2);
    const char* levels[] = {"info", "debug", "warn", "error"};
    for (int i = 0; i < 100000; ++i) {
      std::string l = R"({"ts":"2024-05-01T12:34:56.789Z","level":")";
      l += levels[rng() % 4];
      l += R"(","msg":"request served","req":{"method":"GET","path":"/api/v1/users/)" + std::to_string(rng() % 1000) +
           R"("},"status":)" + std::to_string(200 + rng() % 4 * 100) + R"(,"duration_ms":)" +
           std::to_string(rng() % 5000) + R"(,"trace_id":")" + std::to_string(rng()) + R"("})";
      out->push_back(std::move(l));
    }
    return out;
  }();
  return *lines;
}

void RunPipeline(benchmark::State& state, std::string_view query, const std::vector<std::string>& lines) {
  absl::StatusOr<std::unique_ptr<LogSelectorExpr>> sel = ParseLogSelector(query);
  if (!sel.ok()) {
    state.SkipWithError(std::string(sel.status().message()).c_str());
    return;
  }
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Compile((*sel)->stages);
  if (!p.ok()) {
    state.SkipWithError(std::string(p.status().message()).c_str());
    return;
  }
  const Labels stream = {{"app", "api"}, {"namespace", "prod"}};
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  int64_t kept = 0;
  for (auto _ : state) {
    for (const std::string& l : lines) kept += (*p)->Process(0, l, stream) ? 1 : 0;
  }
  benchmark::DoNotOptimize(kept);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["kept_per_iter"] = static_cast<double>(kept) / static_cast<double>(state.iterations());
}

void BM_LineFilterContains(benchmark::State& state) { RunPipeline(state, R"({app="api"} |= "needle")", TextLines()); }
BENCHMARK(BM_LineFilterContains)->Unit(benchmark::kMillisecond);

void BM_LineFilterRegexLiteral(benchmark::State& state) {
  RunPipeline(state, R"({app="api"} |~ "needle|haystack")", TextLines());
}
BENCHMARK(BM_LineFilterRegexLiteral)->Unit(benchmark::kMillisecond);

void BM_LineFilterRegexPrefiltered(benchmark::State& state) {
  RunPipeline(state, R"({app="api"} |~ "status=5\\d\\d duration=\\d+ms trace_id=9")", TextLines());
}
BENCHMARK(BM_LineFilterRegexPrefiltered)->Unit(benchmark::kMillisecond);

void BM_JsonLevelError(benchmark::State& state) {
  RunPipeline(state, R"({app="api"} | json | level="error")", JsonLines());
}
BENCHMARK(BM_JsonLevelError)->Unit(benchmark::kMillisecond);

void BM_LogfmtStatusFilter(benchmark::State& state) {
  RunPipeline(state, R"({app="api"} | logfmt | status >= 500)", TextLines());
}
BENCHMARK(BM_LogfmtStatusFilter)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace vigil::logql
