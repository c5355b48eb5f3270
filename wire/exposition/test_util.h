// Test helpers for the exposition parser: a handler that records everything it is given, in a canonical text
// form that tests compare (e.g. to check that splitting the input anywhere changes nothing).
#ifndef VIGIL_WIRE_EXPOSITION_TEST_UTIL_H_
#define VIGIL_WIRE_EXPOSITION_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "wire/exposition/parser.h"

namespace vigil::exposition {

// A sample as delivered, copied out of the parser's buffers.
struct RecordedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // input order
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
  std::string family;
  MetricType type = MetricType::kUnknown;
  bool has_exemplar = false;
  std::vector<std::pair<std::string, std::string>> exemplar_labels;
  double exemplar_value = 0;
  bool exemplar_has_timestamp = false;
  int64_t exemplar_timestamp_ms = 0;
  int64_t line = 0;
  std::string series;  // ToLabels().ToString()
};

// Metadata as delivered.
struct RecordedMetadata {
  std::string name;
  MetricType type = MetricType::kUnknown;
  bool has_type = false;
  std::string help;
  bool has_help = false;
  std::string unit;
  bool has_unit = false;
  int64_t line = 0;
};

// Records every delivery; `events` interleaves both kinds in delivery order, one canonical line each (values as
// exact bit patterns, so two runs compare equal only if they agree bit for bit).
struct Recorder {
  std::vector<RecordedSample> samples;
  std::vector<RecordedMetadata> metadata;
  std::vector<std::string> events;

  void OnSample(const ParsedSample& s);
  void OnMetadata(const FamilyMetadata& m);
};

// The result of one parse: what was delivered and the final status.
struct ParseRun {
  Recorder recorder;
  absl::Status status;
  ParseError error;
  uint64_t skipped_lines = 0;
  std::vector<ParseError> skipped_errors;
  // The events and status as one string, for whole-run comparisons.
  std::string Dump() const;
};

// Parses `text` fed in pieces cut at `cuts` (increasing offsets), then Finish.
ParseRun ParseInPieces(std::string_view text, Format format, const std::vector<size_t>& cuts,
                       ParserOptions options = {});
// Parses `text` in one Feed.
inline ParseRun ParseWhole(std::string_view text, Format format, ParserOptions options = {}) {
  return ParseInPieces(text, format, {}, options);
}
// Parses `text` fed `chunk` bytes at a time.
ParseRun ParseInChunks(std::string_view text, Format format, size_t chunk, ParserOptions options = {});

}  // namespace vigil::exposition

#endif  // VIGIL_WIRE_EXPOSITION_TEST_UTIL_H_
