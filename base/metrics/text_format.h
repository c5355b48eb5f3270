// Pieces of the Prometheus text exposition format 0.0.4 (the format of every /metrics page): how sample values,
// HELP text and label values are written. Registry::RenderText uses these; they are public so other exporters
// (e.g. a TSDB's /federate endpoint) write values byte-for-byte the same way.
#ifndef VIGIL_BASE_METRICS_TEXT_FORMAT_H_
#define VIGIL_BASE_METRICS_TEXT_FORMAT_H_

#include <string>
#include <string_view>

namespace vigil::metrics {

// The Content-Type of a text-format /metrics response.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends `value` as Prometheus writes sample values: "NaN", "+Inf", "-Inf"; integral values of magnitude up to
// 2^53 (where every integer is exact) as plain digits ("12345678", "-3", and "0" for -0); anything else as the
// shortest decimal that parses back to the same double, with an exponent when that is shorter ("0.1", "1e-09",
// "1e+21", "2.5"). Histogram `le` labels use the same spelling.
void AppendValue(double value, std::string* out);
std::string FormatValue(double value);

// Appends `text` escaped for a "# HELP" line: backslash -> \\ and newline -> \n.
void AppendEscapedHelp(std::string_view text, std::string* out);

// Appends `value` escaped for the inside of a quoted label value: backslash -> \\, '"' -> \", newline -> \n.
void AppendEscapedLabelValue(std::string_view value, std::string* out);

}  // namespace vigil::metrics

#endif  // VIGIL_BASE_METRICS_TEXT_FORMAT_H_
