// Store ingest throughput and stored size on generated logs: commits of pushes (1,000 entries over 100
// streams, about what one Promtail/Alloy batch carries) into a LogStore on RocksDB in a temporary directory,
// on one thread, WAL writes and chunk compression included. bytes_per_second counts line bytes;
// stored_ratio is compressed chunk bytes / line bytes, disk_ratio the database directory after a flush and
// full compaction / line bytes.
//
//   bazel run -c opt //tsdb/logs:log_store_benchmark
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/log/log.h"
#include "benchmark/benchmark.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/logs/log_generator.h"
#include "tsdb/logs/log_store.h"

namespace vigil::tsdb::logs {
namespace {

constexpr int kStreams = 100;
constexpr int kBatch = 1000;

// Args: log kind, codec (0 snappy, n: zstd level n).
void BM_StoreIngest(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);
  const auto kind = static_cast<LogKind>(state.range(0));
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/log_store_benchmark");
  std::filesystem::remove_all(dir);

  LogStoreOptions options;
  options.retention = absl::ZeroDuration();
  options.max_future = absl::ZeroDuration();
  options.codec = state.range(1) == 0 ? CodecOptions{Codec::kSnappy, 0}
                                      : CodecOptions{Codec::kZstd, static_cast<int>(state.range(1))};
  std::shared_ptr<kv::RocksKvStore> kv(*kv::RocksKvStore::Open(dir, options.kv));
  FakeClock clock;
  std::unique_ptr<LogStore> store = *LogStore::Open(kv, options, &clock);

  // Lines are generated fresh for every push (outside the timing): a replayed pool would repeat within a
  // chunk and flatter zstd's long window.
  LogGenerator gen(kind, 1);
  const TimestampNs t0 = absl::ToUnixNanos(clock.Now());
  const std::vector<Labels> streams = GeneratedStreams(kStreams);

  uint64_t bytes = 0;
  int64_t next = 0;
  std::vector<std::vector<LogEntry>> per_stream(kStreams);
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < kBatch; ++i, ++next) {
      LogEntry e = gen.Entry(t0 + next * 1'000'000);
      bytes += e.line.size();
      per_stream[static_cast<size_t>(next % kStreams)].push_back(std::move(e));
    }
    state.ResumeTiming();
    std::unique_ptr<LogAppender> app = store->NewAppender();
    for (int s = 0; s < kStreams; ++s) {
      if (!app->Append(streams[static_cast<size_t>(s)], std::move(per_stream[static_cast<size_t>(s)])).ok()) {
        state.SkipWithError("append failed");
      }
      per_stream[static_cast<size_t>(s)].clear();
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  if (!store->Flush().ok()) state.SkipWithError("flush failed");
  const LogStoreStats st = store->GetStoreStats();
  state.counters["stored_ratio"] =
      static_cast<double>(st.stored_bytes) / static_cast<double>(std::max<uint64_t>(st.line_bytes_persisted, 1));
  for (const auto& ns : kv->ListNamespaces()) (void)kv->CompactRange(*ns);
  (void)kv->CompactRange(*kv->DefaultNamespace());
  state.counters["disk_ratio"] = static_cast<double>(kv->TotalBytesOnDisk().value_or(0)) / static_cast<double>(bytes);
  state.counters["chunks"] = static_cast<double>(st.chunks);
  state.SetLabel(absl::StrCat(std::string(LogKindName(kind)), "/",
                              state.range(1) == 0 ? std::string("snappy") : absl::StrCat("zstd", state.range(1))));
  store.reset();
  kv.reset();
  std::filesystem::remove_all(dir);
}

BENCHMARK(BM_StoreIngest)
    ->Args({3, 3})
    ->Args({3, 1})
    ->Args({3, 5})
    ->Args({3, 0})
    ->Args({0, 3})
    ->Args({1, 3})
    ->Args({2, 3})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

}  // namespace
}  // namespace vigil::tsdb::logs
