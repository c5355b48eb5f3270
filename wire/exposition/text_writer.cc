#include "wire/exposition/text_writer.h"

#include "base/strings/exposition_escape.h"
#include "wire/exposition/number.h"

namespace vigil::exposition {
namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendExpositionEscaped(s, /*quote=*/true, out);
  out->push_back('"');
}

}  // namespace

void TextWriter::AppendMetadataName(std::string_view family) {
  if (IsValidMetricName(family)) {
    out_->append(family);
  } else {
    AppendQuoted(family, out_);
  }
}

void TextWriter::Help(std::string_view family, std::string_view text) {
  out_->append("# HELP ");
  AppendMetadataName(family);
  out_->push_back(' ');
  AppendExpositionEscaped(text, /*quote=*/format_ == Format::kOpenMetrics, out_);
  out_->push_back('\n');
}

void TextWriter::Type(std::string_view family, MetricType type) {
  out_->append("# TYPE ");
  AppendMetadataName(family);
  out_->push_back(' ');
  out_->append(MetricTypeName(type, format_));
  out_->push_back('\n');
}

void TextWriter::Unit(std::string_view family, std::string_view unit) {
  if (format_ != Format::kOpenMetrics) return;
  out_->append("# UNIT ");
  AppendMetadataName(family);
  out_->push_back(' ');
  out_->append(unit);
  out_->push_back('\n');
}

void TextWriter::AppendSeries(std::string_view name, std::span<const Label> labels, std::string* out) {
  const bool legacy_name = IsValidMetricName(name);
  bool open = false;
  if (legacy_name) {
    out->append(name);
  } else {
    out->push_back('{');
    AppendQuoted(name, out);
    open = true;
  }
  for (const Label& l : labels) {
    if (l.value.empty()) continue;
    out->push_back(open ? ',' : '{');
    open = true;
    if (IsValidLabelName(l.name)) {
      out->append(l.name);
    } else {
      AppendQuoted(l.name, out);
    }
    out->push_back('=');
    AppendQuoted(l.value, out);
  }
  if (open) out->push_back('}');
}

std::string TextWriter::RenderSeries(const Labels& series) {
  std::vector<Label> rest;
  rest.reserve(series.size());
  for (const Label l : series) {
    if (l.name != kMetricNameLabel) rest.push_back(l);
  }
  std::string out;
  AppendSeries(series.MetricName(), rest, &out);
  return out;
}

void TextWriter::SampleForSeries(std::string_view rendered_series, double value, std::optional<TimestampMs> timestamp) {
  out_->append(rendered_series);
  out_->push_back(' ');
  AppendValue(value, out_);
  if (timestamp.has_value()) {
    out_->push_back(' ');
    if (format_ == Format::kOpenMetrics) {
      AppendTimestampSeconds(*timestamp, out_);
    } else {
      out_->append(std::to_string(*timestamp));
    }
  }
  out_->push_back('\n');
}

void TextWriter::Sample(std::string_view name, std::span<const Label> labels, double value,
                        std::optional<TimestampMs> timestamp) {
  AppendSeries(name, labels, out_);
  SampleForSeries({}, value, timestamp);
}

void TextWriter::Sample(const Labels& series, double value, std::optional<TimestampMs> timestamp) {
  scratch_.clear();
  for (const Label l : series) {
    if (l.name != kMetricNameLabel) scratch_.push_back(l);
  }
  Sample(series.MetricName(), scratch_, value, timestamp);
}

void TextWriter::Eof() {
  if (format_ == Format::kOpenMetrics) out_->append("# EOF\n");
}

}  // namespace vigil::exposition
