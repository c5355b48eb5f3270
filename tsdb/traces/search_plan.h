// SpanIndexPlan: what a span filter tells the trace store's search index about the spans it can match, so that
// a search reads only the traces whose spans carry matching index terms instead of every span in the range.
//
// A plan is a tree over the indexed span fields. A leaf names one field (an indexed attribute, the span name, the
// status, the kind, or the duration) and says which values of it may match; the store turns each leaf into the
// index terms of the values it has seen in a partition (tag values, span names, status and kind codes, duration
// buckets) and reads those terms' postings. `kAnd` intersects its children's candidates, `kOr` unites them.
// A plan only has to be a superset: every span the filter matches must be a candidate; the store still evaluates
// the filter on each candidate's summaries, so a leaf that cannot be planned is simply `kAny`.
#ifndef VIGIL_TSDB_TRACES_SEARCH_PLAN_H_
#define VIGIL_TSDB_TRACES_SEARCH_PLAN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tsdb/traces/span_summary.h"

namespace vigil::traces {

struct SpanIndexPlan {
  enum class Kind {
    kAny,        // no restriction: every span may match
    kAnd,        // a span must satisfy every child
    kOr,         // a span must satisfy a child
    kAttribute,  // an indexed attribute `key` of `scope` (or of either scope); `matches` decides per value
    kName,       // the span name; `matches` decides per name
    kStatus,     // the status code; `matches` decides per code
    kKind,       // the span kind; `matches` decides per kind
    kDuration,   // the duration lies in [min_duration_ns, max_duration_ns]
  };
  Kind kind = Kind::kAny;
  std::vector<SpanIndexPlan> children;

  // kAttribute: the key, and its scope unless `any_scope` (TraceQL's `.key`: span, else resource).
  bool any_scope = false;
  AttributeScope scope = AttributeScope::kSpan;
  std::string key;

  // kAttribute, kName, kStatus, kKind: whether a span whose only known field is the candidate value matches.
  // The store calls it with a summary holding just that value: in `attributes` (scope and key as above), in
  // `service` for the resource attribute service.name, in `name`, `status` or `kind`. Must be thread-compatible
  // and stay valid for the search.
  std::function<bool(const SpanSummary&)> matches;

  // kDuration: the inclusive bounds.
  uint64_t min_duration_ns = 0;
  uint64_t max_duration_ns = UINT64_MAX;

  static SpanIndexPlan Any() { return SpanIndexPlan{}; }
};

}  // namespace vigil::traces

#endif  // VIGIL_TSDB_TRACES_SEARCH_PLAN_H_
