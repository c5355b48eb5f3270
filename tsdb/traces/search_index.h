// The trace store's key layout within a partition, and its search index: per one-minute bucket of batch start
// time, which traces arrived (the time index) and which traces carry each index term (the postings).
//
// Keys of one partition namespace (trace_store.h names the values):
//   't' trace id(16) seq(8)                    compressed spans of one batch of one trace
//   's' trace id(16) seq(8)                    the batch's span summaries of that trace
//   'a' scope('r'|'s') key 0x00 typed value     tag names and values (TagNames, TagValues)
//   'o' service 0x00 span name                 Jaeger's operations
//   'T' bucket(8) seq(8)                       the bucket record of a batch: its traces whose earliest span in
//                                              the batch starts in the bucket, and per index term which of them
//                                              have a span carrying it (BucketRecordBuilder has the encoding)
//   '!index'                                   present in partitions written with the time index and postings
// Buckets are one minute of Unix time; numbers are big-endian so keys sort by bucket. One record per batch and
// bucket, holding every term, keeps the index to one or two keys per request: RocksDB's cost is per key. A term is the
// 'a' key without its tag for attributes (service.name is the resource attribute), 'n' name, 'x' status code, 'k' kind,
// 'd' duration bucket (0 for 0 ns, else 1 + floor(log2(ns))). Postings hold a 64-bit hash of the term: a
// collision only adds candidates, which the search's filter then rejects.
#ifndef VIGIL_TSDB_TRACES_SEARCH_INDEX_H_
#define VIGIL_TSDB_TRACES_SEARCH_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/span.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/traces/search_plan.h"
#include "tsdb/traces/span_summary.h"

namespace vigil::traces {

inline constexpr char kTraceTag = 't';
inline constexpr char kSummaryTag = 's';
inline constexpr char kAttrTag = 'a';
inline constexpr char kOperationTag = 'o';
inline constexpr char kBucketTag = 'T';
// Written once, in the batch that creates a partition; partitions without it predate the index and are searched
// by reading every summary.
inline constexpr std::string_view kIndexedMarkerKey = "!index";
// Width of an index time bucket.
inline constexpr int64_t kIndexBucketNanos = int64_t{60} * 1'000'000'000;

// The smallest key after every key starting with `prefix` ("" when there is none).
std::string PrefixEnd(std::string prefix);

// `tag` trace id seq: the keys of a batch's spans and summaries.
std::string TraceKey(char tag, const TraceId& id, uint64_t seq);

// The index term of attribute `key` = `value` in `scope` (also the 'a' key without its tag).
std::string AttributeTerm(AttributeScope scope, std::string_view key, const AnyValue& value);
// 'a' scope key: the prefix of the tag index keys of `key` (or of every key, for "").
std::string AttributeKeyPrefix(AttributeScope scope, std::string_view key);
// 'o' service 0x00 name.
std::string OperationKey(std::string_view service, std::string_view name);

// The duration bucket of `ns`: 0 for 0, else 1 + floor(log2(ns)), so 1..64.
int DurationBucket(uint64_t ns);

// Adds the term hashes of every indexed field of `span` to `hashes`, and calls `attribute_term` with each
// attribute term (service.name's included), which the caller records in the tag index.
void AddSpanTerms(const SpanSummary& span, absl::flat_hash_set<uint64_t>* hashes,
                  absl::FunctionRef<void(std::string_view attribute_term)> attribute_term);

// The time bucket of a Unix nanosecond time.
inline int64_t IndexBucket(uint64_t unix_nano) { return static_cast<int64_t>(unix_nano / kIndexBucketNanos); }
// 'T' bucket seq.
std::string BucketRecordKey(int64_t bucket, uint64_t seq);

// Builds the value of a bucket record:
//   varint trace count, the trace ids (16 bytes each),
//   varint base, then per trace the zigzag varint of (start of its earliest span in the batch - base),
//   varint term count, then per term in ascending hash order: hash (8 bytes, big-endian), varint byte length of
//   the list, the list: ascending indexes into the trace ids, as varint deltas.
class BucketRecordBuilder {
 public:
  // Adds a trace (once per record) whose earliest span in the batch starts at `start_unix_nano` and whose spans
  // carry `term_hashes`.
  void AddTrace(const TraceId& id, uint64_t start_unix_nano, const absl::flat_hash_set<uint64_t>& term_hashes);
  // The encoded record.
  std::string Encode() const;

 private:
  std::vector<TraceId> traces_;
  std::vector<uint64_t> starts_;
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> postings_;
};

// A SpanIndexPlan bound to the terms one partition holds.
struct ResolvedPlan {
  enum class Kind { kAll, kNone, kTerms, kAnd, kOr };
  Kind kind = Kind::kAll;
  std::vector<uint64_t> term_hashes;  // kTerms: a span carrying any of these may match
  std::vector<ResolvedPlan> children;
};

// Most terms one leaf may resolve to; a leaf matching more values (a regular expression over a high-cardinality
// attribute) is not worth its seeks and resolves to kAll.
inline constexpr size_t kMaxTermsPerLeaf = 512;

// Resolves `plan` against the tag and operation index of partition `ns` (the values seen there), simplified:
// kAll means the plan restricts nothing, kNone that no span of the partition can match.
absl::StatusOr<ResolvedPlan> ResolvePlan(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns,
                                         const SpanIndexPlan& plan);

// A trace that may match, and the latest start of its batches' earliest spans in the bucket: an upper bound of the
// trace's start.
struct Candidate {
  TraceId id;
  uint64_t batch_start = 0;
};

// Sets `out` to the traces with a batch in time bucket `bucket` that may hold a span matching `plan`, latest
// batch start first, each once. `it` iterates the partition holding the bucket.
absl::Status CandidateTraces(kv::Iterator* it, const ResolvedPlan& plan, int64_t bucket, std::vector<Candidate>* out);

}  // namespace vigil::traces

#endif  // VIGIL_TSDB_TRACES_SEARCH_INDEX_H_
