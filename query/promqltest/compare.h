// Comparison of a query result with a test script's expectations (the suite's DSL.md §7.3, §7.4).
#ifndef VIGIL_QUERY_PROMQLTEST_COMPARE_H_
#define VIGIL_QUERY_PROMQLTEST_COMPARE_H_

#include <optional>
#include <string>
#include <vector>

#include "query/engine/value.h"
#include "query/promqltest/series_desc.h"

namespace vigil::promqltest {

// Prometheus' almost.Equal with epsilon 1e-6: stale markers only equal stale markers, any two NaNs are equal,
// otherwise a relative difference below epsilon (exact equality near zero).
bool AlmostEqual(double a, double b);

struct ExpectedResult {
  const std::vector<SeriesDesc>* series = nullptr;
  std::optional<double> scalar;
  std::optional<std::string> string_result;
  bool ordered = false;
  // For matrix results: the timestamps of the expected values (start + i*step).
  TimestampMs start = 0;
  TimestampMs end = 0;
  int64_t step = 0;
};

// Returns "" when `got` meets `want`, else what differs.
std::string CompareResult(const query::QueryResult& got, const ExpectedResult& want);

}  // namespace vigil::promqltest

#endif  // VIGIL_QUERY_PROMQLTEST_COMPARE_H_
