// Sample values and timestamps as the text exposition formats spell them, in both directions.
//
// Values follow Go's strconv.ParseFloat as Prometheus uses it: decimal floats ("1", "-2.5", ".5", "5.", "1e-09",
// "1.445497e+06"), "NaN" and "Inf"/"Infinity" with an optional sign, case-insensitively. Prometheus rejects
// underscores and hexadecimal floats, and so does this. Timestamps are integer milliseconds in the Prometheus
// text format and float seconds in OpenMetrics.
#ifndef VIGIL_WIRE_EXPOSITION_NUMBER_H_
#define VIGIL_WIRE_EXPOSITION_NUMBER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::exposition {

// Why a number did not parse.
enum class NumberError {
  kOk,
  kSyntax,     // not a number in the accepted syntax
  kRange,      // a number, but too large (a value beyond +-1.8e308, a timestamp beyond int64 milliseconds)
  kNotFinite,  // NaN or an infinity where a finite number is required (OpenMetrics timestamps)
};

// Parses a sample value. Underflow ("1e-400") yields 0 or a subnormal, as in Go; overflow is kRange.
NumberError ParseValue(std::string_view text, double* value);

// Parses a Prometheus text-format timestamp: an optionally signed decimal integer of milliseconds.
NumberError ParseTimestampMs(std::string_view text, int64_t* ms);

// Parses an OpenMetrics timestamp (float seconds) into milliseconds. Plain decimals ("1700000000.123") are
// converted exactly; digits below the millisecond are dropped (truncation toward zero, which is what
// Prometheus' int64(seconds*1000) does for every input it converts exactly). Exponent forms go through a double.
NumberError ParseTimestampSeconds(std::string_view text, int64_t* ms);

// Appends `value` as the shortest decimal that parses back to the same double ("0.1", "1e-09", "2.5e+300"),
// integral values of magnitude up to 2^53 as plain digits ("16000000000", "-0"), and "NaN", "+Inf", "-Inf".
// Every finite double round-trips bit for bit through ParseValue; every NaN is written "NaN".
void AppendValue(double value, std::string* out);

// Appends millisecond timestamp `ms` as OpenMetrics seconds: "1700000000", "1700000000.5", "-0.001". The text is
// chosen so that both an exact decimal reader (ParseTimestampSeconds) and Prometheus' int64(float64(s)*1000)
// read back exactly `ms`: where the shortest spelling would not survive the float multiplication, a
// sub-millisecond "001" is appended ("1700000000.123001"), which truncation then drops.
void AppendTimestampSeconds(int64_t ms, std::string* out);

}  // namespace vigil::exposition

#endif  // VIGIL_WIRE_EXPOSITION_NUMBER_H_
