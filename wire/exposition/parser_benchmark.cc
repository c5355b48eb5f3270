// Parser throughput on the data generator's OpenMetrics output and on a real node_exporter scrape.
//
//   bazel run -c opt //wire/exposition:parser_benchmark
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tools/datagen/fleet.h"
#include "tools/datagen/openmetrics.h"
#include "wire/exposition/parser.h"

namespace vigil::exposition {
namespace {

// 20 hosts x 60 steps of the generator's fleet (about 700k samples, 80 MB).
const std::string& GeneratorText() {
  static const std::string* text = [] {
    datagen::FleetOptions o;
    o.hosts = 20;
    o.duration_ms = 60 * 15000;
    auto fleet = datagen::Fleet::Create(o);
    auto* out = new std::string;
    (void)datagen::WriteOpenMetrics(*fleet, [&](std::string_view b) {
      out->append(b);
      return absl::OkStatus();
    });
    return out;
  }();
  return *text;
}

const std::string& NodeExporterText() {
  static const std::string* text = [] {
    std::ifstream in("wire/exposition/testdata/node_exporter_1.5.0.txt", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return new std::string(ss.str());
  }();
  return *text;
}

struct Count {
  uint64_t samples = 0;
  double sum = 0;
  void OnSample(const ParsedSample& s) {
    ++samples;
    sum += s.value + static_cast<double>(s.labels.size());
  }
  void OnMetadata(const FamilyMetadata&) {}
};

struct BuildLabels {
  uint64_t samples = 0;
  uint64_t hashes = 0;
  void OnSample(const ParsedSample& s) {
    ++samples;
    hashes ^= s.ToLabels().Hash();
  }
  void OnMetadata(const FamilyMetadata&) {}
};

struct SortLabels {
  uint64_t samples = 0;
  std::vector<Label> sorted;
  size_t n = 0;
  void OnSample(const ParsedSample& s) {
    ++samples;
    s.SortedLabels(&sorted);
    n += sorted.size();
  }
  void OnMetadata(const FamilyMetadata&) {}
};

template <typename Handler>
void Parse(benchmark::State& state, const std::string& text, Format format) {
  constexpr size_t kChunk = 64 << 10;  // as an HTTP body arrives
  uint64_t samples = 0;
  for (auto _ : state) {
    Handler handler;
    Parser parser(format);
    for (size_t pos = 0; pos < text.size(); pos += kChunk) {
      if (!parser.Feed(std::string_view(text).substr(pos, kChunk), handler).ok()) state.SkipWithError("parse error");
    }
    if (!parser.Finish(handler).ok()) state.SkipWithError("parse error");
    samples += handler.samples;
    benchmark::DoNotOptimize(handler);
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_ParseGeneratorOpenMetrics(benchmark::State& state) {
  Parse<Count>(state, GeneratorText(), Format::kOpenMetrics);
}
BENCHMARK(BM_ParseGeneratorOpenMetrics)->Unit(benchmark::kMillisecond);

void BM_ParseGeneratorOpenMetricsSortedLabels(benchmark::State& state) {
  Parse<SortLabels>(state, GeneratorText(), Format::kOpenMetrics);
}
BENCHMARK(BM_ParseGeneratorOpenMetricsSortedLabels)->Unit(benchmark::kMillisecond);

void BM_ParseGeneratorOpenMetricsToLabels(benchmark::State& state) {
  Parse<BuildLabels>(state, GeneratorText(), Format::kOpenMetrics);
}
BENCHMARK(BM_ParseGeneratorOpenMetricsToLabels)->Unit(benchmark::kMillisecond);

void BM_ParseNodeExporterText(benchmark::State& state) {
  Parse<Count>(state, NodeExporterText(), Format::kPrometheusText);
}
BENCHMARK(BM_ParseNodeExporterText);

}  // namespace
}  // namespace vigil::exposition
