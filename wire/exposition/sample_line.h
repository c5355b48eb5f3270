// Internal to the exposition parser: the tokenizer of one sample line and of the names in metadata lines.
// Separate from parser.cc, which owns lines, families and errors, so each file does one thing.
#ifndef VIGIL_WIRE_EXPOSITION_SAMPLE_LINE_H_
#define VIGIL_WIRE_EXPOSITION_SAMPLE_LINE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "model/labels.h"
#include "wire/exposition/format.h"
#include "wire/exposition/parser.h"

namespace vigil::exposition::internal {

inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
template <typename T>
requires std::is_integral_v<T>
void AppendPiece(std::string* out, T n) { out->append(std::to_string(n)); }

// Concatenates strings and integers (absl::StrCat takes absl::string_view, not std::string_view).
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (AppendPiece(&out, args), ...);
  return out;
}

// "'x'" for a printable ASCII byte, "'\n'"-style for common controls, "'\xNN'" otherwise; for messages.
std::string DescribeChar(char c);

// Tokenizes sample lines into ParsedSample fields. Reused for every line of a parse: its label vectors and
// unescape buffer keep their capacity, so parsing a line allocates nothing once they have grown.
class SampleLineParser {
 public:
  explicit SampleLineParser(Format format) : format_(format) {}

  // Parses `line` (no '\n'; not a '#' line): metric name, labels, value, optional timestamp, and for
  // OpenMetrics an optional exemplar. Fills those fields of `*out` (views into `line` or this object, valid
  // until the next Parse) and returns true; or returns false with error_column() and error() set.
  bool Parse(std::string_view line, ParsedSample* out);

  // Reads a metric name at line[pos]: a legacy name or a double-quoted UTF-8 name. On success sets `*name`
  // (unescaped; valid until the next call), `*end` to the position after it, and returns true.
  bool ParseName(std::string_view line, size_t pos, std::string_view* name, size_t* end);

  // 1-based column and reason of the last failure.
  size_t error_column() const { return error_column_; }
  const std::string& error() const { return error_; }

 private:
  // The cursor functions take and advance `p`; on failure they call Fail and return false.
  bool ParseLabelSet(const char*& p, bool allow_metric_name, std::string_view* metric_name, std::vector<Label>* labels);
  bool ParseQuoted(const char*& p, std::string_view what, std::string_view* out);
  bool ParseExemplar(const char*& p, ParsedSample* out);
  // Fails on a duplicate label name; positions_[first_position + i] is where labels[i] starts.
  bool CheckLabels(const std::vector<Label>& labels, size_t first_position);
  // Reads the token up to the next blank or the end of the line.
  std::string_view Token(const char*& p);
  void SkipBlanks(const char*& p) {
    while (p < end_ && (*p == ' ' || *p == '\t')) ++p;
  }
  bool Fail(const char* at, std::string reason);
  // Makes room to unescape up to `n` bytes without reallocating (views into the buffer stay valid).
  void ReserveScratch(size_t n);

  const Format format_;
  const char* begin_ = nullptr;  // the line being parsed
  const char* end_ = nullptr;
  std::vector<Label> labels_;
  std::vector<Label> exemplar_labels_;
  std::vector<const char*> positions_;  // where each label of labels_, then of exemplar_labels_, starts
  std::vector<size_t> order_;           // scratch for the duplicate check of large label sets
  std::unique_ptr<char[]> scratch_;
  size_t scratch_capacity_ = 0;
  size_t scratch_used_ = 0;
  size_t error_column_ = 0;
  std::string error_;
};

}  // namespace vigil::exposition::internal

#endif  // VIGIL_WIRE_EXPOSITION_SAMPLE_LINE_H_
