// TraceStore: the store's trace storage. Spans arrive through the receivers (it is their SpanSink), are grouped
// by trace id within 2-hour time partitions and persisted, compressed, in the KvStore; a trace is read back by
// id with one prefix read per partition, and searched through a per-span index of intrinsics and configured
// attributes. Retention drops whole partitions, as the metric partitions do.
//
// Layout (search_index.h has the keys, docs/tempo-api.md the details): every partition is one KvStore namespace
// "traces-<start s>", holding per request ("batch") and trace the compressed spans and their span summaries,
// keyed by trace id and batch seq; tag and operation indexes; and the search index, which lists per minute of
// batch start time the traces that arrived and, per index term (service, span name, status, kind, duration
// bucket, configured attribute values), the traces carrying it.
// `seq` is unique per batch over the store's life (blocks of it are reserved durably in the default namespace),
// so spans of one trace that arrive over minutes, from several agents, land in separate keys and are all found.
// A batch is acknowledged after one synced KvStore write (the WAL is fsynced), so acknowledged spans survive a
// crash.
//
//   auto store = *TraceStore::Open(kv, {.retention = absl::Hours(24 * 15)}, SystemClock());
//   VIGIL_RETURN_IF_ERROR(store->Consume(std::move(spans)));
//   std::vector<Span> trace = *store->FindTrace(id);
#ifndef VIGIL_TSDB_TRACES_TRACE_STORE_H_
#define VIGIL_TSDB_TRACES_TRACE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/receivers/span_sink.h"
#include "base/clock/clock.h"
#include "model/span.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/traces/search_plan.h"
#include "tsdb/traces/span_summary.h"

namespace vigil::traces {

// How a TraceStore partitions, indexes and retains.
struct TraceStoreOptions {
  // Width of a time partition (by span start time). Retention drops whole partitions.
  absl::Duration partition_width = absl::Hours(2);
  // Partitions that ended longer ago than this are dropped by ApplyRetention; zero keeps everything. The store's
  // wiring gives it the metrics retention.
  absl::Duration retention = absl::ZeroDuration();
  // Attributes searchable besides the intrinsics (service.name is always indexed). Search conditions on other
  // attributes match nothing, and Tags lists only these. Each distinct value costs an index record per request
  // and time bucket, so per-request values (URLs, ids) are better left out.
  IndexedAttributeKeys indexed = DefaultIndexedAttributeKeys();
};

// A span condition for Search, evaluated on each span's summary: the TraceQL evaluator implements it.
class SpanFilter {
 public:
  virtual ~SpanFilter() = default;
  // Whether `span` satisfies the condition.
  virtual bool Matches(const SpanSummary& span) const = 0;
  // Which index terms a matching span must carry (search_plan.h); the default restricts nothing, so Search
  // reads every trace of the range.
  virtual SpanIndexPlan IndexPlan() const { return SpanIndexPlan::Any(); }
};

// A time range in Unix nanoseconds; 0 for a bound means open.
struct TimeRange {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// What to search for.
struct TraceSearchRequest {
  // Traces overlapping this range.
  TimeRange range;
  // Bounds on the trace's duration (first span start to last span end); 0 means none.
  uint64_t min_trace_duration_ns = 0;
  uint64_t max_trace_duration_ns = 0;
  // Traces need at least one span matching this; null matches every span.
  const SpanFilter* filter = nullptr;
  // Most traces returned (the most recent first).
  size_t limit = 20;
  // Most matching spans returned per trace.
  size_t spans_per_spanset = 3;
};

// Span and error counts of one service within a trace (Tempo's serviceStats).
struct ServiceStats {
  int64_t span_count = 0;
  int64_t error_count = 0;
};

// One found trace, as Tempo's search answer lists it.
struct TraceSearchResult {
  TraceId trace_id;
  // Service and span name of the root span; "<root span not yet received>" and "" while it is missing.
  std::string root_service;
  std::string root_name;
  uint64_t start_unix_nano = 0;
  uint64_t duration_nanos = 0;
  // The first spans_per_spanset matching spans (by start time) and how many matched in all.
  std::vector<SpanSummary> matched_spans;
  int64_t matched = 0;
  std::map<std::string, ServiceStats> service_stats;
};

// What Search found.
struct TraceSearchResponse {
  std::vector<TraceSearchResult> traces;
  // Bytes of index records read (Tempo's metrics.inspectedBytes).
  uint64_t inspected_bytes = 0;
  // Partitions scanned (Tempo's metrics.totalBlocks).
  int64_t partitions = 0;
};

// Spans persisted by trace id; see the file comment. Thread-safe.
class TraceStore : public receivers::SpanSink {
 public:
  // Opens the store over `kv` (shared with the metric partitions: its namespaces are named "traces-..."),
  // attaching the partitions already there. `clock` (not owned) decides what retention drops.
  static absl::StatusOr<std::unique_ptr<TraceStore>> Open(kv::KvStore* kv, TraceStoreOptions options, Clock* clock);

  // Stores the spans durably (one synced write) before returning OK. Unavailable if the write fails (nothing of
  // the batch is kept: the write is atomic), so the client retries.
  absl::Status Consume(std::vector<Span> spans) override;

  // Every stored span of trace `id`, from every partition, ordered by start time; spans stored twice (a
  // retried request) appear once. NotFound if there is none.
  absl::StatusOr<std::vector<Span>> FindTrace(const TraceId& id) const;

  // Traces with a span matching the request, most recent first. Reads the search index one minute at a time,
  // newest first, and stops once `limit` traces are found that start after every trace not yet read. Only
  // spans of batches whose earliest span starts within `range` can match (that is what the index lists); the
  // trace's other batches still count for its root, start, duration and service statistics.
  absl::StatusOr<TraceSearchResponse> Search(const TraceSearchRequest& request) const;

  // Indexed attribute names of `scope` seen in partitions overlapping `range`, sorted.
  absl::StatusOr<std::vector<std::string>> TagNames(AttributeScope scope, TimeRange range) const;
  // Distinct values of attribute `key` of `scope` in `range`, sorted by type then text, at most `limit` (0: all).
  absl::StatusOr<std::vector<AnyValue>> TagValues(AttributeScope scope, std::string_view key, TimeRange range,
                                                  size_t limit) const;
  // Span names of `service` (Jaeger's operations), or of every service for "", sorted.
  absl::StatusOr<std::vector<std::string>> SpanNames(std::string_view service, TimeRange range) const;

  // Drops partitions that ended before now - retention. Returns how many were dropped.
  absl::StatusOr<int> ApplyRetention();

  // Starts (Unix seconds) of the partitions held, ascending; for tests and status pages.
  std::vector<int64_t> PartitionStarts() const;

  const TraceStoreOptions& options() const { return options_; }

 private:
  // One time partition.
  struct Partition {
    std::shared_ptr<kv::Namespace> ns;
    // Written with the search index (it holds the kIndexedMarkerKey); else searched by reading every summary.
    bool indexed = false;
    // Created by this process, and no write holding its marker has succeeded yet.
    bool marker_pending = false;
  };
  struct PartitionRef {
    int64_t start_s = 0;
    Partition partition;
  };

  TraceStore(kv::KvStore* kv, TraceStoreOptions options, Clock* clock);
  absl::Status Load();
  // The partition holding spans that start at `partition_start_s`, created if new.
  absl::StatusOr<Partition> PartitionFor(int64_t partition_start_s);
  // Every partition, ascending by start.
  std::vector<PartitionRef> AllPartitions() const;
  // The first of `n` batch sequence numbers, reserving more durably when the reservation runs out.
  absl::StatusOr<uint64_t> NextSeq();
  // Partitions overlapping `range` widened by one partition width on both sides (a trace's spans may start
  // before the range), or every partition.
  std::vector<std::shared_ptr<kv::Namespace>> PartitionsFor(TimeRange range, bool widen) const;

  kv::KvStore* const kv_;
  const TraceStoreOptions options_;
  Clock* const clock_;
  const int64_t width_s_;

  mutable absl::Mutex mu_;
  absl::btree_map<int64_t, Partition> partitions_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t reserved_seq_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil::traces

#endif  // VIGIL_TSDB_TRACES_TRACE_STORE_H_
