// A streaming parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0 text (contract sections 4.3, 4.4).
//
// Input arrives in chunks of any size and split anywhere; the parser keeps at most one incomplete line buffered
// (bounded by ParserOptions::max_line_bytes), so a 4 GB import runs in constant memory. Each complete sample is
// handed to a handler while its line is parsed, and each metric family's metadata (TYPE, HELP, UNIT) once the
// family ends:
//
//   struct Import {
//     absl::Status OnSample(const exposition::ParsedSample& s) { return appender->Append(s.ToLabels(), ...); }
//     void OnMetadata(const exposition::FamilyMetadata& m) { metadata[std::string(m.name)] = ...; }
//   } import;
//   exposition::Parser parser(exposition::Format::kOpenMetrics);
//   while (ReadChunk(&chunk)) VIGIL_RETURN_IF_ERROR(parser.Feed(chunk, import));
//   VIGIL_RETURN_IF_ERROR(parser.Finish(import));
//
// The handler is a template parameter, so delivering a sample is an inlined call, not a virtual one. OnSample
// and OnMetadata may return void or absl::Status; a non-OK status stops the parse and is returned as is.
//
// Errors say where and why: "line 12, column 31: unexpected character 'x' after label value (expected ',' or
// '}')". By default the first error stops the parse (Feed and Finish return it, and keep returning it). With
// ParserOptions::skip_bad_lines, errors confined to one line (ParseError::fatal false: a malformed sample, an
// unknown TYPE, a duplicate HELP...) skip that line instead and are collected in skipped_errors(); fatal errors
// (a line longer than the limit, anything after "# EOF", a missing "# EOF", a handler's error) always stop it.
//
// What is checked: metric and label names (the legacy character sets, or any UTF-8 in double quotes inside the
// braces: {"my.metric", "a.b"="x"}); label value escapes (\\, \", \n only); UTF-8 of values and quoted names;
// duplicate label names; values (number.h); timestamps; TYPE/HELP/UNIT at most once per family and before its
// samples; samples of a family with metadata not reappearing after the family's lines ended; sample names
// valid for their family's type (a histogram's _bucket, _sum, _count; an OpenMetrics counter's _total,
// _created; ...); "le" on histogram buckets and "quantile" on summary quantiles; the OpenMetrics "# EOF" line
// and that nothing follows it; OpenMetrics exemplars (syntax, at most 128 characters, only on counter _total
// and histogram _bucket samples).
// Not checked (they need memory per series): uniqueness of each name and label set, bucket monotonicity, and
// +Inf bucket == _count. Accepted although the specs forbid them, because real expositions have them and
// Prometheus accepts them: samples of families without metadata repeating after other families (several
// scrapes concatenated), and a second metadata block for a family name seen before (Go's
// go_memstats_alloc_bytes gauge and _total counter); such a block is delivered as a family of its own.
#ifndef VIGIL_WIRE_EXPOSITION_PARSER_H_
#define VIGIL_WIRE_EXPOSITION_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "wire/exposition/format.h"

namespace vigil::exposition {

namespace internal {
class SampleLineParser;
}  // namespace internal

// One sample line, as the handler sees it. Every view points into the parser's buffers (or the fed chunk) and
// is valid only during the OnSample call.
struct ParsedSample {
  // The metric name as written ("node_cpu_seconds_total", "http_request_duration_seconds_bucket").
  std::string_view name;
  // The labels in input order, without the metric name. Values are unescaped. A label with an empty value is
  // kept here (it reads as absent; ToLabels drops it).
  std::span<const Label> labels;
  // The sample value (NaN, +-Inf included).
  double value = 0;
  // Whether the line has a timestamp, and the timestamp in milliseconds (OpenMetrics seconds are converted,
  // sub-millisecond digits dropped).
  bool has_timestamp = false;
  TimestampMs timestamp_ms = 0;

  // The family the sample belongs to: the name of its TYPE line ("node_cpu_seconds" for an OpenMetrics
  // counter's "node_cpu_seconds_total"), or `name` itself for a sample without metadata. Always a prefix of
  // `name`; suffix() is the rest ("_total", "_bucket", "_created", or "").
  std::string_view family;
  // The family's TYPE (kUnknown without one).
  MetricType type = MetricType::kUnknown;
  std::string_view suffix() const { return name.substr(family.size()); }

  // An OpenMetrics exemplar (" # {trace_id=\"abc\"} 0.67 1700000000.1"), if the line has one: its labels,
  // value and optional timestamp.
  bool has_exemplar = false;
  std::span<const Label> exemplar_labels;
  double exemplar_value = 0;
  bool exemplar_has_timestamp = false;
  TimestampMs exemplar_timestamp_ms = 0;

  // The 1-based line number of the sample in the whole input.
  int64_t line = 0;

  // Appends the series' labels, __name__ included and sorted by name, to `out` (cleared first), without empty
  // values. The views are as valid as this sample's. Lets a caller reuse one vector and skip a Labels
  // allocation (e.g. to look the series up before building it).
  void SortedLabels(std::vector<Label>* out) const;
  // The series' Labels (__name__ included; empty values dropped).
  Labels ToLabels() const;
};

// A metric family's metadata, delivered once the family's lines end (for a family that had at least one TYPE,
// HELP or UNIT line). Views are valid during the OnMetadata call.
struct FamilyMetadata {
  // The family name as in the metadata lines ("node_cpu_seconds" in OpenMetrics, "node_cpu_seconds_total" in
  // the text format).
  std::string_view name;
  MetricType type = MetricType::kUnknown;  // kUnknown without a TYPE line
  bool has_type = false;
  std::string_view help;  // unescaped
  bool has_help = false;
  std::string_view unit;  // OpenMetrics only
  bool has_unit = false;
  int64_t line = 0;  // where the family's first metadata line is
};

// A parse error.
struct ParseError {
  int64_t line = 0;    // 1-based
  size_t column = 0;   // 1-based byte column in the line; 0 when the error is about the line as a whole
  std::string reason;  // e.g. "invalid value \"abc\""
  // Whether the parse cannot go on past this error (see the file comment).
  bool fatal = false;

  // "line 12, column 7: reason" (or "line 12: reason").
  std::string Message() const;
  // InvalidArgument with Message().
  absl::Status ToStatus() const;
};

// How a Parser treats limits and errors.
struct ParserOptions {
  // Longest line accepted, in bytes (bounds the buffered partial line). A longer one is a fatal error.
  size_t max_line_bytes = size_t{1} << 20;
  // Skip lines with non-fatal errors instead of stopping (see the file comment).
  bool skip_bad_lines = false;
  // With skip_bad_lines: how many skipped errors skipped_errors() keeps (all are counted).
  size_t max_kept_errors = 100;
};

// The streaming parser; see the file comment. Not thread-safe; one per input.
class Parser {
 public:
  explicit Parser(Format format, ParserOptions options = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses the complete lines of the input so far (buffered partial line + `bytes`), delivering their samples
  // and finished families' metadata to `handler`, and buffers the incomplete last line. `bytes` need only live
  // during the call. Returns the first error that stops the parse (see the file comment); after one, every
  // later call returns it again. FailedPrecondition after Finish().
  template <typename Handler>
  absl::Status Feed(std::string_view bytes, Handler& handler);

  // Ends the input: parses a last line without a trailing newline, delivers the last family's metadata, and
  // for OpenMetrics checks that "# EOF" was seen. Returns as Feed; a second call returns the first's result.
  template <typename Handler>
  absl::Status Finish(Handler& handler);

  Format format() const { return format_; }
  // Lines consumed so far.
  int64_t lines() const { return line_no_; }
  // Samples delivered so far.
  uint64_t samples() const { return samples_; }
  // Lines skipped for errors (skip_bad_lines), and the first max_kept_errors of their errors.
  uint64_t skipped_lines() const { return skipped_lines_; }
  const std::vector<ParseError>& skipped_errors() const { return skipped_errors_; }
  // The error that stopped the parse, if any (status() is its ToStatus(), or a handler's status).
  const ParseError& error() const { return error_; }
  const absl::Status& status() const { return status_; }

 private:
  // A metric family being read or just ended. Two are kept and reused, so switching families does not allocate
  // once their strings have grown.
  struct Family {
    std::string name;
    MetricType type = MetricType::kUnknown;
    bool has_type = false;
    bool has_help = false;
    bool has_unit = false;
    bool has_samples = false;
    std::string help;
    std::string unit;
    int64_t metadata_line = 0;  // 0 for a family without metadata (opened by a sample)
    bool has_metadata() const { return metadata_line > 0; }
  };

  // What ProcessLine produced for the handler, as bits.
  enum Emit : unsigned { kNone = 0, kMetadata = 1, kSample = 2, kStop = 4 };

  // Cuts the next complete line from partial_ + *input; false when no complete line is left (the rest is then
  // buffered). Stops the parse on an over-long line.
  bool NextLine(std::string_view* input, std::string_view* line);
  // Parses one line (without its '\n').
  unsigned ProcessLine(std::string_view line);
  // The end-of-input work of Finish (after the last line): emits the last family's metadata, checks "# EOF".
  unsigned ProcessEnd();
  // Records a line-local error: stops the parse, or with skip_bad_lines skips the line.
  unsigned LineError(size_t column, std::string reason);
  // Records a fatal error.
  unsigned Fail(int64_t line, size_t column, std::string reason);

  unsigned ProcessComment(std::string_view line);
  unsigned ProcessSample(std::string_view line);
  // Applies a TYPE (kind 'T'), HELP ('H') or UNIT ('U') line for family `name`.
  unsigned ApplyMetadata(char kind, std::string_view name, MetricType type, std::string_view text);
  // Ends the current family, if any, moving it to closed_ for OnMetadata; returns kMetadata if it has any.
  unsigned CloseFamily();
  // Starts family `name` (with `metadata_line` > 0 when it starts with a metadata line).
  void OpenFamily(std::string_view name, int64_t metadata_line);
  void FillMetadata(FamilyMetadata* m) const;

  template <typename Handler>
  absl::Status Deliver(unsigned emit, Handler& handler);

  const Format format_;
  const ParserOptions options_;
  std::unique_ptr<internal::SampleLineParser> line_parser_;

  std::string partial_;           // an incomplete line carried over between Feed calls
  bool partial_is_line_ = false;  // partial_ holds the line last returned by NextLine; clear it before reuse
  int64_t line_no_ = 0;
  uint64_t samples_ = 0;
  bool finished_ = false;
  bool eof_seen_ = false;  // OpenMetrics "# EOF"

  Family families_[2];
  Family* current_ = nullptr;  // the family whose lines are being read; null before the first
  Family* closed_ = nullptr;   // the family just ended, kept for OnMetadata
  size_t indent_ = 0;          // blanks stripped from the start of the current line (text format)
  // Families that had metadata, by name, with their type and first line: a family may not reappear later.
  struct SeenFamily {
    MetricType type;
    int64_t line;
  };
  absl::flat_hash_map<std::string, SeenFamily> seen_;

  ParsedSample sample_;  // the sample ProcessLine produced

  uint64_t skipped_lines_ = 0;
  std::vector<ParseError> skipped_errors_;
  ParseError error_;
  absl::Status status_;
};

// Parses all of `text` at once (Feed + Finish).
template <typename Handler>
absl::Status ParseText(std::string_view text, Format format, Handler& handler, ParserOptions options = {}) {
  Parser parser(format, options);
  absl::Status s = parser.Feed(text, handler);
  if (!s.ok()) return s;
  return parser.Finish(handler);
}

// ---- Implementation of the templates.

namespace internal {

// Calls a handler method that returns void or absl::Status.
template <typename F>
absl::Status CallHandler(F&& f) {
  if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
    std::forward<F>(f)();
    return absl::OkStatus();
  } else {
    return std::forward<F>(f)();
  }
}

}  // namespace internal

template <typename Handler>
absl::Status Parser::Deliver(unsigned emit, Handler& handler) {
  if (emit & kMetadata) {
    FamilyMetadata m;
    FillMetadata(&m);
    absl::Status s = internal::CallHandler([&]() { return handler.OnMetadata(m); });
    if (!s.ok()) {
      status_ = s;
      return s;
    }
  }
  if (emit & kSample) {
    ++samples_;
    absl::Status s = internal::CallHandler([&]() { return handler.OnSample(sample_); });
    if (!s.ok()) {
      status_ = s;
      return s;
    }
  }
  return status_;
}

template <typename Handler>
absl::Status Parser::Feed(std::string_view bytes, Handler& handler) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("exposition parser: Feed after Finish");
  std::string_view line;
  while (NextLine(&bytes, &line)) {
    const unsigned emit = ProcessLine(line);
    if (emit == kNone) continue;
    absl::Status s = Deliver(emit, handler);
    if (!s.ok()) return s;
  }
  return status_;
}

template <typename Handler>
absl::Status Parser::Finish(Handler& handler) {
  if (finished_) return status_;
  if (!status_.ok()) return status_;
  finished_ = true;
  if (!partial_is_line_ && !partial_.empty()) {
    partial_is_line_ = true;
    const unsigned emit = ProcessLine(partial_);
    if (emit != kNone) {
      absl::Status s = Deliver(emit, handler);
      if (!s.ok()) return s;
    }
  }
  return Deliver(ProcessEnd(), handler);
}

}  // namespace vigil::exposition

#endif  // VIGIL_WIRE_EXPOSITION_PARSER_H_
