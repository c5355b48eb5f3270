#include "base/metrics/text_format.h"

#include "base/strings/float_format.h"

namespace vigil::metrics {

void AppendValue(double value, std::string* out) { AppendFloat(value, out); }

std::string FormatValue(double value) {
  std::string out;
  AppendValue(value, &out);
  return out;
}

void AppendEscapedHelp(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendEscapedLabelValue(std::string_view value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace vigil::metrics
