// Literal conversions shared by the PromQL parser and printer, with the semantics (and error texts) of the Go
// functions Prometheus uses: strconv.ParseInt/ParseFloat for numbers, model.ParseDuration and
// model.Duration.String for durations, strutil.Unquote for strings, strconv.FormatFloat('f', -1) for numbers.
#ifndef VIGIL_QUERY_PROMQL_LITERALS_H_
#define VIGIL_QUERY_PROMQL_LITERALS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::promql {

// A number token: "1", "0x1F", "017" (octal, as Go's base-0 ParseInt), "1_000", "1.5e3", ".5", "Inf", "NaN".
// Errors carry Go's text: `strconv.ParseFloat: parsing "1e999": value out of range`.
absl::StatusOr<double> ParseNumberToken(std::string_view text);

// A duration token ("1h30m", "500ms", "1y") in nanoseconds, as Prometheus' model.ParseDuration: units y w d h m s
// ms in decreasing order, each at most once. Errors: `not a valid duration string: "5m1h"`,
// `unknown unit "hs" in duration "5y1hs"`, `duration out of range`.
absl::StatusOr<int64_t> ParseDurationToken(std::string_view text);

// A quoted string token ("...", '...' or `...`) with Go escapes resolved. The lexer has validated it, so errors
// only say "invalid syntax".
absl::StatusOr<std::string> UnquoteStringToken(std::string_view quoted);

// Go's strconv.Quote for PromQL output: "a\"b", with \n, \t, \xHH for invalid bytes.
std::string QuoteString(std::string_view s);

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never in exponent form
// ("10000000000", "0.000001"); "+Inf", "-Inf", "NaN".
std::string FormatNumber(double v);

// Go's fmt "%f" (6 decimals; "+Inf", "-Inf", "NaN").
std::string FormatFloatF(double v);

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_LITERALS_H_
