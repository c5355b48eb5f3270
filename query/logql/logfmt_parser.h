// `| logfmt`: key=value pairs of a logfmt line become labels, with the decoder semantics of Loki's
// pkg/logql/log/logfmt (go-logfmt adapted): bare keys have empty values, quoted values take Go-style escapes,
// and pairs with empty values are dropped unless --keep-empty. Without --strict a malformed pair is skipped and
// parsing goes on; with --strict parsing stops and __error__="LogfmtParserErr", __error_details__="logfmt syntax
// error at pos N : msg". Keys are sanitized as for JSON, a key the stream has becomes `<key>_extracted`, and the
// first value of a label on a line wins.
//
// With extractions (`| logfmt a="key", b`) only those keys are kept, each under its label, and a label whose key
// is missing is set to "".
#ifndef VIGIL_QUERY_LOGQL_LOGFMT_PARSER_H_
#define VIGIL_QUERY_LOGQL_LOGFMT_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/logql/ast.h"
#include "query/logql/line_labels.h"

namespace vigil::logql {

// A streaming logfmt decoder over one line; views point into the line or into an internal buffer for unescaped
// values, valid until the next ScanKeyval().
class LogfmtDecoder {
 public:
  void Reset(std::string_view line);
  bool AtEnd() const { return pos_ >= line_.size(); }
  // Advances to the next pair; false when there is none or the pair is malformed (then Error() says why).
  bool ScanKeyval();
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // The last error, "" if none: "logfmt syntax error at pos N : unexpected '='".
  const std::string& error() const { return error_; }

 private:
  void SyntaxError(std::string_view msg);
  void UnexpectedByte(char c);
  bool SkipValue();

  std::string_view line_;
  size_t pos_ = 0;
  std::string_view key_;
  std::string_view value_;
  std::string unescaped_;
  std::string error_;
};

class LogfmtParser {
 public:
  static absl::StatusOr<LogfmtParser> Compile(const LogfmtStage& stage);

  void Process(std::string_view line, LineLabels* labels);

 private:
  bool strict_ = false;
  bool keep_empty_ = false;
  std::vector<LabelExtraction> extractions_;
  LogfmtDecoder dec_;
  std::string name_;
  std::string value_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_LOGFMT_PARSER_H_
