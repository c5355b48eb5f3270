// A compiled log pipeline: the stages of a log query (`| json | level="error" | line_format ...`) turned into a
// processor of (timestamp, line, stream labels) -> keep or drop, result labels and (possibly rewritten) line, with
// Loki's semantics (pkg/logql/log):
//
//   absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Compile(selector.stages);
//   for (each entry of a stream) {
//     if (!(*p)->Process(ts_ns, line, stream_labels)) continue;  // filtered out
//     (*p)->line();              // the line after line_format/decolorize/unpack
//     (*p)->labels().Build();    // stream labels + extracted labels + __error__/__error_details__
//   }
//
// Parse failures do not drop lines: they set __error__ (JSONParserErr, LogfmtParserErr, LabelFilterErr,
// TemplateFormatErr) and __error_details__, as Loki does; `| __error__=""` or `| drop __error__` deal with them.
// Label filters treat an absent label as "" for string matchers and as a non-match for numeric, duration and byte
// comparisons; a value that does not convert sets LabelFilterErr and keeps the line.
//
// A Pipeline holds per-line scratch state (label buffer, line buffers), so it is not thread-safe: compile one per
// thread or query shard (compiling is cheap). Process() does not allocate in the steady state for line filters,
// parsers and label filters; templates allocate for their intermediate values.
#ifndef VIGIL_QUERY_LOGQL_PIPELINE_H_
#define VIGIL_QUERY_LOGQL_PIPELINE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "query/logql/ast.h"
#include "query/logql/line_labels.h"

namespace vigil::logql {

class Pipeline {
 public:
  // Compiles stages. Errors (invalid regexes, templates, JSON paths, duplicate label_format targets) are
  // InvalidArgument naming the stage, as Loki's "stage '...' : ..." errors.
  static absl::StatusOr<std::unique_ptr<Pipeline>> Compile(const std::vector<Stage>& stages);

  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs the pipeline over one entry; false when a stage filtered it out. On true, line() and labels() hold the
  // result until the next call; `line` and `stream` must stay alive until then.
  bool Process(int64_t ts_ns, std::string_view line, const Labels& stream);

  // The (possibly rewritten) line of the last kept entry.
  std::string_view line() const { return line_; }
  // The labels of the last processed entry.
  const LineLabels& labels() const { return labels_; }
  LineLabels* mutable_labels() { return &labels_; }

  // Whether every stage is a line filter: the result labels are then always the stream's and the line unchanged,
  // so callers can skip label work entirely.
  bool OnlyLineFilters() const { return only_line_filters_; }

  // Evaluates a label filter against labels (also used for unwrap post-filters). May set LabelFilterErr.
  static bool EvalLabelFilter(const LabelFilterExpr& f, LineLabels* labels);

  struct CompiledStage;

 private:
  Pipeline();
  std::vector<CompiledStage> stages_;
  bool only_line_filters_ = true;
  LineLabels labels_;
  std::string_view line_;
  std::string bufs_[2];
  int next_buf_ = 0;
  std::string scratch_;
  std::vector<std::string> names_;
  std::vector<std::string_view> caps_;
};

// Extracts the samples of a range aggregation from log entries: 1 per line (count_over_time, rate,
// absent_over_time), the line's byte length (bytes_over_time, bytes_rate), or the unwrapped label's value
// converted (unwrap x / duration(x) / bytes(x)), after the pipeline and before the unwrap post-filters.
//
// A line whose unwrapped label is absent or empty yields no sample. A value that does not convert yields 0 with
// __error__="SampleExtractionErr" and __error_details__ (Loki's engine then fails the query unless a post-filter
// such as `| __error__=""` removes it). The unwrapped label is removed from the sample's labels unless the range
// aggregation groups `by (...)`.
class SampleExtractor {
 public:
  static absl::StatusOr<std::unique_ptr<SampleExtractor>> Compile(const RangeAggregationExpr& expr);

  // Runs the pipeline and extraction; false when the entry yields no sample.
  bool Process(int64_t ts_ns, std::string_view line, const Labels& stream, double* value);

  // The sample's labels after the last successful Process().
  const LineLabels& labels() const { return pipeline_->labels(); }

 private:
  SampleExtractor() = default;
  std::unique_ptr<Pipeline> pipeline_;
  RangeOp op_ = RangeOp::kCountOverTime;
  std::optional<Unwrap> unwrap_;
  bool drop_unwrapped_ = true;
  std::string value_;
};

// Converts an unwrapped label value: a Go float, a Go duration in seconds, or a humanized byte size.
absl::StatusOr<double> ConvertUnwrapped(std::string_view value, UnwrapConversion conversion);

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_PIPELINE_H_
