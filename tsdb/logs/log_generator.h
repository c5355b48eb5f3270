// Realistic generated log lines for tests and benchmarks: structured JSON application logs, nginx access logs
// (combined format plus request time) and Java exception stack traces (one multi-line entry each), with the
// variety real logs have (ids, random trace ids, latencies, user agents), so compression figures measured on
// them mean something. Deterministic for a seed.
//
//   LogGenerator gen(LogKind::kNginx, /*seed=*/1);
//   std::string line = gen.Line(t_ns);
#ifndef VIGIL_TSDB_LOGS_LOG_GENERATOR_H_
#define VIGIL_TSDB_LOGS_LOG_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "tsdb/logs/log_types.h"

namespace vigil::tsdb::logs {

enum class LogKind { kJsonApp, kNginx, kJavaStack, kMixed };

// "json", "nginx", "java", "mixed".
std::string_view LogKindName(LogKind kind);

class LogGenerator {
 public:
  LogGenerator(LogKind kind, uint64_t seed);

  // One line stamped `t` (the text carries the time as real logs do). kMixed: 60% JSON, 35% nginx, 5% stack
  // traces.
  std::string Line(TimestampNs t);
  // An entry at `t`; JSON app lines carry a trace_id as structured metadata one time in four.
  LogEntry Entry(TimestampNs t);

  // A random number in [0, n).
  uint64_t Uniform(uint64_t n);
  // A number in [0, n) skewed towards 0 (ids, sizes and latencies of real traffic are not uniform).
  uint64_t Skewed(uint64_t n);

 private:
  void Json(TimestampNs t, std::string* out);
  void Nginx(TimestampNs t, std::string* out);
  void Java(TimestampNs t, std::string* out);
  void Hex(int digits, std::string* out);
  uint64_t Next();

  LogKind kind_;
  uint64_t state_;
};

// `n` Kubernetes-like stream label sets: namespace, app, pod, container, stream (stdout/stderr).
std::vector<Labels> GeneratedStreams(int n);

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_GENERATOR_H_
