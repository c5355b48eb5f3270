#include "wire/exposition/test_util.h"

#include <bit>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace vigil::exposition {
namespace {

std::string Bits(double v) { return absl::StrFormat("%016x", std::bit_cast<uint64_t>(v)); }

std::vector<std::pair<std::string, std::string>> Copy(std::span<const Label> labels) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Label& l : labels) out.emplace_back(std::string(l.name), std::string(l.value));
  return out;
}

}  // namespace

void Recorder::OnSample(const ParsedSample& s) {
  RecordedSample r;
  r.name = std::string(s.name);
  r.labels = Copy(s.labels);
  r.value = s.value;
  r.has_timestamp = s.has_timestamp;
  r.timestamp_ms = s.timestamp_ms;
  r.family = std::string(s.family);
  r.type = s.type;
  r.has_exemplar = s.has_exemplar;
  if (s.has_exemplar) {
    r.exemplar_labels = Copy(s.exemplar_labels);
    r.exemplar_value = s.exemplar_value;
    r.exemplar_has_timestamp = s.exemplar_has_timestamp;
    r.exemplar_timestamp_ms = s.exemplar_timestamp_ms;
  }
  r.line = s.line;
  r.series = s.ToLabels().ToString();
  std::string e = absl::StrFormat("S line=%d family=%s type=%d %s %s", r.line, r.family, static_cast<int>(r.type),
                                  r.series, Bits(r.value));
  if (r.has_timestamp) e += absl::StrFormat(" @%d", r.timestamp_ms);
  if (r.has_exemplar) {
    e += " #";
    for (const auto& [n, v] : r.exemplar_labels) e += absl::StrFormat(" %s=%s", n, v);
    e += " " + Bits(r.exemplar_value);
    if (r.exemplar_has_timestamp) e += absl::StrFormat(" @%d", r.exemplar_timestamp_ms);
  }
  events.push_back(std::move(e));
  samples.push_back(std::move(r));
}

void Recorder::OnMetadata(const FamilyMetadata& m) {
  RecordedMetadata r{std::string(m.name), m.type,     m.has_type, std::string(m.help), m.has_help,
                     std::string(m.unit), m.has_unit, m.line};
  events.push_back(absl::StrFormat("M line=%d %s type=%d/%d help=%d:%s unit=%d:%s", r.line, r.name,
                                   static_cast<int>(r.type), r.has_type, r.has_help, r.help, r.has_unit, r.unit));
  metadata.push_back(std::move(r));
}

std::string ParseRun::Dump() const {
  std::string out;
  for (const std::string& e : recorder.events) out += e + "\n";
  out += "status: " + status.ToString() + "\n";
  out += absl::StrFormat("skipped: %d\n", skipped_lines);
  for (const ParseError& e : skipped_errors) out += "  " + e.Message() + "\n";
  return out;
}

ParseRun ParseInPieces(std::string_view text, Format format, const std::vector<size_t>& cuts, ParserOptions options) {
  ParseRun run;
  Parser parser(format, options);
  size_t pos = 0;
  absl::Status s;
  for (size_t cut : cuts) {
    s = parser.Feed(text.substr(pos, cut - pos), run.recorder);
    pos = cut;
    if (!s.ok()) break;
  }
  if (s.ok()) s = parser.Feed(text.substr(pos), run.recorder);
  if (s.ok()) s = parser.Finish(run.recorder);
  run.status = s;
  run.error = parser.error();
  run.skipped_lines = parser.skipped_lines();
  run.skipped_errors = parser.skipped_errors();
  return run;
}

ParseRun ParseInChunks(std::string_view text, Format format, size_t chunk, ParserOptions options) {
  std::vector<size_t> cuts;
  for (size_t c = chunk; c < text.size(); c += chunk) cuts.push_back(c);
  return ParseInPieces(text, format, cuts, options);
}

}  // namespace vigil::exposition
