// The two text exposition formats a /metrics page (or an import file) may use, the metric types they declare,
// and the HTTP content negotiation that picks one (contract sections 4.3-4.5).
//
//   Format f = FormatFromContentType(req.Header("Content-Type")).value_or(Format::kPrometheusText);
//   Format served = NegotiateFormat(req.Header("Accept"));   // what a scrape target answers with
//   resp->content_type = std::string(ContentType(served));
#ifndef VIGIL_WIRE_EXPOSITION_FORMAT_H_
#define VIGIL_WIRE_EXPOSITION_FORMAT_H_

#include <optional>
#include <string_view>

namespace vigil::exposition {

// A text exposition format.
enum class Format {
  // Prometheus text format 0.0.4: integer millisecond timestamps, "untyped", other "#" lines are comments.
  kPrometheusText,
  // OpenMetrics 1.0 text: float second timestamps, "# UNIT", exemplars, "_total"/"_created" suffixes, and a
  // mandatory "# EOF" line at the end.
  kOpenMetrics,
};

// "Prometheus text 0.0.4" or "OpenMetrics 1.0"; for messages.
std::string_view FormatName(Format format);

// The Content-Type a server answers with for `format`:
// "text/plain; version=0.0.4; charset=utf-8" or "application/openmetrics-text; version=1.0.0; charset=utf-8".
std::string_view ContentType(Format format);

// The format a request body or scrape response declares in its Content-Type: application/openmetrics-text is
// OpenMetrics, text/plain is the Prometheus text format (any version parameter; 0.0.4 and 1.0.0 share a grammar
// for what this parser accepts). Media types are case-insensitive. nullopt for anything else, including empty.
std::optional<Format> FormatFromContentType(std::string_view content_type);

// Picks the format a scrape target should answer a request with this Accept header in: the acceptable one with
// the highest q-value (ties go to OpenMetrics, as Prometheus lists it first), and the Prometheus text format
// when the header is empty, unparsable, or names neither ("*/*" and "text/*" count as the text format).
Format NegotiateFormat(std::string_view accept);

// The metric types of "# TYPE" lines. The numbers are those of remote_write's MetricMetadata.MetricType, so a
// cast converts.
enum class MetricType {
  kUnknown = 0,  // "untyped" in the text format, "unknown" in OpenMetrics; also samples without a TYPE line
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,  // OpenMetrics only
  kSummary = 5,
  kInfo = 6,      // OpenMetrics only
  kStateSet = 7,  // OpenMetrics only
};

// The spelling of `type` in a "# TYPE" line of `format` ("untyped" vs "unknown"). Types the format lacks
// (gaugehistogram, info, stateset in the text format) are spelled "untyped" there, which is how Prometheus
// downgrades them.
std::string_view MetricTypeName(MetricType type, Format format);

// Parses the type word of a "# TYPE" line of `format` (case-sensitive, as both specs). nullopt if `format`
// has no such type.
std::optional<MetricType> ParseMetricType(std::string_view word, Format format);

}  // namespace vigil::exposition

#endif  // VIGIL_WIRE_EXPOSITION_FORMAT_H_
