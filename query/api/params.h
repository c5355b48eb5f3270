// Request parameters of the Prometheus HTTP API, parsed as Prometheus parses them (web/api/v1/api.go), so a
// client sees the same acceptance and the same error texts:
//
//   ParseTime("1700000000.5")               -> 1700000000500 ms   (also RFC3339Nano "2023-11-14T22:13:20.5Z")
//   ParseDuration("1m30s"), ("90"), ("0.5") -> 90 s, 90 s, 500 ms (Prometheus duration or float seconds)
//   ParseLimit("40000")                     -> 40000 (0 means no limit)
//   UnescapeLabelName("U__a_2e_b")          -> "a.b"
//
// Errors are InvalidArgument carrying the text Prometheus puts after `invalid parameter "<name>": `.
#ifndef VIGIL_QUERY_API_PARAMS_H_
#define VIGIL_QUERY_API_PARAMS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "model/sample.h"

namespace vigil::query::api {

// The defaults of optional start and end parameters: Prometheus' v1.MinTime and v1.MaxTime in milliseconds
// (about ±292 million years; not the int64 bounds, for historical reasons Prometheus keeps).
inline constexpr TimestampMs kApiMinTime = (-9223372036854775LL + 62135596801LL) * 1000;
inline constexpr TimestampMs kApiMaxTime = (9223372036854775LL - 62135596801LL) * 1000 + 999;

// Parses a timestamp: float seconds (the fraction rounded to milliseconds) or RFC3339 with optional fractional
// seconds and a zone ("Z" or "+02:00"). Error: `cannot parse "x" to a valid timestamp`.
absl::StatusOr<TimestampMs> ParseTime(std::string_view s);

// A time parameter that may be absent: `value` empty gives `default_value`; an unparsable value gives
// `invalid time value for '<name>': cannot parse ...`, as Prometheus' parseTimeParam words it.
absl::StatusOr<TimestampMs> ParseTimeParam(std::string_view name, std::string_view value, TimestampMs default_value);

// Parses a duration: float seconds or a Prometheus duration ("5m", "1h30m", "500ms"). Errors:
// `cannot parse "x" to a valid duration` and `cannot parse "x" to a valid duration. It overflows int64`.
// Negative float seconds are returned as is (the caller decides: a step <= 0 is refused with its own text).
absl::StatusOr<absl::Duration> ParseDuration(std::string_view s);

// Parses a limit parameter: "" is 0 (no limit). Errors as Go's strconv.Atoi words them
// (`strconv.Atoi: parsing "x": invalid syntax`) and `limit must be non-negative`.
absl::StatusOr<int64_t> ParseLimit(std::string_view s);

// Go's strconv.Atoi: decimal with an optional sign. Errors `strconv.Atoi: parsing "x": invalid syntax` and
// `... value out of range`.
absl::StatusOr<int64_t> Atoi(std::string_view s);

// Undoes Prometheus' "U__" value-encoding escape of a UTF-8 label name, as model.UnescapeName does: after the
// "U__" prefix, "__" is "_" and "_<hex>_" is the code point <hex>. A name without the prefix, or one whose
// escapes are malformed, is returned unchanged.
std::string UnescapeLabelName(std::string_view name);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_PARAMS_H_
