// Renders metric families and samples in the Prometheus text format 0.0.4 or OpenMetrics 1.0 text, the inverse
// of parser.h: what TextWriter writes, Parser reads back to the same names, labels, bits of every value, and
// timestamps.
//
//   std::string out;
//   TextWriter w(Format::kOpenMetrics, &out);
//   w.Type("node_cpu_seconds", MetricType::kCounter);
//   w.Help("node_cpu_seconds", "Seconds the CPUs spent in each mode.");
//   w.Unit("node_cpu_seconds", "seconds");
//   w.Sample("node_cpu_seconds_total", labels, 1234.56, 1700000000000);
//   w.Eof();
//   // # TYPE node_cpu_seconds counter ... node_cpu_seconds_total{cpu="0",mode="idle"} 1234.56 1700000000\n# EOF
//
// Names outside the legacy character sets are written in the quoted UTF-8 form ({"my.metric","a.b"="x"}).
// Labels with an empty value are left out (an empty value means "absent"). Values are the shortest decimal that
// round-trips (number.h AppendValue). Timestamps are milliseconds in the text format and seconds in OpenMetrics.
// The writer appends to a caller-owned string, so a streaming caller writes it out and clears it as it grows.
#ifndef VIGIL_WIRE_EXPOSITION_TEXT_WRITER_H_
#define VIGIL_WIRE_EXPOSITION_TEXT_WRITER_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/sample.h"
#include "wire/exposition/format.h"

namespace vigil::exposition {

class TextWriter {
 public:
  // Appends to `*out`, which must outlive the writer.
  TextWriter(Format format, std::string* out) : format_(format), out_(out) {}

  Format format() const { return format_; }

  // "# HELP family text" with the format's escapes (\\ and \n; OpenMetrics also \").
  void Help(std::string_view family, std::string_view text);
  // "# TYPE family type"; types the text format lacks are written "untyped".
  void Type(std::string_view family, MetricType type);
  // "# UNIT family unit" in OpenMetrics; nothing in the text format, which has no units.
  void Unit(std::string_view family, std::string_view unit);

  // One sample line: name{labels} value [timestamp]. `labels` exclude the metric name.
  void Sample(std::string_view name, std::span<const Label> labels, double value,
              std::optional<TimestampMs> timestamp = std::nullopt);
  // As above for a series given as Labels with __name__.
  void Sample(const Labels& series, double value, std::optional<TimestampMs> timestamp = std::nullopt);

  // Appends `name{labels}` as Sample writes it, for a caller that writes many samples of one series and wants
  // to render (and escape) it once; see SampleForSeries.
  static void AppendSeries(std::string_view name, std::span<const Label> labels, std::string* out);
  // As above for Labels with __name__.
  static std::string RenderSeries(const Labels& series);
  // One sample line for a series rendered by AppendSeries/RenderSeries.
  void SampleForSeries(std::string_view rendered_series, double value,
                       std::optional<TimestampMs> timestamp = std::nullopt);

  // "# EOF", the last line of OpenMetrics; nothing in the text format.
  void Eof();

 private:
  void AppendMetadataName(std::string_view family);

  const Format format_;
  std::string* const out_;
  std::vector<Label> scratch_;
};

}  // namespace vigil::exposition

#endif  // VIGIL_WIRE_EXPOSITION_TEXT_WRITER_H_
