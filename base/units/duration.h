// Prometheus' duration syntax, shared by config files, command-line flags and (later) PromQL.
//
// A duration is one or more <integer><unit> terms with the units in decreasing order, each unit at most once:
//
//   "15s"  "1h30m"  "2d12h"  "1y"  "500ms"  "0"
//
// Units: y (365d), w (7d), d (24h), h, m, s, ms. Leap seconds and calendar months do not exist here, exactly as
// in Prometheus' model.ParseDuration. The resolution is one millisecond.
#ifndef VIGIL_BASE_UNITS_DURATION_H_
#define VIGIL_BASE_UNITS_DURATION_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vigil::units {

// Parses a Prometheus duration ("1h30m"). Accepts "0" as the only unit-less form. Rejects, with an
// InvalidArgument error that quotes the input and says what was expected: the empty string, fractions ("1.5h"),
// signs ("-5m", "+5m"), spaces, repeated or out-of-order units ("1h1h", "30m1h"), a missing unit ("5"), unknown
// units ("10x"), and totals beyond 2^63-1 milliseconds (about 292 million years).
absl::StatusOr<absl::Duration> ParsePrometheusDuration(std::string_view text);

// Formats `d` canonically, as Prometheus prints durations: "0s" for zero; otherwise the largest units first,
// zero terms omitted ("1h30m", "1d0h" never appears). Years and weeks are used only when they divide the whole
// duration exactly ("2w", "1y", but "90d" rather than "12w6d"). Sub-millisecond parts are truncated toward zero.
// Any non-negative result parses back to the same value with ParsePrometheusDuration. Negative durations get a
// leading '-' (which the parser rejects); infinite ones format as "inf" and "-inf"; finite durations beyond the
// millisecond range are clamped to it.
std::string FormatPrometheusDuration(absl::Duration d);

}  // namespace vigil::units

#endif  // VIGIL_BASE_UNITS_DURATION_H_
