// Decode throughput of OTLP/HTTP trace bodies, in spans per second, for typical ~500-byte spans in batches of
// 512 (an OpenTelemetry SDK's default batch): protobuf (the agent's and most SDKs' encoding) and JSON.
//
//   bazel run -c opt //wire/otlp:decode_benchmark
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "wire/otlp/decode_json.h"
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/encode_json.h"
#include "wire/otlp/test_util.h"

namespace vigil::wire::otlp {
namespace {

constexpr size_t kBatch = 512;

void BM_DecodeProto(benchmark::State& state) {
  const std::string body = EncodeTracesProto(testing::TypicalSpans(kBatch));
  for (auto _ : state) {
    absl::StatusOr<DecodedSpans> d = DecodeTracesProto(body);
    if (!d.ok() || d->spans.size() != kBatch) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / kBatch;
}
BENCHMARK(BM_DecodeProto);

void BM_DecodeJson(benchmark::State& state) {
  const std::string body = EncodeTracesJson(testing::TypicalSpans(kBatch));
  for (auto _ : state) {
    absl::StatusOr<DecodedSpans> d = DecodeTracesJson(body);
    if (!d.ok() || d->spans.size() != kBatch) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / kBatch;
}
BENCHMARK(BM_DecodeJson);

void BM_EncodeProto(benchmark::State& state) {
  const std::vector<Span> spans = testing::TypicalSpans(kBatch);
  for (auto _ : state) {
    std::string body = EncodeTracesProto(spans);
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_EncodeProto);

}  // namespace
}  // namespace vigil::wire::otlp
