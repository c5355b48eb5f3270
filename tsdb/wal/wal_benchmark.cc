// WAL throughput on the real file system under /tmp: LogSamples with remote_write-sized batches (2000 samples)
// per sync policy and with concurrent writers, and replay speed over a ~256 MiB WAL.
//
//   bazel run //tsdb/wal:wal_benchmark
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fs/file_system.h"
#include "base/log/log.h"
#include "benchmark/benchmark.h"
#include "tsdb/wal/wal_reader.h"
#include "tsdb/wal/wal_writer.h"

namespace vigil::wal {
namespace {

constexpr size_t kBatch = 2000;

std::string MakeTempDir() {
  char tmpl[] = "/tmp/vigil_wal_bench_XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (dir == nullptr) abort();
  return dir;
}

void RemoveWal(const std::string& dir) {
  FileSystem* fs = RealFileSystem();
  absl::StatusOr<WalDirListing> listing = ListWalDir(fs, dir);
  if (!listing.ok()) return;
  for (uint32_t seg : listing->segments) (void)fs->Remove(JoinPath(dir, SegmentName(seg)));
  for (uint32_t cp : listing->checkpoints) (void)RemoveFileOrFlatDir(fs, JoinPath(dir, CheckpointName(cp)));
  (void)fs->Remove(dir);
}

// One scrape's worth of samples for 2000 series (refs spread like a head's), at time `t`.
std::vector<SampleRecord> Batch(uint64_t first_ref, int64_t t) {
  std::vector<SampleRecord> out;
  out.reserve(kBatch);
  for (size_t i = 0; i < kBatch; ++i) out.push_back({first_ref + i * 3, t + static_cast<int64_t>(i % 7), 0.25 * i});
  return out;
}

void BM_LogSamples(benchmark::State& state) {
  const auto policy = static_cast<SyncPolicy>(state.range(0));
  log::SetLevel(log::Level::kWarn);  // The periodic checkpoints below log at info.
  const std::string dir = MakeTempDir();
  auto wal = WalWriter::Open(RealFileSystem(), dir, {.sync_policy = policy});
  if (!wal.ok()) {
    state.SkipWithError(std::string(wal.status().message()).c_str());
    return;
  }
  std::vector<SampleRecord> batch = Batch(1000, 1700000000000);
  int64_t i = 0;
  for (auto _ : state) {
    for (SampleRecord& s : batch) s.t += 15000;
    if (!(*wal)->LogSamples(batch).ok()) state.SkipWithError("LogSamples failed");
    if (++i % 4096 == 0) {
      // Keep /tmp small: drop everything written so far.
      state.PauseTiming();
      absl::StatusOr<uint32_t> seg = (*wal)->Rotate();
      if (seg.ok()) (void)(*wal)->Checkpoint({}, *seg);
      state.ResumeTiming();
    }
  }
  const WalStats stats = (*wal)->Stats();
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(static_cast<int64_t>(stats.bytes_written));
  state.counters["bytes_per_sample"] = static_cast<double>(stats.bytes_written) / (state.iterations() * kBatch);
  state.counters["fsyncs"] = static_cast<double>(stats.fsyncs);
  (void)(*wal)->Close();
  RemoveWal(dir);
}
BENCHMARK(BM_LogSamples)
    ->ArgName("policy")
    ->Arg(static_cast<int>(SyncPolicy::kNone))
    ->Arg(static_cast<int>(SyncPolicy::kAlways))
    ->UseRealTime();

// Several threads writing with kAlways: group commit shares fdatasyncs between them.
std::unique_ptr<WalWriter> shared_wal;
std::string shared_dir;

void BM_LogSamplesConcurrentAlways(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_dir = MakeTempDir();
    shared_wal = *WalWriter::Open(RealFileSystem(), shared_dir, {.sync_policy = SyncPolicy::kAlways});
  }
  std::vector<SampleRecord> batch = Batch(1000 + 100000 * state.thread_index(), 1700000000000);
  for (auto _ : state) {
    if (!shared_wal->LogSamples(batch).ok()) state.SkipWithError("LogSamples failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  if (state.thread_index() == 0) {
    const WalStats stats = shared_wal->Stats();
    state.counters["commits"] = static_cast<double>(stats.commits);
    state.counters["fsyncs"] = static_cast<double>(stats.fsyncs);
    shared_wal.reset();
    RemoveWal(shared_dir);
  }
}
BENCHMARK(BM_LogSamplesConcurrentAlways)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_Replay(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  uint64_t bytes = 0;
  {
    auto wal = WalWriter::Open(RealFileSystem(), dir, {.segment_size = 64 << 20});
    std::vector<SeriesRecord> series;
    for (uint64_t ref = 1; ref <= 20000; ++ref) {
      series.push_back({ref, Labels{{"__name__", "node_cpu_seconds_total"},
                                    {"cpu", std::to_string(ref % 64)},
                                    {"instance", absl::StrCat("host-", ref / 64, ":9100")},
                                    {"job", "node"},
                                    {"mode", "idle"}}});
    }
    (void)(*wal)->LogSeries(series);
    int64_t t = 1700000000000;
    while ((*wal)->Stats().bytes_written < (uint64_t{256} << 20)) {
      for (uint64_t first = 1; first < 20000 && (*wal)->Stats().bytes_written < (uint64_t{256} << 20);
           first += kBatch * 3) {
        (void)(*wal)->LogSamples(Batch(first, t));
      }
      t += 15000;
    }
    bytes = (*wal)->Stats().bytes_written;
  }
  uint64_t samples = 0;
  for (auto _ : state) {
    absl::StatusOr<ReplayResult> r = Replay(
        RealFileSystem(), dir, [](std::span<const SeriesRecordView>) { return absl::OkStatus(); },
        [&](std::span<const SampleRecord> s) {
          samples += s.size();
          benchmark::DoNotOptimize(s.data());
          return absl::OkStatus();
        });
    if (!r.ok() || !r->corruptions.empty()) state.SkipWithError("replay failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  state.counters["wal_MiB"] = static_cast<double>(bytes) / (1 << 20);
  RemoveWal(dir);
}
BENCHMARK(BM_Replay)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace vigil::wal
