// Shared test data of the engine tests: three streams with logfmt and JSON lines at whole seconds after
// kBase (S(n) = kBase + n seconds), and helpers printing results compactly for assertions.
#ifndef VIGIL_QUERY_LOGENGINE_TEST_DATA_H_
#define VIGIL_QUERY_LOGENGINE_TEST_DATA_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/logengine/engine.h"
#include "query/logengine/test_store.h"

namespace vigil::logengine {

inline constexpr int64_t kBaseSeconds = 1700000000;
// The time n seconds after the base, in nanoseconds.
constexpr int64_t S(int64_t n) { return (kBaseSeconds + n) * 1000000000; }

// {app="x",env="prod"}: logfmt at S(1..5), latency 10..50, errors at S(2), S(4).
// {app="x",env="dev"}: logfmt at S(2), S(4).
// {app="y"}: a JSON line with structured metadata trace_id=abc at S(3), a non-JSON line at S(6).
inline void FillTestStore(TestLogStore* store) {
  store->Push({{"app", "x"}, {"env", "prod"}}, {{S(1), "level=info latency=10 msg=ok", {}},
                                                {S(2), "level=error latency=20 msg=boom", {}},
                                                {S(3), "level=info latency=30 msg=ok", {}},
                                                {S(4), "level=error latency=40 msg=boom", {}},
                                                {S(5), "level=info latency=50 msg=ok", {}}});
  store->Push({{"app", "x"}, {"env", "dev"}},
              {{S(2), "level=info latency=5 msg=ok", {}}, {S(4), "level=warn latency=15 msg=slow", {}}});
  store->Push({{"app", "y"}},
              {{S(3), R"({"level":"error","status":500})", {{"trace_id", "abc"}}}, {S(6), "not json", {}}});
}

// "labels value; labels value" for a vector, in result order.
inline std::string VectorString(const Vector& v) {
  return absl::StrJoin(v, "; ", [](std::string* out, const VectorElement& e) {
    absl::StrAppend(out, e.metric.ToString(), " ", e.value);
  });
}

// "labels: v@t_ms v@t_ms; labels: ..." for a matrix.
inline std::string MatrixString(const Matrix& m) {
  return absl::StrJoin(m, "; ", [](std::string* out, const MatrixSeries& s) {
    absl::StrAppend(out, s.metric.ToString(), ":");
    for (const Sample& p : s.points) absl::StrAppend(out, " ", p.v, "@", p.t);
  });
}

// "labels: line@s line@s; ..." with times as seconds after the base.
inline std::string StreamsString(const Streams& streams) {
  return absl::StrJoin(streams, "; ", [](std::string* out, const LogStream& s) {
    absl::StrAppend(out, s.labels.ToString(), ":");
    for (const LogLine& l : s.lines) {
      absl::StrAppend(out, " [", l.line, "]@", l.timestamp_ns / 1000000000 - kBaseSeconds);
    }
  });
}

}  // namespace vigil::logengine

#endif  // VIGIL_QUERY_LOGENGINE_TEST_DATA_H_
