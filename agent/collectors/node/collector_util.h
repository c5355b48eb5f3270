// Helpers shared by the node collectors' implementations (not part of the package's API).
#ifndef VIGIL_AGENT_COLLECTORS_NODE_COLLECTOR_UTIL_H_
#define VIGIL_AGENT_COLLECTORS_NODE_COLLECTOR_UTIL_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "agent/collector/collector.h"
#include "agent/collectors/node/node_options.h"
#include "re2/re2.h"

namespace vigil::agent::node {

// A compiled exclude/include pattern. An empty pattern compiles to "no pattern" (Matches is false). A pattern
// that does not compile keeps its error in status(), naming the option.
class Pattern {
 public:
  Pattern(std::string_view option, const std::string& pattern);
  const absl::Status& status() const { return status_; }
  // Whether the pattern occurs anywhere in `s` (Go's regexp.MatchString semantics).
  bool Matches(std::string_view s) const;

 private:
  std::unique_ptr<RE2> re_;
  absl::Status status_;
};

// One unlabelled sample in a family of its own.
inline void EmitSingle(MetricSink* sink, std::string_view name, exposition::MetricType type, std::string_view help,
                       double value) {
  sink->Family(name, type, help);
  sink->Sample({}, value);
}

inline Clock* ClockOf(const NodeOptions& o) { return o.clock != nullptr ? o.clock : RealClock(); }
inline NodeSystem* SystemOf(const NodeOptions& o) { return o.system != nullptr ? o.system : RealNodeSystem(); }

// A Collector with a fixed name, for the small collectors.
class NamedCollector : public Collector {
 public:
  explicit NamedCollector(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }

 private:
  std::string_view name_;
};

}  // namespace vigil::agent::node

#endif  // VIGIL_AGENT_COLLECTORS_NODE_COLLECTOR_UTIL_H_
