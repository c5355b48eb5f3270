// `{namespace="x"} |= "needle"` (a needle that never occurs, so every line is scanned) over about 200 MB of
// generated logs (mixed JSON, nginx and Java stack traces; 24 streams) stored in a LogStore on an in-memory kv
// store, flushed to compressed chunks. bytes_per_second counts raw line bytes scanned per CPU second of the
// benchmark thread (the query runs on one thread):
//
//   BM_LineFilterQuery   the whole query: store read (chunk decompression and decoding) + pipeline + result
//   BM_StoreScanOnly     the store's ForEachStream alone, for the share of the engine in the above
//   BM_CountOverTime     sum(count_over_time({namespace="x"} |= "needle"[1m])) as a range query, step 1m
//
//   bazel run -c opt //query/logengine:log_query_benchmark
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "benchmark/benchmark.h"
#include "query/logengine/engine.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/logs/log_generator.h"
#include "tsdb/logs/log_store.h"

namespace vigil::logengine {
namespace {

using tsdb::logs::LogEntry;
using tsdb::logs::LogEntryRef;

constexpr uint64_t kTargetBytes = uint64_t{200} << 20;
constexpr int kStreams = 24;
constexpr int64_t kStepNs = 1000000;  // 1 ms between lines of the whole data set

struct Data {
  FakeClock clock{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<tsdb::logs::LogStore> store;
  uint64_t bytes = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

const Data& GetData() {
  static Data* data = [] {
    auto* d = new Data;
    tsdb::logs::LogStoreOptions options;
    options.retention = absl::ZeroDuration();
    options.max_future = absl::ZeroDuration();
    d->store = *tsdb::logs::LogStore::Open(std::make_shared<kv::MemoryKvStore>(), options, &d->clock);
    std::vector<Labels> streams = tsdb::logs::GeneratedStreams(kStreams);
    for (Labels& l : streams) l = LabelsBuilder(l).Set("namespace", "x").Build();
    tsdb::logs::LogGenerator gen(tsdb::logs::LogKind::kMixed, 1);
    d->start_ns = absl::ToUnixNanos(d->clock.Now());
    int64_t next = 0;
    while (d->bytes < kTargetBytes) {
      std::vector<std::vector<LogEntry>> batch(kStreams);
      for (int i = 0; i < 10000; ++i, ++next) {
        LogEntry e = gen.Entry(d->start_ns + next * kStepNs);
        d->bytes += e.line.size();
        batch[static_cast<size_t>(next % kStreams)].push_back(std::move(e));
      }
      std::unique_ptr<tsdb::logs::LogAppender> app = d->store->NewAppender();
      for (int s = 0; s < kStreams; ++s) {
        if (!app->Append(streams[s], std::move(batch[s])).ok()) std::abort();
      }
      if (!app->Commit().ok()) std::abort();
    }
    if (!d->store->Flush().ok()) std::abort();
    d->end_ns = d->start_ns + next * kStepNs;
    return d;
  }();
  return *data;
}

void BM_LineFilterQuery(benchmark::State& state) {
  const Data& d = GetData();
  Engine engine(d.store.get(), {});
  QueryParams p;
  p.query = R"({namespace="x"} |= "needle")";
  p.start_ns = d.start_ns;
  p.end_ns = d.end_ns;
  p.limit = 1000;
  uint64_t scanned = 0;
  for (auto _ : state) {
    absl::StatusOr<QueryResult> r = engine.Query(p);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    scanned += r->stats.bytes_processed;
  }
  state.SetBytesProcessed(static_cast<int64_t>(scanned));
  state.counters["data_MB"] = static_cast<double>(d.bytes) / (1 << 20);
}
BENCHMARK(BM_LineFilterQuery)->Unit(benchmark::kMillisecond);

void BM_StoreScanOnly(benchmark::State& state) {
  const Data& d = GetData();
  std::vector<Matcher> m = {*Matcher::Create(MatchType::kEqual, "namespace", "x")};
  uint64_t scanned = 0;
  for (auto _ : state) {
    absl::Status st = d.store->ForEachStream(m, d.start_ns, d.end_ns, tsdb::logs::Direction::kBackward,
                                             [&](const Labels&, std::span<const LogEntryRef> entries) {
                                               for (const LogEntryRef& e : entries) scanned += e.line.size();
                                               return absl::OkStatus();
                                             });
    if (!st.ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(scanned));
}
BENCHMARK(BM_StoreScanOnly)->Unit(benchmark::kMillisecond);

void BM_CountOverTime(benchmark::State& state) {
  const Data& d = GetData();
  Engine engine(d.store.get(), {});
  QueryParams p;
  p.query = R"(sum(count_over_time({namespace="x"} |= "needle" [1m])))";
  p.start_ns = d.start_ns;
  p.end_ns = d.end_ns;
  p.step_ns = int64_t{60} * 1000000000;
  uint64_t scanned = 0;
  for (auto _ : state) {
    absl::StatusOr<QueryResult> r = engine.Query(p);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    scanned += r->stats.bytes_processed;
  }
  state.SetBytesProcessed(static_cast<int64_t>(scanned));
}
BENCHMARK(BM_CountOverTime)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::logengine
