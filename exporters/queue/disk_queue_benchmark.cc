// DiskQueue throughput: append then peek+ack of remote_write-sized records (one 2000-sample request body is
// ~20-60 KiB compressed), on InMemoryFileSystem (the queue's own cost) and on the real file system under /tmp
// per sync policy. Reported as bytes/s of record payload through append+peek+ack.
//
//   bazel run -c opt //exporters/queue:queue_benchmark
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fs/file_system.h"
#include "base/fs/in_memory_file_system.h"
#include "base/log/log.h"
#include "benchmark/benchmark.h"
#include "exporters/queue/disk_queue.h"

namespace vigil::queue {
namespace {

std::string Payload(size_t n) {
  std::string s(n, '\0');
  uint64_t x = 88172645463325252ULL;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

void RemoveTree(FileSystem* fs, const std::string& dir) {
  if (absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir); names.ok()) {
    for (const std::string& n : *names) (void)fs->Remove(JoinPath(dir, n));
  }
  (void)fs->Remove(dir);
}

// Appends a batch of records, then peeks and acknowledges them all.
void RunAppendAck(benchmark::State& state, FileSystem* fs, const std::string& dir, SyncPolicy policy) {
  log::SetLevel(log::Level::kWarn);
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  constexpr int kBatch = 64;
  const std::string payload = Payload(record_bytes);
  DiskQueueOptions o;
  o.sync_policy = policy;
  o.max_bytes = uint64_t{1} << 30;
  absl::StatusOr<std::unique_ptr<DiskQueue>> q = DiskQueue::Open(fs, dir, o);
  if (!q.ok()) {
    state.SkipWithError(std::string(q.status().message()).c_str());
    return;
  }
  QueueRecord rec;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      if (!(*q)->Append(payload, 2000).ok()) state.SkipWithError("append failed");
    }
    for (int i = 0; i < kBatch; ++i) {
      absl::StatusOr<bool> got = (*q)->Peek(&rec);
      if (!got.ok() || !*got || !(*q)->Ack(rec.id).ok()) state.SkipWithError("peek/ack failed");
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kBatch * static_cast<int64_t>(record_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBatch);
  q->reset();
}

void BM_AppendAckInMemory(benchmark::State& state) {
  InMemoryFileSystem fs;
  RunAppendAck(state, &fs, "/q", SyncPolicy::kNone);
}
BENCHMARK(BM_AppendAckInMemory)->Arg(1 << 10)->Arg(32 << 10)->Arg(256 << 10);

void BM_AppendAckRealFs(benchmark::State& state) {
  char tmpl[] = "/tmp/vigil_queue_bench_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) abort();
  const std::string dir = JoinPath(tmpl, "q");
  RunAppendAck(state, RealFileSystem(), dir, static_cast<SyncPolicy>(state.range(1)));
  RemoveTree(RealFileSystem(), dir);
  (void)RealFileSystem()->Remove(tmpl);
}
BENCHMARK(BM_AppendAckRealFs)
    ->ArgNames({"bytes", "policy"})
    ->Args({32 << 10, static_cast<int>(SyncPolicy::kNone)})
    ->Args({32 << 10, static_cast<int>(SyncPolicy::kInterval)})
    ->Args({32 << 10, static_cast<int>(SyncPolicy::kAlways)})
    ->UseRealTime();

}  // namespace
}  // namespace vigil::queue
