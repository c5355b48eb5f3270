// Series descriptions of Prometheus' PromQL test scripts: `metric{label="v"} 0+10x20 _ stale NaN`, used by `load`
// blocks and by expected results (see the suite's DSL.md, section 4).
#ifndef VIGIL_QUERY_PROMQLTEST_SERIES_DESC_H_
#define VIGIL_QUERY_PROMQLTEST_SERIES_DESC_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"

namespace vigil::promqltest {

// One slot of an expanded value sequence: a float (possibly the stale marker) or an omitted slot.
struct SeriesValue {
  bool omitted = false;
  double v = 0;
};

struct SeriesDesc {
  Labels labels;
  std::vector<SeriesValue> values;
  // The values contain native-histogram literals ({{...}}), which Vigil does not store; `values` is then empty.
  bool has_histograms = false;
};

// Parses a label set written as a selector with only `=` matchers: `name`, `name{a="b"}`, `{a="b"}`, `{}`,
// `{"utf8.name", a="b"}`. `*rest` receives what follows the label set.
absl::StatusOr<Labels> ParseLabelSet(std::string_view text, std::string_view* rest);

// Parses a whole description line: labels, then value items expanded as the DSL specifies.
absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line);

// Parses one number as the DSL (Go's ParseFloat) accepts it: decimal, exponent, Inf/NaN in any case, sign.
std::optional<double> ParseNumber(std::string_view s);

// Parses a PromQL duration: `1h30m`, `100ms`, `0`. Returns milliseconds.
std::optional<int64_t> ParseDuration(std::string_view s);

}  // namespace vigil::promqltest

#endif  // VIGIL_QUERY_PROMQLTEST_SERIES_DESC_H_
