#include "wire/exposition/format.h"

#include <algorithm>
#include <charconv>
#include <cstddef>

namespace vigil::exposition {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// One element of an Accept header (or a Content-Type): the media type and the parameters we look at.
struct MediaRange {
  std::string_view type;     // "application/openmetrics-text", "*/*", ...
  std::string_view version;  // "" if absent
  double q = 1.0;
  bool valid = true;
};

MediaRange ParseMediaRange(std::string_view s) {
  MediaRange r;
  size_t semi = s.find(';');
  r.type = Trim(s.substr(0, semi));
  while (semi != std::string_view::npos) {
    s = s.substr(semi + 1);
    semi = s.find(';');
    const std::string_view param = s.substr(0, semi);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = Trim(param.substr(0, eq));
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (EqualsIgnoreCase(key, "version")) {
      r.version = value;
    } else if (EqualsIgnoreCase(key, "q")) {
      double q = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
      if (ec != std::errc() || ptr != value.data() + value.size() || q < 0 || q > 1) {
        r.valid = false;
      } else {
        r.q = q;
      }
    }
  }
  return r;
}

}  // namespace

std::string_view FormatName(Format format) {
  return format == Format::kOpenMetrics ? "OpenMetrics 1.0" : "Prometheus text 0.0.4";
}

std::string_view ContentType(Format format) {
  return format == Format::kOpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                        : "text/plain; version=0.0.4; charset=utf-8";
}

std::optional<Format> FormatFromContentType(std::string_view content_type) {
  const MediaRange r = ParseMediaRange(content_type);
  if (EqualsIgnoreCase(r.type, "application/openmetrics-text")) return Format::kOpenMetrics;
  if (EqualsIgnoreCase(r.type, "text/plain")) return Format::kPrometheusText;
  return std::nullopt;
}

Format NegotiateFormat(std::string_view accept) {
  double best_om = 0;
  double best_text = 0;
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    const MediaRange r = ParseMediaRange(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (!r.valid || r.q <= 0) continue;
    if (EqualsIgnoreCase(r.type, "application/openmetrics-text")) {
      // We write OpenMetrics 1.0.0 only; a client asking for another version alone does not get it.
      if (r.version.empty() || r.version == "1.0.0") best_om = std::max(best_om, r.q);
    } else if (EqualsIgnoreCase(r.type, "text/plain") || EqualsIgnoreCase(r.type, "text/*") ||
               EqualsIgnoreCase(r.type, "*/*")) {
      best_text = std::max(best_text, r.q);
    }
  }
  return best_om > 0 && best_om >= best_text ? Format::kOpenMetrics : Format::kPrometheusText;
}

std::string_view MetricTypeName(MetricType type, Format format) {
  const bool om = format == Format::kOpenMetrics;
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kGaugeHistogram:
      return om ? "gaugehistogram" : "untyped";
    case MetricType::kInfo:
      return om ? "info" : "untyped";
    case MetricType::kStateSet:
      return om ? "stateset" : "untyped";
    case MetricType::kUnknown:
      break;
  }
  return om ? "unknown" : "untyped";
}

std::optional<MetricType> ParseMetricType(std::string_view word, Format format) {
  if (word == "counter") return MetricType::kCounter;
  if (word == "gauge") return MetricType::kGauge;
  if (word == "histogram") return MetricType::kHistogram;
  if (word == "summary") return MetricType::kSummary;
  if (format == Format::kPrometheusText) {
    if (word == "untyped") return MetricType::kUnknown;
    return std::nullopt;
  }
  if (word == "unknown") return MetricType::kUnknown;
  if (word == "gaugehistogram") return MetricType::kGaugeHistogram;
  if (word == "info") return MetricType::kInfo;
  if (word == "stateset") return MetricType::kStateSet;
  return std::nullopt;
}

}  // namespace vigil::exposition
