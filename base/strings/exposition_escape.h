// Escaping for the Prometheus text and OpenMetrics exposition formats, shared by the self-metrics registry and
// the exposition writer: backslash -> \\, newline -> \n, and, in label values (and OpenMetrics HELP), " -> \".
#ifndef VIGIL_BASE_STRINGS_EXPOSITION_ESCAPE_H_
#define VIGIL_BASE_STRINGS_EXPOSITION_ESCAPE_H_

#include <string>
#include <string_view>

namespace vigil {

// Appends `s` escaped; `escape_quote` also escapes '"' (label values, OpenMetrics HELP text).
void AppendExpositionEscaped(std::string_view s, bool escape_quote, std::string* out);

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_EXPOSITION_ESCAPE_H_
