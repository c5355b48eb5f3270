#include "base/metrics/text_format.h"

#include "base/strings/exposition_escape.h"
#include "base/strings/float_format.h"

namespace vigil::metrics {

void AppendValue(double value, std::string* out) { AppendFloat(value, out); }

std::string FormatValue(double value) {
  std::string out;
  AppendValue(value, &out);
  return out;
}

void AppendEscapedHelp(std::string_view text, std::string* out) { AppendExpositionEscaped(text, false, out); }

void AppendEscapedLabelValue(std::string_view value, std::string* out) { AppendExpositionEscaped(value, true, out); }

}  // namespace vigil::metrics
