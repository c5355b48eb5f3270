// Log queries: the pipeline over every selected entry, the newest (backward) or oldest (forward) `limit` kept
// lines, grouped into result streams by their final labels.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "base/status/status_macros.h"
#include "query/logengine/eval_internal.h"
#include "query/logql/pipeline.h"

namespace vigil::logengine::internal {
namespace {

using tsdb::logs::Direction;
using tsdb::logs::LogEntryRef;

// A kept line waiting for the final selection.
struct Candidate {
  int64_t ts = 0;
  uint64_t seq = 0;  // order of discovery: breaks timestamp ties so results are deterministic
  Labels labels;     // final labels (or stream part with categorize_labels)
  std::string line;
  Labels structured_metadata;
  Labels parsed;
};

// Splits `final` into the labels of the stream, the entry's structured metadata and the parsed rest, as Loki's
// categorize-labels encoding reports them.
void Categorize(const Labels& final, const Labels& stream, const Labels& metadata, Candidate* c) {
  std::vector<LabelPair> stream_part, sm_part, parsed_part;
  for (const Label& l : final) {
    if (!metadata.empty() && metadata.Get(l.name) == l.value && metadata.Has(l.name)) {
      sm_part.emplace_back(l.name, l.value);
    } else if (stream.Has(l.name) && stream.Get(l.name) == l.value) {
      stream_part.emplace_back(l.name, l.value);
    } else {
      parsed_part.emplace_back(l.name, l.value);
    }
  }
  c->labels = Labels::FromPairs(stream_part);
  c->structured_metadata = Labels::FromPairs(sm_part);
  c->parsed = Labels::FromPairs(parsed_part);
}

}  // namespace

const Labels& EntryLabels(const Labels& stream, const Labels& structured_metadata, Labels* scratch) {
  if (structured_metadata.empty()) return stream;
  LabelsBuilder b(stream);
  for (const Label& l : structured_metadata) b.Set(l.name, l.value);
  *scratch = b.Build();
  return *scratch;
}

absl::StatusOr<Streams> EvalLogQuery(const logql::LogSelectorExpr& expr, const QueryParams& params,
                                     const tsdb::logs::LogQuerier* querier, QueryStats* stats) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<logql::Pipeline> pipeline, logql::Pipeline::Compile(expr.stages));
  const bool backward = params.direction == Direction::kBackward;
  const size_t limit = params.limit;
  // A heap of the best `limit` candidates with the worst on top: "better" is newer for backward, older for
  // forward, and the earlier found on equal timestamps.
  auto better = [backward](const Candidate& a, const Candidate& b) {
    if (a.ts != b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
    return a.seq < b.seq;
  };
  std::vector<Candidate> heap;
  uint64_t seq = 0;
  const bool only_filters = pipeline->OnlyLineFilters();
  Labels scratch;

  absl::Status st = querier->ForEachStream(
      expr.matchers, params.start_ns, params.end_ns, params.direction,
      [&](const Labels& stream, std::span<const LogEntryRef> entries) -> absl::Status {
        ++stats->streams;
        bool have_last = false;
        int64_t last_kept = 0;
        for (const LogEntryRef& e : entries) {
          // Entries come in the query's direction, so once the heap is full and this one would not enter it,
          // no later entry of this stream would either.
          if (heap.size() == limit && limit > 0) {
            const Candidate& worst = heap.front();
            if (backward ? e.timestamp_ns < worst.ts : e.timestamp_ns > worst.ts) break;
            if (e.timestamp_ns == worst.ts) break;  // ties lose to earlier finds
          }
          ++stats->lines_processed;
          stats->bytes_processed += e.line.size();
          if (!e.structured_metadata.empty()) {
            for (const Label& l : e.structured_metadata)
              stats->structured_metadata_bytes += l.name.size() + l.value.size();
          }
          if (params.interval_ns > 0 && have_last) {
            int64_t gap = backward ? last_kept - e.timestamp_ns : e.timestamp_ns - last_kept;
            if (gap < params.interval_ns) continue;
          }
          const Labels& input = only_filters ? stream : EntryLabels(stream, e.structured_metadata, &scratch);
          if (!pipeline->Process(e.timestamp_ns, e.line, input)) continue;
          ++stats->post_filter_lines;
          have_last = true;
          last_kept = e.timestamp_ns;
          Candidate c;
          c.ts = e.timestamp_ns;
          c.seq = seq++;
          c.line.assign(pipeline->line());
          Labels final =
              only_filters ? EntryLabels(stream, e.structured_metadata, &scratch) : pipeline->labels().Build();
          if (params.categorize_labels) {
            Categorize(final, stream, e.structured_metadata, &c);
          } else {
            c.labels = std::move(final);
          }
          if (heap.size() < limit) {
            heap.push_back(std::move(c));
            std::push_heap(heap.begin(), heap.end(), better);
          } else {
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.back() = std::move(c);
            std::push_heap(heap.begin(), heap.end(), better);
          }
        }
        return absl::OkStatus();
      });
  VIGIL_RETURN_IF_ERROR(st);

  std::sort(heap.begin(), heap.end(), better);
  absl::flat_hash_map<Labels, size_t> index;
  Streams out;
  for (Candidate& c : heap) {
    auto [it, inserted] = index.try_emplace(c.labels, out.size());
    if (inserted) out.push_back(LogStream{.labels = c.labels, .lines = {}});
    LogLine line;
    line.timestamp_ns = c.ts;
    line.line = std::move(c.line);
    line.structured_metadata = std::move(c.structured_metadata);
    line.parsed = std::move(c.parsed);
    out[it->second].lines.push_back(std::move(line));
  }
  std::sort(out.begin(), out.end(), [](const LogStream& a, const LogStream& b) { return a.labels < b.labels; });
  stats->entries_returned = heap.size();
  return out;
}

}  // namespace vigil::logengine::internal
