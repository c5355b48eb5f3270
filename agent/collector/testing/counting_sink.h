// A MetricSink that only counts what it receives, for benchmarks of collectors: the numbers measured are then
// the collectors' own cost (file reads, parsing), not a sink's.
#ifndef VIGIL_AGENT_COLLECTOR_TESTING_COUNTING_SINK_H_
#define VIGIL_AGENT_COLLECTOR_TESTING_COUNTING_SINK_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "agent/collector/collector.h"
#include "benchmark/benchmark.h"

namespace vigil::agent {

class CountingSink : public MetricSink {
 public:
  void Family(std::string_view, exposition::MetricType, std::string_view, std::string_view) override { ++families; }
  void Sample(std::span<const Label> labels, double value) override {
    ++samples;
    benchmark::DoNotOptimize(labels.data());
    benchmark::DoNotOptimize(value);
  }

  // Families started and samples received since construction (or since the caller last reset them).
  int64_t families = 0;
  int64_t samples = 0;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_COLLECTOR_TESTING_COUNTING_SINK_H_
