// A MetricSink that keeps every family and sample it receives, for unit tests and benchmarks of collectors.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_RECORDING_SINK_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_RECORDING_SINK_H_

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collector/collector.h"

namespace vigil::agent::cgroup {

class RecordingSink : public MetricSink {
 public:
  struct Sample {
    std::string family;
    std::map<std::string, std::string> labels;  // empty values dropped, as the interface says
    double value = 0;
  };
  struct FamilyInfo {
    exposition::MetricType type = exposition::MetricType::kUnknown;
    std::string help;
    std::string unit;
    int starts = 0;
  };

  void Family(std::string_view name, exposition::MetricType type, std::string_view help,
              std::string_view unit) override {
    current_ = std::string(name);
    FamilyInfo& f = families_[current_];
    f.type = type;
    f.help = std::string(help);
    f.unit = std::string(unit);
    ++f.starts;
  }

  void Sample(std::span<const Label> labels, double value) override {
    struct Sample s;
    s.family = current_;
    for (const Label& l : labels) {
      if (!l.value.empty()) s.labels[std::string(l.name)] = std::string(l.value);
    }
    s.value = value;
    samples_.push_back(std::move(s));
  }

  // The value of the single sample of `family` whose labels include all of `match`; nullopt if none. Two
  // matches are a test failure the caller sees as nullopt too (use Count to tell).
  std::optional<double> Find(std::string_view family, const std::map<std::string, std::string>& match) const {
    std::optional<double> found;
    int n = 0;
    for (const struct Sample& s : samples_) {
      if (s.family != family) continue;
      if (!std::all_of(match.begin(), match.end(), [&](const auto& kv) {
            auto it = s.labels.find(kv.first);
            return it != s.labels.end() && it->second == kv.second;
          })) {
        continue;
      }
      found = s.value;
      ++n;
    }
    return n == 1 ? found : std::nullopt;
  }

  // Samples of `family` whose labels include all of `match`.
  int Count(std::string_view family, const std::map<std::string, std::string>& match = {}) const {
    int n = 0;
    for (const struct Sample& s : samples_) {
      if (s.family != family) continue;
      if (std::all_of(match.begin(), match.end(), [&](const auto& kv) {
            auto it = s.labels.find(kv.first);
            return it != s.labels.end() && it->second == kv.second;
          })) {
        ++n;
      }
    }
    return n;
  }

  // The labels of the first sample of `family` with label id=`id`.
  std::map<std::string, std::string> LabelsOf(std::string_view family, std::string_view id) const {
    for (const struct Sample& s : samples_) {
      auto it = s.labels.find("id");
      if (s.family == family && it != s.labels.end() && it->second == id) return s.labels;
    }
    return {};
  }

  const std::vector<struct Sample>& samples() const { return samples_; }
  const std::map<std::string, FamilyInfo>& families() const { return families_; }
  void Clear() {
    samples_.clear();
    families_.clear();
  }

 private:
  std::string current_;
  std::vector<struct Sample> samples_;
  std::map<std::string, FamilyInfo> families_;
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_RECORDING_SINK_H_
