// The search index record of one span: what the trace store keeps beside the compressed trace so that searches
// (service, span name, status, kind, duration, time and the configured attributes) never decompress traces.
//
// A trace store writes one summary list per (trace, batch) next to the batch's compressed spans; Search scans
// them, groups them by trace id and evaluates a SpanFilter (a TraceQL condition) on each summary.
#ifndef VIGIL_TSDB_TRACES_SPAN_SUMMARY_H_
#define VIGIL_TSDB_TRACES_SPAN_SUMMARY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "model/span.h"

namespace vigil::traces {

// Where an attribute came from: TraceQL's `resource.` and `span.` scopes.
enum class AttributeScope : uint8_t { kResource = 0, kSpan = 1 };

// One indexed attribute of a span. Values are scalars: arrays, key/value lists and bytes are kept as their
// ToString() text.
struct IndexedAttribute {
  AttributeScope scope = AttributeScope::kSpan;
  std::string key;
  AnyValue value;
};

// The searchable fields of one span.
struct SpanSummary {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  std::string service;  // resource attribute service.name, "" if none
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  SpanStatusCode status = SpanStatusCode::kUnset;
  uint64_t start_unix_nano = 0;
  uint64_t duration_nanos = 0;
  std::vector<IndexedAttribute> attributes;

  bool is_root() const { return parent_span_id.IsZero(); }
  // The first indexed attribute named `key` in `scope`, or null.
  const AnyValue* Find(AttributeScope scope, std::string_view key) const;
};

// Which attributes a trace store indexes, beyond the intrinsics (service.name, name, status, kind, duration).
struct IndexedAttributeKeys {
  std::vector<std::string> resource;
  std::vector<std::string> span;
};

// The attributes a trace store indexes unless configured otherwise: the Kubernetes and service resource
// attributes the agent adds, and the low-cardinality HTTP, RPC, database and messaging span attributes Grafana's
// search builder offers. Per-request values (URLs, targets, ids) are left out: each distinct value costs an
// index entry.
IndexedAttributeKeys DefaultIndexedAttributeKeys();

// The summary of `span`, with the attributes of `keys` it has (scalars as is, other values as text).
SpanSummary SummarizeSpan(const Span& span, const IndexedAttributeKeys& keys);

// Appends the encoding of `summaries` (all of one trace) to `out`: a table of the distinct strings, then the
// spans referring to it, so that a trace's repeated services and resource attributes are stored once. The trace
// id is not written: it is in the key.
void EncodeSummaries(const std::vector<SpanSummary>& summaries, std::string* out);

// Decodes what EncodeSummaries wrote (or the first format, strings inline, of older stores), appending to `out`
// with `trace_id` set. DataLoss naming the byte offset for corrupt input, and then nothing is appended.
absl::Status DecodeSummaries(std::string_view in, const TraceId& trace_id, std::vector<SpanSummary>* out);

// Appends the tag-index encoding of a scalar value: a type byte ('s', 'i', 'd', 'b') then the value as text,
// so that the index's keys list each distinct value once, typed.
void AppendTagValue(const AnyValue& value, std::string* out);
// The value AppendTagValue encoded; InvalidArgument for a bad type byte.
absl::Status ParseTagValue(std::string_view in, AnyValue* out);

}  // namespace vigil::traces

#endif  // VIGIL_TSDB_TRACES_SPAN_SUMMARY_H_
