// The Go text/template subset LogQL's line_format and label_format use, evaluated against a line's labels:
//
//   {{.status}}  {{ .msg | ToUpper }}  {{ printf "%s %d" .method .code }}  {{ default "-" .user }}
//   {{ if eq .level "error" }}E{{ else }}{{ .level }}{{ end }}  {{ __line__ }}  {{ __timestamp__ }}
//   {{- .x -}} (trim markers)  {{/* comment */}}
//
// Fields read labels (an absent label is "", as Loki's missingkey=zero over a string map). Functions: ToUpper
// ToLower upper lower title Replace replace Trim TrimLeft TrimRight TrimSpace TrimPrefix TrimSuffix trim trimAll
// trimPrefix trimSuffix default contains hasPrefix hasSuffix repeat trunc substr alignLeft alignRight int
// float64 add sub mul div mod len printf print eq ne lt le gt ge not and or __line__ __timestamp__, with the
// argument orders of Go's strings package (capitalized names) and sprig (lower-case names); a piped value is the
// last argument. Not supported: range/with/define blocks, variables, method calls, regexReplaceAll and the date
// and URL functions (Parse reports `function "x" not defined`).
//
// Errors read like Go's: parse errors "template: line:1: function \"foo\" not defined"; execution errors
// (wrong argument counts or types) are returned by Execute, and the pipeline turns them into
// __error__="TemplateFormatErr".
#ifndef VIGIL_QUERY_LOGQL_TEMPLATE_H_
#define VIGIL_QUERY_LOGQL_TEMPLATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "query/logql/line_labels.h"

namespace vigil::logql {

class Template {
 public:
  // Parses `text`; `name` appears in error messages ("line" for line_format, "label" for label_format).
  static absl::StatusOr<Template> Parse(std::string_view name, std::string_view text);

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

  // Appends the expansion to *out (which is not cleared). `line` and `ts_ns` serve __line__ and __timestamp__.
  absl::Status Execute(const LineLabels& labels, std::string_view line, int64_t ts_ns, std::string* out) const;

  // When the template is exactly one field reference ("{{.x}}"), its name; else "". Lets callers copy the label.
  const std::string& simple_field() const { return simple_field_; }

  // The label names the template reads.
  std::vector<std::string> Fields() const;

  struct Node;

 private:
  Template();
  std::vector<Node> nodes_;
  std::string simple_field_;
};

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_TEMPLATE_H_
