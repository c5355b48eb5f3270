// The labels of one log line while a pipeline runs over it, as Loki's LabelsBuilder: the stream's labels, the
// labels parsers and label_format extracted (which take precedence), the stream labels `drop`/`keep` removed, and
// the __error__ / __error_details__ pair set when a stage fails.
//
// One LineLabels is reused for every line a Pipeline processes: Reset() keeps the strings' capacity, so a steady
// state of similar lines does not allocate. Build() makes the final vigil::Labels (which does allocate); call it
// only for lines that are kept.
#ifndef VIGIL_QUERY_LOGQL_LINE_LABELS_H_
#define VIGIL_QUERY_LOGQL_LINE_LABELS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "model/labels.h"

namespace vigil::logql {

// Label names of pipeline errors, as Loki's.
inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";

// __error__ values, as Loki's.
inline constexpr std::string_view kJsonParserErr = "JSONParserErr";
inline constexpr std::string_view kLogfmtParserErr = "LogfmtParserErr";
inline constexpr std::string_view kSampleExtractionErr = "SampleExtractionErr";
inline constexpr std::string_view kLabelFilterErr = "LabelFilterErr";
inline constexpr std::string_view kTemplateFormatErr = "TemplateFormatErr";

class LineLabels {
 public:
  LineLabels() = default;
  LineLabels(const LineLabels&) = delete;
  LineLabels& operator=(const LineLabels&) = delete;

  // Starts a new line of a stream. `stream` must outlive the use of this object for the line.
  void Reset(const Labels* stream);

  // The current value of `name`: an extracted label first, then the stream's unless dropped. Views are valid until
  // the next edit. __error__ and __error_details__ are not labels here; see error().
  std::optional<std::string_view> Get(std::string_view name) const;
  // Get() or "".
  std::string_view GetOrEmpty(std::string_view name) const {
    std::optional<std::string_view> v = Get(name);
    return v ? *v : std::string_view();
  }
  // Whether the stream (not an extraction) has `name`: parsers then name their label `<name>_extracted`.
  bool StreamHas(std::string_view name) const { return stream_ != nullptr && stream_->Has(name); }
  // Whether a parser or label_format already set `name` on this line (later parsers do not overwrite it).
  bool Extracted(std::string_view name) const;

  // Sets an extracted label, replacing an earlier one of the same name. An empty value is kept (it shadows a
  // stream label) but leaves no label in Build().
  void Set(std::string_view name, std::string_view value);
  // Removes `name`, extracted or from the stream.
  void Del(std::string_view name);

  // The pipeline error, "" when none.
  const std::string& error() const { return error_; }
  const std::string& error_details() const { return error_details_; }
  bool HasError() const { return !error_.empty(); }
  void SetError(std::string_view error) { error_.assign(error); }
  void SetErrorDetails(std::string_view details) { error_details_.assign(details); }
  void ClearError() { error_.clear(); }
  void ClearErrorDetails() { error_details_.clear(); }

  // Whether the labels differ from the stream's (something was extracted, dropped or an error set).
  bool Changed() const { return num_extracted_ > 0 || num_deleted_ > 0 || HasError() || !error_details_.empty(); }

  // Calls fn for every resulting label (unsorted; empty values skipped; __error__/__error_details__ last).
  void ForEach(absl::FunctionRef<void(std::string_view name, std::string_view value)> fn) const;

  // The resulting label set. Returns the stream's labels unchanged (no allocation beyond a copy) when !Changed().
  Labels Build() const;

 private:
  struct Entry {
    std::string name;
    std::string value;
  };
  bool Deleted(std::string_view name) const;

  const Labels* stream_ = nullptr;
  std::vector<Entry> extracted_;  // the first num_extracted_ are live; the rest keep their capacity
  size_t num_extracted_ = 0;
  std::vector<std::string> deleted_;  // stream labels removed; first num_deleted_ live
  size_t num_deleted_ = 0;
  std::string error_;
  std::string error_details_;
  mutable std::vector<LabelPair> scratch_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_LINE_LABELS_H_
