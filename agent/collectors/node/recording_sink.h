// A MetricSink that keeps everything it receives, for tests of collectors (unit tests on fixture trees and the
// live comparison with node_exporter).
//
//   RecordingSink sink;
//   ASSERT_TRUE(collector->Collect(&sink).ok());
//   EXPECT_EQ(sink.Value("node_load1", ""), 0.45);
//   EXPECT_EQ(sink.Value("node_cpu_seconds_total", "{cpu=\"0\", mode=\"idle\"}"), 5517.67);
#ifndef VIGIL_AGENT_COLLECTORS_NODE_RECORDING_SINK_H_
#define VIGIL_AGENT_COLLECTORS_NODE_RECORDING_SINK_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/collector/collector.h"

namespace vigil::agent::node {

class RecordingSink : public MetricSink {
 public:
  struct RecordedFamily {
    exposition::MetricType type = exposition::MetricType::kUnknown;
    std::string help;
    // Series by their labels as Labels::ToString() prints them ("{cpu=\"0\", mode=\"idle\"}", "{}" for none).
    std::map<std::string, double> samples;
  };

  void Family(std::string_view name, exposition::MetricType type, std::string_view help,
              std::string_view unit = {}) override;
  void Sample(std::span<const Label> labels, double value) override;

  const std::map<std::string, RecordedFamily>& families() const { return families_; }
  // The value of one series; nullopt if absent. `labels` as in Family::samples; "" means "{}".
  std::optional<double> Value(std::string_view name, std::string_view labels) const;
  // Problems seen: a sample before any family, the same series twice, a family restarted with another type.
  const std::vector<std::string>& errors() const { return errors_; }
  void Clear();

 private:
  std::map<std::string, RecordedFamily> families_;
  std::string current_;
  std::vector<std::string> errors_;
};

}  // namespace vigil::agent::node

#endif  // VIGIL_AGENT_COLLECTORS_NODE_RECORDING_SINK_H_
