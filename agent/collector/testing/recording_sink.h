// A MetricSink that keeps every family and sample it receives, for unit tests and live tests of collectors (the
// node collectors on fixture trees and against node_exporter, the cgroup collector on fixture and real cgroups).
// It offers two views of what it received: families by name with their series keyed by Labels::ToString(), and
// the samples in arrival order with their labels as a map, for matching on a subset of labels.
//
//   RecordingSink sink;
//   ASSERT_TRUE(collector->Collect(&sink).ok());
//   EXPECT_EQ(sink.Value("node_cpu_seconds_total", "{cpu=\"0\", mode=\"idle\"}"), 5517.67);
//   EXPECT_EQ(sink.Find("container_memory_rss", {{"id", "/kubepods"}}), 1024);
#ifndef VIGIL_AGENT_COLLECTOR_TESTING_RECORDING_SINK_H_
#define VIGIL_AGENT_COLLECTOR_TESTING_RECORDING_SINK_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collector/collector.h"

namespace vigil::agent {

class RecordingSink : public MetricSink {
 public:
  // One family as the sink has seen it, merged over every time it was started.
  struct RecordedFamily {
    exposition::MetricType type = exposition::MetricType::kUnknown;
    std::string help;
    std::string unit;
    // How many times Family() started it; collectors should start each family once per cycle.
    int starts = 0;
    // Series by their labels as Labels::ToString() prints them ("{cpu=\"0\", mode=\"idle\"}", "{}" for none).
    // A duplicate series keeps its first value (and is reported in errors()).
    std::map<std::string, double> samples;
  };
  // One Sample() call, in arrival order.
  struct RecordedSample {
    std::string family;
    std::map<std::string, std::string> labels;  // empty values dropped, as the interface says
    double value = 0;
  };
  using LabelMap = std::map<std::string, std::string>;

  void Family(std::string_view name, exposition::MetricType type, std::string_view help,
              std::string_view unit = {}) override;
  void Sample(std::span<const Label> labels, double value) override;

  // Families by name.
  const std::map<std::string, RecordedFamily>& families() const { return families_; }
  // Every sample received, in order.
  const std::vector<RecordedSample>& samples() const { return samples_; }
  // Problems seen: a sample before any family, the same series twice, a family restarted with another type.
  const std::vector<std::string>& errors() const { return errors_; }

  // The value of one series; nullopt if absent. `labels` as in RecordedFamily::samples; "" means "{}".
  std::optional<double> Value(std::string_view name, std::string_view labels) const;
  // The value of the single sample of `family` whose labels include all of `match`; nullopt if none. Two
  // matches are a test failure the caller sees as nullopt too (use Count to tell).
  std::optional<double> Find(std::string_view family, const LabelMap& match) const;
  // How many samples of `family` have labels that include all of `match`.
  int Count(std::string_view family, const LabelMap& match = {}) const;
  // The labels of the first sample of `family` with label id=`id`; empty if none.
  LabelMap LabelsOf(std::string_view family, std::string_view id) const;

  // Forgets everything, to reuse the sink for another cycle.
  void Clear();

 private:
  std::map<std::string, RecordedFamily> families_;
  std::vector<RecordedSample> samples_;
  std::string current_;
  std::vector<std::string> errors_;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_COLLECTOR_TESTING_RECORDING_SINK_H_
