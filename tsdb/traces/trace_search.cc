// The search side of TraceStore: candidates from the search index, minute by minute from the newest, then each
// candidate trace's summaries read whole, aggregated and filtered.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "tsdb/traces/search_index.h"
#include "tsdb/traces/trace_store.h"

namespace vigil::traces {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr size_t kSummaryKeyBytes = 1 + 16 + 8;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// What a search learns about one trace from all its summaries.
struct TraceAggregate {
  bool have_root = false;
  std::string root_service;
  std::string root_name;
  uint64_t start = UINT64_MAX;
  uint64_t end = 0;
  std::vector<SpanSummary> matched;
  std::map<std::string, ServiceStats> stats;

  // Adds one batch's summaries; only spans of batches `searched` may match (see Search).
  void Add(std::vector<SpanSummary>& summaries, const SpanFilter* filter, bool searched) {
    for (SpanSummary& s : summaries) {
      start = std::min(start, s.start_unix_nano);
      end = std::max(end, s.start_unix_nano + s.duration_nanos);
      ServiceStats& st = stats[s.service];
      ++st.span_count;
      if (s.status == SpanStatusCode::kError) ++st.error_count;
      if (s.is_root() && !have_root) {
        have_root = true;
        root_service = s.service;
        root_name = s.name;
      }
      if (searched && (filter == nullptr || filter->Matches(s))) matched.push_back(std::move(s));
    }
  }
};

// The search result for a trace, or nothing if no span matched or the trace is outside the request's bounds.
std::optional<TraceSearchResult> Finish(const TraceId& id, TraceAggregate& agg, const TraceSearchRequest& request) {
  if (agg.matched.empty()) return std::nullopt;
  const uint64_t duration = agg.end > agg.start ? agg.end - agg.start : 0;
  if (request.range.end_ns > 0 && agg.start > static_cast<uint64_t>(request.range.end_ns)) return std::nullopt;
  if (request.range.start_ns > 0 && agg.end < static_cast<uint64_t>(request.range.start_ns)) return std::nullopt;
  if (request.min_trace_duration_ns > 0 && duration < request.min_trace_duration_ns) return std::nullopt;
  if (request.max_trace_duration_ns > 0 && duration > request.max_trace_duration_ns) return std::nullopt;
  TraceSearchResult r;
  r.trace_id = id;
  r.root_service = agg.have_root ? agg.root_service : "<root span not yet received>";
  r.root_name = agg.root_name;
  r.start_unix_nano = agg.start;
  r.duration_nanos = duration;
  r.matched = static_cast<int64_t>(agg.matched.size());
  std::stable_sort(agg.matched.begin(), agg.matched.end(),
                   [](const SpanSummary& a, const SpanSummary& b) { return a.start_unix_nano < b.start_unix_nano; });
  if (agg.matched.size() > request.spans_per_spanset) agg.matched.resize(request.spans_per_spanset);
  r.matched_spans = std::move(agg.matched);
  r.service_stats = std::move(agg.stats);
  return r;
}

// The `limit` latest starts of the traces found, to tell when no trace still unread can displace them.
class LatestStarts {
 public:
  explicit LatestStarts(size_t limit) : limit_(limit) {}

  void Add(uint64_t start) {
    if (limit_ == 0) return;
    heap_.push(start);
    if (heap_.size() > limit_) heap_.pop();
  }

  // Whether `limit` traces found start after `bound`, or at it too when `inclusive`: every unread trace starts
  // before `bound` (inclusive) or at most at it (not inclusive).
  bool Enough(uint64_t bound, bool inclusive) const {
    if (limit_ == 0 || heap_.size() < limit_) return false;
    return inclusive ? heap_.top() >= bound : heap_.top() > bound;
  }

 private:
  size_t limit_;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> heap_;
};

// The distinct trace ids of a partition's summaries, for partitions written before the search index.
absl::Status SummaryTraceIds(kv::Iterator* it, std::vector<TraceId>* out) {
  out->clear();
  const std::string prefix(1, kSummaryTag);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    std::string_view key = it->key();
    if (key.size() != kSummaryKeyBytes) return absl::DataLossError("trace search record: bad key length");
    TraceId id;
    std::copy(key.begin() + 1, key.begin() + 17, id.bytes.begin());
    if (out->empty() || out->back() != id) out->push_back(id);
  }
  return it->status();
}

}  // namespace

absl::StatusOr<TraceSearchResponse> TraceStore::Search(const TraceSearchRequest& request) const {
  const std::vector<PartitionRef> all = AllPartitions();
  std::vector<std::unique_ptr<kv::Iterator>> iterators(all.size());
  auto iterator = [&](size_t i) {
    if (iterators[i] == nullptr) iterators[i] = kv_->NewIterator(all[i].partition.ns, {});
    return iterators[i].get();
  };
  const SpanIndexPlan plan = request.filter != nullptr ? request.filter->IndexPlan() : SpanIndexPlan::Any();

  TraceSearchResponse response;
  absl::flat_hash_set<TraceId> visited;
  LatestStarts latest(request.limit);
  std::vector<SpanSummary> summaries;
  const int64_t lo_bucket = request.range.start_ns > 0 ? IndexBucket(request.range.start_ns) : INT64_MIN;
  const int64_t hi_bucket = request.range.end_ns > 0 ? IndexBucket(request.range.end_ns) : INT64_MAX;
  // Reads every summary of trace `id` from partition i and its neighbours in time, and keeps the trace if a span
  // matches. Only spans of batches whose earliest span starts in the searched minutes may match, as the index
  // finds them; the trace's other batches still count for its root, duration and service statistics.
  auto visit = [&](const TraceId& id, size_t i) -> absl::Status {
    if (!visited.insert(id).second) return absl::OkStatus();
    TraceAggregate agg;
    std::string prefix(1, kSummaryTag);
    prefix.append(id.View());
    for (size_t j = i > 0 ? i - 1 : 0; j <= i + 1 && j < all.size(); ++j) {
      if (std::abs(all[j].start_s - all[i].start_s) > width_s_) continue;
      kv::Iterator* it = iterator(j);
      for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
        if (it->key().size() != kSummaryKeyBytes) {
          return absl::DataLossError(
              absl::StrCat("trace partition ", all[j].partition.ns->name(), ": trace search record: bad key length"));
        }
        response.inspected_bytes += it->value().size();
        summaries.clear();
        VIGIL_RETURN_IF_ERROR(Annotate(DecodeSummaries(it->value(), id, &summaries),
                                       absl::StrCat("trace partition ", all[j].partition.ns->name())));
        uint64_t batch_start = UINT64_MAX;
        for (const SpanSummary& sum : summaries) batch_start = std::min(batch_start, sum.start_unix_nano);
        const int64_t bucket = IndexBucket(batch_start);
        agg.Add(summaries, request.filter, bucket >= lo_bucket && bucket <= hi_bucket);
      }
      VIGIL_RETURN_IF_ERROR(it->status());
    }
    if (std::optional<TraceSearchResult> r = Finish(id, agg, request)) {
      latest.Add(r->start_unix_nano);
      response.traces.push_back(std::move(*r));
    }
    return absl::OkStatus();
  };

  std::vector<TraceId> legacy;
  std::vector<Candidate> candidates;
  for (size_t i = all.size(); i-- > 0;) {
    const PartitionRef& p = all[i];
    const uint64_t p_start_ns = static_cast<uint64_t>(p.start_s) * kNanosPerSecond;
    const int64_t lo = std::max(lo_bucket, IndexBucket(p_start_ns));
    const int64_t hi =
        std::min(hi_bucket, IndexBucket(static_cast<uint64_t>(p.start_s + width_s_) * kNanosPerSecond - 1));
    if (lo > hi) continue;
    ++response.partitions;
    if (!p.partition.indexed) {
      VIGIL_RETURN_IF_ERROR(
          Annotate(SummaryTraceIds(iterator(i), &legacy), absl::StrCat("trace partition ", p.partition.ns->name())));
      for (const TraceId& id : legacy) VIGIL_RETURN_IF_ERROR(visit(id, i));
      if (latest.Enough(p_start_ns, true)) break;
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(ResolvedPlan resolved, ResolvePlan(kv_, p.partition.ns, plan));
    if (resolved.kind == ResolvedPlan::Kind::kNone) continue;
    bool done = false;
    for (int64_t b = hi; b >= lo && !done; --b) {
      VIGIL_RETURN_IF_ERROR(Annotate(CandidateTraces(iterator(i), resolved, b, &candidates),
                                     absl::StrCat("trace partition ", p.partition.ns->name())));
      // Candidates come latest batch start first: once one is read, every trace not read yet starts at or before
      // its batch start.
      for (const Candidate& c : candidates) {
        VIGIL_RETURN_IF_ERROR(visit(c.id, i));
        if (latest.Enough(c.batch_start, false)) {
          done = true;
          break;
        }
      }
      // Traces not read yet have no batch starting at or after this bucket (and this partition).
      const uint64_t threshold = std::max(static_cast<uint64_t>(b) * kIndexBucketNanos, p_start_ns);
      done = done || latest.Enough(threshold, true);
    }
    if (done) break;
  }

  std::sort(response.traces.begin(), response.traces.end(), [](const TraceSearchResult& a, const TraceSearchResult& b) {
    if (a.start_unix_nano != b.start_unix_nano) return a.start_unix_nano > b.start_unix_nano;
    return a.trace_id < b.trace_id;
  });
  if (request.limit > 0 && response.traces.size() > request.limit) response.traces.resize(request.limit);
  return response;
}

}  // namespace vigil::traces
