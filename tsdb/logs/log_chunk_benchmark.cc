// Chunk compression on generated logs: snappy against zstd levels 1-3, per log kind and chunk size. Reports
// compression speed (bytes_per_second, of raw block bytes), the stored/raw ratio and decompression speed.
//
//   bazel run -c opt //tsdb/logs:log_chunk_benchmark
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "tsdb/logs/log_chunk.h"
#include "tsdb/logs/log_generator.h"

namespace vigil::tsdb::logs {
namespace {

// A block of generated entries of about `bytes` bytes, a few ms apart.
std::string MakeBlock(LogKind kind, size_t bytes) {
  LogGenerator gen(kind, 42);
  std::string block;
  TimestampNs t = 1700000000000000000;
  TimestampNs prev = t;
  while (block.size() < bytes) {
    t += static_cast<TimestampNs>(gen.Uniform(50'000'000));
    AppendEntry(gen.Entry(t), &prev, &block);
  }
  return block;
}

CodecOptions CodecFor(int codec) {
  if (codec == 0) return {.codec = Codec::kSnappy, .zstd_level = 0};
  return {.codec = Codec::kZstd, .zstd_level = codec};
}

// Args: log kind, chunk KiB, codec (0 snappy, 1..3 zstd level).
void BM_Compress(benchmark::State& state) {
  const auto kind = static_cast<LogKind>(state.range(0));
  const std::string block = MakeBlock(kind, static_cast<size_t>(state.range(1)) << 10);
  const CodecOptions codec = CodecFor(static_cast<int>(state.range(2)));
  std::string blob;
  for (auto _ : state) {
    if (!CompressBlock(block, codec, &blob).ok()) state.SkipWithError("compress failed");
    benchmark::DoNotOptimize(blob.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * block.size()));
  state.counters["ratio"] = static_cast<double>(blob.size()) / static_cast<double>(block.size());
  state.SetLabel(absl::StrCat(std::string(LogKindName(kind)), "/", std::string(CodecName(codec.codec)),
                              codec.codec == Codec::kZstd ? std::to_string(codec.zstd_level) : ""));
}

void BM_Decompress(benchmark::State& state) {
  const auto kind = static_cast<LogKind>(state.range(0));
  const std::string block = MakeBlock(kind, static_cast<size_t>(state.range(1)) << 10);
  const CodecOptions codec = CodecFor(static_cast<int>(state.range(2)));
  std::string blob, out;
  if (!CompressBlock(block, codec, &blob).ok()) state.SkipWithError("compress failed");
  for (auto _ : state) {
    if (!DecompressBlock(blob, &out).ok()) state.SkipWithError("decompress failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * block.size()));
  state.SetLabel(absl::StrCat(std::string(LogKindName(kind)), "/", std::string(CodecName(codec.codec)),
                              codec.codec == Codec::kZstd ? std::to_string(codec.zstd_level) : ""));
}

void Args(benchmark::internal::Benchmark* b) {
  for (int kind = 0; kind <= 3; ++kind) {
    for (int kib : {256, 1024}) {
      for (int codec = 0; codec <= 3; ++codec) b->Args({kind, kib, codec});
    }
  }
}

BENCHMARK(BM_Compress)->Apply(Args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Decompress)->Apply(Args)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil::tsdb::logs
