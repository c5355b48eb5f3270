// Ingest throughput (spans/s through Consume, synced RocksDB writes) and FindTrace latency of the trace store.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock/clock.h"
#include "benchmark/benchmark.h"
#include "tsdb/kv/rocksdb_kv_store.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::traces {
namespace {

constexpr uint64_t kSec = 1'000'000'000;

std::string Dir(std::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", std::string(name));
  std::filesystem::remove_all(dir);
  return dir;
}

// A request of `n` spans: 10 traces of n/10 spans, one resource, realistic attributes.
std::vector<Span> Batch(uint64_t seq, int n) {
  auto res = std::make_shared<Resource>();
  res->attributes.push_back({"service.name", AnyValue::String("checkout")});
  res->attributes.push_back({"k8s.pod.name", AnyValue::String("checkout-7d9f-abcde")});
  std::vector<Span> spans;
  for (int i = 0; i < n; ++i) {
    Span s;
    std::string tid(16, '\0');
    for (int b = 0; b < 8; ++b) tid[b] = static_cast<char>((seq * 10 + i % 10) >> (8 * b));
    tid[15] = 1;
    s.trace_id = *TraceId::FromBytes(tid);
    std::string sid(8, '\0');
    sid[0] = static_cast<char>(i + 1);
    sid[7] = 1;
    s.span_id = *SpanId::FromBytes(sid);
    s.name = i % 10 == 0 ? "GET /api/cart" : "SELECT cart";
    s.start_time_unix_nano = 1700000000 * kSec + seq * kSec / 10 + static_cast<uint64_t>(i) * 1000;
    s.end_time_unix_nano = s.start_time_unix_nano + 5'000'000;
    s.attributes.push_back({"http.method", AnyValue::String("GET")});
    s.attributes.push_back({"http.status_code", AnyValue::Int(200)});
    s.attributes.push_back({"db.statement", AnyValue::String("SELECT * FROM cart WHERE id = ?")});
    s.resource = res;
    spans.push_back(std::move(s));
  }
  return spans;
}

void BM_Ingest(benchmark::State& state) {
  auto kv = *kv::RocksKvStore::Open(Dir("trace_ingest"), {});
  FakeClock clock;
  auto store = *TraceStore::Open(kv.get(), {}, &clock);
  const int n = static_cast<int>(state.range(0));
  uint64_t seq = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Span> b = Batch(seq++, n);
    state.ResumeTiming();
    if (!store->Consume(std::move(b)).ok()) state.SkipWithError("consume failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Ingest)->Arg(100)->Arg(1000)->UseRealTime();

void BM_FindTrace(benchmark::State& state) {
  auto kv = *kv::RocksKvStore::Open(Dir("trace_find"), {});
  FakeClock clock;
  auto store = *TraceStore::Open(kv.get(), {}, &clock);
  for (uint64_t seq = 0; seq < 2000; ++seq) {
    if (!store->Consume(Batch(seq, 100)).ok()) state.SkipWithError("consume failed");
  }
  Span probe = Batch(777, 10)[3];
  for (auto _ : state) {
    absl::StatusOr<std::vector<Span>> spans = store->FindTrace(probe.trace_id);
    if (!spans.ok() || spans->size() != 10) state.SkipWithError("trace not found whole");
    benchmark::DoNotOptimize(spans);
  }
}
BENCHMARK(BM_FindTrace);

}  // namespace
}  // namespace vigil::traces
