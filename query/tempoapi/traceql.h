// The TraceQL subset Vigil's Tempo API evaluates: one spanset filter, `{ <condition> }`, whose conditions compare
// span fields with literals and combine with `&&`, `||` and parentheses. It covers what Grafana's search
// builder and the Tempo "Save & test" emit (contract.md section 3.3):
//
//   {}                                  every span
//   { resource.service.name = "x" }     resource attribute        { span.http.status_code >= 500 }
//   { .http.route =~ "/api/.*" }        span, else resource       { name != "GET /health" }
//   { status = error }                  unset | ok | error        { kind = server }
//   { duration > 100ms && (status = error || span.retry = true) }
//   { span.user.id != nil }             attribute present
//
// Operators: = != < <= > >= =~ !~ (regular expressions are RE2, fully anchored, on strings). Literals: "strings"
// with \" \\ \n \t escapes, integers, floats, durations (300ms, 1.5s, 1h30m, also µs/us/ns), true, false, nil.
// Intrinsics: name, status, kind, duration, also written span:name, span:status, span:kind, span:duration.
// Comparing an attribute of another type with a string compares its text (so tag searches that only know
// strings, Tempo's `tags` and Jaeger's, still find ints and bools); other type mismatches match nothing, and so
// does a missing attribute (except `= nil`). What is outside the subset (several spansets, pipelines `|`,
// aggregates, trace-level intrinsics) is refused with an error saying where, never ignored.
#ifndef VIGIL_QUERY_TEMPOAPI_TRACEQL_H_
#define VIGIL_QUERY_TEMPOAPI_TRACEQL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/traces/span_summary.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::tempoapi {

// A span field a condition reads.
struct TraceQLField {
  enum class Kind { kAttribute, kName, kStatus, kKind, kDuration };
  Kind kind = Kind::kAttribute;
  // For attributes: whether the scope was given (`span.`, `resource.`) or not (`.key`: span, then resource).
  bool any_scope = true;
  traces::AttributeScope scope = traces::AttributeScope::kSpan;
  std::string key;
};

// A parsed TraceQL spanset filter; a SpanFilter for TraceStore::Search.
class TraceQLQuery : public traces::SpanFilter {
 public:
  // Parses `text`. InvalidArgument "parse error at line L, col C: <why>" (1-based) for what is not in the
  // subset described above.
  static absl::StatusOr<std::unique_ptr<TraceQLQuery>> Parse(std::string_view text);

  TraceQLQuery();
  ~TraceQLQuery() override;

  bool Matches(const traces::SpanSummary& span) const override;
  // The index plan of the condition: each comparison becomes a leaf whose values are tested with the same
  // comparison, `&&` and `||` become kAnd and kOr. Valid while this query lives.
  traces::SpanIndexPlan IndexPlan() const override;

  // Whether the query is `{}` (every span matches).
  bool matches_all() const;
  // The attribute fields the query reads, in order of appearance (for the attributes Tempo shows beside
  // matching spans).
  const std::vector<TraceQLField>& attribute_fields() const { return attribute_fields_; }

  struct Node;

 private:
  std::unique_ptr<Node> root_;  // null for {}
  std::vector<TraceQLField> attribute_fields_;
};

// `s` as a TraceQL string literal, quoted and escaped, for building queries from other search forms.
std::string TraceQLQuote(std::string_view s);

}  // namespace vigil::tempoapi

#endif  // VIGIL_QUERY_TEMPOAPI_TRACEQL_H_
