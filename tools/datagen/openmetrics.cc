#include "tools/datagen/openmetrics.h"

#include <string>

#include "wire/exposition/text_writer.h"

namespace vigil::datagen {

absl::Status WriteOpenMetrics(const Fleet& fleet, absl::FunctionRef<absl::Status(std::string_view)> sink,
                              OutputStats* stats, size_t chunk_bytes) {
  OutputStats local;
  OutputStats& s = stats != nullptr ? *stats : local;
  s = OutputStats{};
  std::string out;
  out.reserve(chunk_bytes + 4096);
  exposition::TextWriter writer(exposition::Format::kOpenMetrics, &out);
  const auto flush = [&]() -> absl::Status {
    s.bytes += out.size();
    absl::Status status = sink(out);
    out.clear();
    return status;
  };
  const std::span<const SeriesInfo> series = fleet.series();
  uint32_t family = UINT32_MAX;
  for (size_t i = 0; i < series.size(); ++i) {
    if (series[i].family != family) {
      family = series[i].family;
      const FamilyInfo& f = fleet.families()[family];
      writer.Type(f.name, f.type);
      writer.Help(f.name, f.help);
      if (!f.unit.empty()) writer.Unit(f.name, f.unit);
    }
    const std::string rendered = exposition::TextWriter::RenderSeries(series[i].labels);
    SeriesCursor cursor(fleet, i);
    for (Sample sample; cursor.Next(&sample);) {
      writer.SampleForSeries(rendered, sample.v, sample.t);
      ++s.samples;
      if (out.size() >= chunk_bytes) {
        if (absl::Status st = flush(); !st.ok()) return st;
      }
    }
    ++s.series;
  }
  writer.Eof();
  return flush();
}

}  // namespace vigil::datagen
