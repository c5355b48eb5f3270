// Tailing + parsing + encoding throughput of the agent's log path, in MB/s of log file text (the whole CRI
// file, framing included; `msg_bytes_per_second` counts message bytes only): generated CRI files of JSON app
// logs, nginx access logs and Java stack traces (one CRI line per text line) spread over 16 containers, read
// through the real file system (page cache), parsed, grouped, encoded as snappy Loki pushes and acknowledged.
// One thread; the positions file is written (without fsync) at every Ack, as in production but for the fsync.
//
//   bazel run -c opt //agent/logs:tailer_benchmark
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/logs/tailer.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "benchmark/benchmark.h"
#include "tsdb/logs/log_generator.h"
#include "wire/loki/push_encode.h"

namespace vigil::agent::logs {
namespace {

constexpr int kContainers = 16;
constexpr size_t kBytesPerFile = 4 << 20;

// Writes the files once; returns the directory of the pods tree and the total bytes.
const std::string& GeneratedPods(size_t* total, size_t* msg_total) {
  static size_t bytes = 0;
  static size_t msg_bytes = 0;
  static const std::string* root = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto* dir = new std::string(absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/tailer_benchmark"));
    std::filesystem::remove_all(*dir);
    tsdb::logs::LogGenerator gen(tsdb::logs::LogKind::kMixed, 1);
    int64_t t = absl::ToUnixNanos(absl::FromUnixSeconds(1795341600));
    for (int c = 0; c < kContainers; ++c) {
      const std::string d =
          absl::StrCat(*dir, "/pods/ns", c % 4, "_app-", c, "_0b1c2d3e-aaaa-bbbb-cccc-", 100000 + c, "/app");
      std::filesystem::create_directories(d);
      std::string text;
      while (text.size() < kBytesPerFile) {
        t += 1000003;
        const std::string line = gen.Line(t);
        const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", absl::FromUnixNanos(t), absl::UTCTimeZone());
        size_t start = 0;
        while (start <= line.size()) {
          size_t nl = line.find('\n', start);
          if (nl == std::string::npos) nl = line.size();
          absl::StrAppend(&text, ts, " stdout F ", line.substr(start, nl - start), "\n");
          msg_bytes += nl - start;
          start = nl + 1;
        }
      }
      bytes += text.size();
      (void)RealFileSystem()->WriteFileAtomic(d + "/0.log", text, false);
    }
    return dir;
  }();
  *total = bytes;
  *msg_total = msg_bytes;
  return *root;
}

void BM_TailParseEncode(benchmark::State& state) {
  size_t total = 0;
  size_t msg_total = 0;
  const std::string& dir = GeneratedPods(&total, &msg_total);
  std::string body;
  std::string scratch;
  size_t entries = 0;
  size_t body_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    TailerOptions o;
    o.cri_paths = {dir + "/pods/*/*/*.log"};
    o.docker_paths = {};
    o.node = "node-1";
    o.positions_file = dir + "/positions";
    o.sync_positions = false;
    o.poll_bytes = 1 << 20;
    (void)RealFileSystem()->Remove(o.positions_file);
    std::unique_ptr<Tailer> t = *Tailer::Create(o, RealFileSystem(), RealClock(), nullptr);
    state.ResumeTiming();
    size_t read = 0;
    while (true) {
      LogBatch b = t->Poll();
      if (b.empty()) break;
      wire::loki::EncodePushRequestSnappy(b.PushStreams(), &body, &scratch);
      read += b.bytes_read;
      entries += b.entries;
      body_bytes += body.size();
      (void)t->Ack(b.token);
    }
    if (read != total) state.SkipWithError("did not read every byte");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
  state.counters["msg_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * msg_total), benchmark::Counter::kIsRate);
  state.counters["entries"] = static_cast<double>(entries) / static_cast<double>(state.iterations());
  state.counters["push_ratio"] = static_cast<double>(body_bytes) / static_cast<double>(state.iterations() * total);
}
BENCHMARK(BM_TailParseEncode)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace vigil::agent::logs
