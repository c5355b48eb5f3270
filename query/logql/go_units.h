// Conversions with the semantics (and error texts) of the Go functions Loki uses for LogQL literals, label filters
// and unwrap: time.ParseDuration, go-humanize's ParseBytes and strconv.ParseFloat.
#ifndef VIGIL_QUERY_LOGQL_GO_UNITS_H_
#define VIGIL_QUERY_LOGQL_GO_UNITS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::logql {

// Go's time.ParseDuration in nanoseconds: "300ms", "-1.5h", "2h45m", "1us", "0". Units ns us µs ms s m h.
// Errors as Go words them: `time: invalid duration "x"`, `time: missing unit in duration "5"`,
// `time: unknown unit "x" in duration "5x"`.
absl::StatusOr<int64_t> ParseGoDuration(std::string_view s);

// Loki's LogQL duration literal: a Prometheus duration ("1h30m", "2d", "1y") first, Go's time.ParseDuration as
// the fallback ("1.5h", "300us", "-5m"). In nanoseconds.
absl::StatusOr<int64_t> ParseLokiDuration(std::string_view s);

// go-humanize ParseBytes: "42", "1KB" (1000), "1KiB" (1024), "1.5 MB", "1,000 kb"; units are case-insensitive:
// b, k/kb, ki/kib, m/mb, mi/mib ... e/eb, ei/eib. Errors: `unhandled size name: x`, `too large: x`, and
// strconv's `strconv.ParseFloat: parsing "": invalid syntax`.
absl::StatusOr<uint64_t> ParseHumanizeBytes(std::string_view s);

// strconv.ParseFloat(s, 64): decimal floats, "Inf"/"NaN" in any case with optional sign, hex floats are refused.
// Error: `strconv.ParseFloat: parsing "x": invalid syntax` (or `value out of range`).
absl::StatusOr<double> ParseGoFloat(std::string_view s);

// Go's %v / fmt.Sprint of a float64 ('g' with the shortest precision, exponent when < -4 or >= 6): "1", "0.5",
// "1e+06", "NaN", "+Inf".
std::string FormatGoFloat(double v);

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_GO_UNITS_H_
