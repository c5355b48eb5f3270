// Benchmarks of the head: append throughput for existing series (by cached ref, as a scrape loop does, and by
// labels, as a remote_write handler does), resident memory per series, and selection.
//
//   bazel run //tsdb/head:head_benchmark
//
// Counters: items_per_second is samples per second (for the threaded runs, of all threads together);
// bytes_per_series is Head::MemoryBytes() / series.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "model/matcher.h"
#include "tsdb/head/head.h"

namespace vigil::tsdb {
namespace {

constexpr TimestampMs kStart = 1'700'000'000'000;
constexpr TimestampMs kInterval = 15'000;
// Samples per Commit: a remote_write request carries a few hundred to a few thousand.
constexpr int kBatch = 1000;

// node_exporter-like label sets: 6 labels, 100 series per target.
std::vector<Labels> MakeSeries(int n, int offset) {
  std::vector<Labels> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = offset; i < offset + n; ++i) {
    out.push_back({{"__name__", absl::StrCat("node_metric_", i % 100)},
                   {"instance", absl::StrCat("10.1.", i / 25600, ".", (i / 100) % 256, ":9100")},
                   {"job", "node"},
                   {"cpu", absl::StrCat(i % 8)},
                   {"mode", i % 3 == 0 ? "idle" : "user"},
                   {"env", "prod"}});
  }
  return out;
}

// Value of series i at step s: counters moving by decimal steps, a mix as in node_exporter.
double Value(int i, int64_t s) { return 1000.0 + static_cast<double>(s) * (i % 4 == 0 ? 0.0 : 0.25 * (i % 7)); }

std::unique_ptr<Head> NewHead() { return *Head::Create(HeadOptions()); }

// The head the append benchmarks' threads share: made before the threads start and dropped after they end.
std::unique_ptr<Head>& SharedHead() {
  static std::unique_ptr<Head>* head = new std::unique_ptr<Head>();
  return *head;
}
void MakeSharedHead(const benchmark::State&) { SharedHead() = NewHead(); }

// The first step a run may append at: after everything an earlier run of the same benchmark appended.
int64_t FirstStep(const Head& head) {
  return head.MaxTime() == kMinTimestampMs ? 0 : (head.MaxTime() - kStart) / kInterval + 1;
}
void DropSharedHead(const benchmark::State&) { SharedHead().reset(); }

// Appends one sample per series per step, kBatch samples per commit.
void BM_AppendByRef(benchmark::State& state) {
  Head* head = SharedHead().get();
  const int n = static_cast<int>(state.range(0));
  const std::vector<Labels> series = MakeSeries(n, state.thread_index() * n);
  std::vector<SeriesRef> refs(series.size(), 0);
  const int64_t first = FirstStep(*head);
  auto app = head->NewAppender();
  for (size_t i = 0; i < series.size(); ++i)
    refs[i] = app->Append(0, series[i], kStart + first * kInterval, 0).value_or(0);
  if (!app->Commit().ok()) state.SkipWithError("commit failed");
  int64_t step = first + 1;
  int64_t refused = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    const TimestampMs t = kStart + step * kInterval;
    for (int i = 0; i < n; ++i) {
      refused += app->Append(refs[static_cast<size_t>(i)], Labels(), t, Value(i, step)).ok() ? 0 : 1;
      if ((i + 1) % kBatch == 0) benchmark::DoNotOptimize(app->Commit());
    }
    benchmark::DoNotOptimize(app->Commit());
    samples += n;
    ++step;
  }
  state.SetItemsProcessed(samples);
  if (refused > 0) state.SkipWithError("samples refused");
  if (state.thread_index() == 0) {
    state.counters["bytes_per_series"] = static_cast<double>(head->MemoryBytes()) / (n * state.threads());
    state.counters["samples_per_series"] = static_cast<double>(step);  // over all runs
  }
}
BENCHMARK(BM_AppendByRef)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Setup(MakeSharedHead)
    ->Teardown(DropSharedHead)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_AppendByRef)
    ->Arg(50'000)
    ->Threads(2)
    ->Setup(MakeSharedHead)
    ->Teardown(DropSharedHead)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// As BM_AppendByRef, but every Append names the series by labels (the remote_write path).
void BM_AppendByLabels(benchmark::State& state) {
  Head* head = SharedHead().get();
  const int n = static_cast<int>(state.range(0));
  const std::vector<Labels> series = MakeSeries(n, state.thread_index() * n);
  const int64_t first = FirstStep(*head);
  auto app = head->NewAppender();
  for (size_t i = 0; i < series.size(); ++i)
    benchmark::DoNotOptimize(app->Append(0, series[i], kStart + first * kInterval, 0));
  if (!app->Commit().ok()) state.SkipWithError("commit failed");
  int64_t step = first + 1;
  int64_t refused = 0;
  int64_t samples = 0;
  for (auto _ : state) {
    const TimestampMs t = kStart + step * kInterval;
    for (int i = 0; i < n; ++i) {
      refused += app->Append(0, series[static_cast<size_t>(i)], t, Value(i, step)).ok() ? 0 : 1;
      if ((i + 1) % kBatch == 0) benchmark::DoNotOptimize(app->Commit());
    }
    benchmark::DoNotOptimize(app->Commit());
    samples += n;
    ++step;
  }
  state.SetItemsProcessed(samples);
  if (refused > 0) state.SkipWithError("samples refused");
}
BENCHMARK(BM_AppendByLabels)
    ->Arg(100'000)
    ->Setup(MakeSharedHead)
    ->Teardown(DropSharedHead)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_AppendByLabels)
    ->Arg(50'000)
    ->Threads(2)
    ->Setup(MakeSharedHead)
    ->Teardown(DropSharedHead)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Resident bytes per series after range(1) samples per series (15 s apart): 120 = 30 min (half an open chunk),
// 480 = 2 h (two closed chunks), 720 = 3 h (a persistence cycle's worth).
void BM_MemoryPerSeries(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int steps = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::unique_ptr<Head> head = NewHead();
    const std::vector<Labels> series = MakeSeries(n, 0);
    std::vector<SeriesRef> refs(series.size(), 0);
    auto app = head->NewAppender();
    for (int s = 0; s < steps; ++s) {
      for (int i = 0; i < n; ++i) {
        refs[static_cast<size_t>(i)] = *app->Append(refs[static_cast<size_t>(i)], series[static_cast<size_t>(i)],
                                                    kStart + s * kInterval, Value(i, s));
      }
      benchmark::DoNotOptimize(app->Commit());
    }
    const HeadMemory m = head->Memory();
    state.counters["bytes_per_series"] = static_cast<double>(m.total()) / n;
    state.counters["series_bytes"] = static_cast<double>(m.series) / n;
    state.counters["maps_bytes"] = static_cast<double>(m.series_maps) / n;
    state.counters["postings_bytes"] = static_cast<double>(m.postings) / n;
    state.counters["symbols_bytes"] = static_cast<double>(m.symbols) / n;
  }
}
BENCHMARK(BM_MemoryPerSeries)
    ->Args({100'000, 120})
    ->Args({100'000, 480})
    ->Args({100'000, 720})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Select of one metric on one target range over 100k series with 240 samples each, reading every sample.
void BM_SelectAndRead(benchmark::State& state) {
  std::unique_ptr<Head> head = NewHead();
  const int n = 100'000;
  const std::vector<Labels> series = MakeSeries(n, 0);
  auto app = head->NewAppender();
  std::vector<SeriesRef> refs(series.size(), 0);
  for (int s = 0; s < 240; ++s) {
    for (int i = 0; i < n; ++i) {
      refs[static_cast<size_t>(i)] = *app->Append(refs[static_cast<size_t>(i)], series[static_cast<size_t>(i)],
                                                  kStart + s * kInterval, Value(i, s));
    }
    benchmark::DoNotOptimize(app->Commit());
  }
  const std::vector<Matcher> ms = {*Matcher::Create(MatchType::kEqual, "__name__", "node_metric_7"),
                                   *Matcher::Create(MatchType::kRegexMatch, "instance", "10\\.1\\.0\\..*")};
  int64_t samples = 0;
  std::vector<Sample> buf;
  for (auto _ : state) {
    auto q = *head->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
    auto set = q->Select(true, nullptr, ms);
    while (set->Next()) {
      buf.clear();
      benchmark::DoNotOptimize(set->At()->Iterator()->AppendRange(kMinTimestampMs, kMaxTimestampMs, &buf));
      samples += static_cast<int64_t>(buf.size());
    }
  }
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_SelectAndRead)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil::tsdb
