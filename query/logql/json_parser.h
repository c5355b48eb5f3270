// The JSON stages of the log pipeline, over a small non-allocating JSON scanner:
//
//  - JsonFlattener (`| json`): every scalar of a JSON object line becomes a label; nested objects are flattened
//    with '_' ({"a":{"b":1}} -> a_b="1"); arrays and nulls are skipped; keys are sanitized to label names
//    (invalid characters -> '_', a leading digit gets a '_' prefix); a key the stream already has is renamed
//    `<key>_extracted`; the first value of a label on a line wins over later parsers.
//  - JsonPathExtractor (`| json a="b.c[0]"`): only the given paths; objects and arrays are kept as raw JSON text.
//  - Unpacker (`| unpack`): string members of the object become labels; "_entry" replaces the line.
//
// Malformed lines get __error__="JSONParserErr" and __error_details__ with the go-jsonparser message Loki shows;
// labels found before the error stay, as in Loki.
#ifndef VIGIL_QUERY_LOGQL_JSON_PARSER_H_
#define VIGIL_QUERY_LOGQL_JSON_PARSER_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/ast.h"
#include "query/logql/line_labels.h"

namespace vigil::logql {

// Appends `key` sanitized to a label name part (Loki's appendSanitized): spaces trimmed, characters other than
// [a-zA-Z0-9_] replaced by '_' (one per character), and a '_' prefix when *out is empty and the key starts with a
// digit.
void AppendSanitizedKey(std::string* out, std::string_view key);

class JsonFlattener {
 public:
  void Process(std::string_view line, LineLabels* labels);

 private:
  struct Scanner;
  std::string name_;   // the label name being built
  std::string key_;    // an unescaped key
  std::string value_;  // an unescaped value
};

class JsonPathExtractor {
 public:
  // Compiles `| json label="path", ...`. Paths: `a.b`, `a[0]`, `a["key with space"]`, `["a"].b`.
  static absl::StatusOr<JsonPathExtractor> Compile(const std::vector<LabelExtraction>& extractions);

  void Process(std::string_view line, LineLabels* labels);

 private:
  struct Segment {
    bool index = false;
    size_t n = 0;
    std::string key;
  };
  struct Path {
    std::string label;
    std::vector<Segment> segments;
  };
  std::vector<Path> paths_;
  std::string value_;
  std::string name_;
};

class Unpacker {
 public:
  // Returns the line to continue with: the "_entry" member when present, else `line`. The view points into
  // `line` or into this object (valid until the next call).
  std::string_view Process(std::string_view line, LineLabels* labels);

 private:
  std::string key_;
  std::string name_;
  std::string value_;
  std::string entry_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_JSON_PARSER_H_
