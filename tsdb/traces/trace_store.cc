#include "tsdb/traces/trace_store.h"

#include <zstd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/logs/byte_codec.h"
#include "tsdb/traces/search_index.h"
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/encode.h"

namespace vigil::traces {
namespace {

constexpr std::string_view kNamespacePrefix = "traces-";
constexpr std::string_view kSeqKey = "traces/seq";
constexpr uint64_t kSeqBlock = uint64_t{1} << 16;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string NamespaceName(int64_t start_s) { return absl::StrFormat("traces-%012d", start_s); }

std::optional<int64_t> ParseNamespaceName(std::string_view name) {
  if (name.substr(0, kNamespacePrefix.size()) != kNamespacePrefix) return std::nullopt;
  int64_t v = 0;
  if (!absl::SimpleAtoi(AV(name.substr(kNamespacePrefix.size())), &v)) return std::nullopt;
  return v;
}

// The OTLP protobuf of a 't' record. Records are written as plain protobuf, which RocksDB compresses a block of
// many traces at a time (better than each small trace alone, and once rather than twice); records of stores
// written before that are zstd frames, recognised by the frame's magic number (protobuf's first byte, a field
// tag, is never 0x28).
absl::Status DecodeTraceRecord(std::string_view in, std::string* scratch, std::string_view* out) {
  constexpr std::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);
  if (in.substr(0, 4) != kZstdMagic) {
    *out = in;
    return absl::OkStatus();
  }
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (uint64_t{1} << 31)) {
    return absl::DataLossError("trace record: not a zstd frame of known size");
  }
  scratch->resize(size);
  size_t n = ZSTD_decompress(scratch->data(), scratch->size(), in.data(), in.size());
  if (ZSTD_isError(n) || n != size) {
    return absl::DataLossError(absl::StrCat("trace record: zstd: ", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  *out = *scratch;
  return absl::OkStatus();
}

// Visits every key of `ns` starting with `prefix`; `fn` returns false to stop.
template <typename Fn>
absl::Status ScanPrefix(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns, const std::string& prefix, Fn fn) {
  std::unique_ptr<kv::Iterator> it = kv->NewIterator(ns, {.upper_bound = PrefixEnd(prefix)});
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (!fn(it.get())) break;
  }
  return Annotate(it->status(), absl::StrCat("trace partition ", ns->name()));
}

}  // namespace

TraceStore::TraceStore(kv::KvStore* kv, TraceStoreOptions options, Clock* clock)
    : kv_(kv),
      options_(std::move(options)),
      clock_(clock),
      width_s_(std::max<int64_t>(1, absl::ToInt64Seconds(options_.partition_width))) {}

absl::StatusOr<std::unique_ptr<TraceStore>> TraceStore::Open(kv::KvStore* kv, TraceStoreOptions options, Clock* clock) {
  std::unique_ptr<TraceStore> store(new TraceStore(kv, std::move(options), clock));
  VIGIL_RETURN_IF_ERROR(store->Load());
  return store;
}

absl::Status TraceStore::Load() {
  absl::MutexLock lock(&mu_);
  std::string value;
  VIGIL_ASSIGN_OR_RETURN(bool found, kv_->Get(*kv_->DefaultNamespace(), kSeqKey, &value));
  if (found) {
    tsdb::logs::ByteReader r(value, "trace store sequence record");
    VIGIL_RETURN_IF_ERROR(r.BigEndian(8, &reserved_seq_));
    next_seq_ = reserved_seq_;
  }
  for (std::shared_ptr<kv::Namespace>& ns : kv_->ListNamespaces()) {
    std::optional<int64_t> start = ParseNamespaceName(ns->name());
    if (!start.has_value()) continue;
    std::string marker;
    VIGIL_ASSIGN_OR_RETURN(bool indexed, kv_->Get(*ns, kIndexedMarkerKey, &marker));
    partitions_[*start] = Partition{.ns = std::move(ns), .indexed = indexed, .marker_pending = false};
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TraceStore::NextSeq() {
  absl::MutexLock lock(&mu_);
  if (next_seq_ >= reserved_seq_) {
    std::string value;
    tsdb::logs::PutBigEndian(next_seq_ + kSeqBlock, 8, &value);
    std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
    batch->Put(*kv_->DefaultNamespace(), kSeqKey, value);
    VIGIL_RETURN_IF_ERROR(kv_->Write({.sync = true}, batch.get()));
    reserved_seq_ = next_seq_ + kSeqBlock;
  }
  return next_seq_++;
}

absl::StatusOr<TraceStore::Partition> TraceStore::PartitionFor(int64_t partition_start_s) {
  absl::MutexLock lock(&mu_);
  auto it = partitions_.find(partition_start_s);
  if (it != partitions_.end()) return it->second;
  VIGIL_ASSIGN_OR_RETURN(std::shared_ptr<kv::Namespace> ns, kv_->CreateNamespace(NamespaceName(partition_start_s)));
  Partition p{.ns = std::move(ns), .indexed = true, .marker_pending = true};
  partitions_[partition_start_s] = p;
  return p;
}

std::vector<TraceStore::PartitionRef> TraceStore::AllPartitions() const {
  absl::MutexLock lock(&mu_);
  std::vector<PartitionRef> out;
  out.reserve(partitions_.size());
  for (const auto& [start_s, p] : partitions_) out.push_back({start_s, p});
  return out;
}

std::vector<std::shared_ptr<kv::Namespace>> TraceStore::PartitionsFor(TimeRange range, bool widen) const {
  const int64_t pad = widen ? width_s_ : 0;
  std::vector<std::shared_ptr<kv::Namespace>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [start_s, p] : partitions_) {
    const int64_t end_s = start_s + width_s_;
    if (range.start_ns > 0 && (end_s + pad) * kNanosPerSecond <= range.start_ns) continue;
    if (range.end_ns > 0 && (start_s - pad) * kNanosPerSecond > range.end_ns) continue;
    out.push_back(p.ns);
  }
  return out;
}

std::vector<int64_t> TraceStore::PartitionStarts() const {
  absl::MutexLock lock(&mu_);
  std::vector<int64_t> out;
  for (const auto& [start_s, p] : partitions_) out.push_back(start_s);
  return out;
}

absl::Status TraceStore::Consume(std::vector<Span> spans) {
  if (spans.empty()) return absl::OkStatus();
  // Group by trace; a trace's spans of one batch go to the partition of their earliest start.
  absl::flat_hash_map<TraceId, std::vector<Span>> by_trace;
  for (Span& s : spans) by_trace[s.trace_id].push_back(std::move(s));

  absl::StatusOr<uint64_t> seq = NextSeq();
  if (!seq.ok()) return absl::UnavailableError(absl::StrCat("trace store: ", seq.status().message()));
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  // Partitions written, kept alive until the write is done; tag and operation keys are deduplicated per batch.
  absl::flat_hash_map<int64_t, std::shared_ptr<kv::Namespace>> touched;
  std::vector<int64_t> created;
  // Per partition: the attribute terms ('a' keys without the tag) and operation keys.
  absl::flat_hash_map<const kv::Namespace*,
                      std::pair<absl::flat_hash_set<std::string>, absl::flat_hash_set<std::string>>>
      tag_keys;
  absl::flat_hash_set<uint64_t> terms;
  // The batch's search index records: per partition and time bucket, its traces and, per term, those carrying it.
  struct BucketIndex {
    const kv::Namespace* ns = nullptr;
    BucketRecordBuilder record;
  };
  absl::flat_hash_map<std::pair<int64_t, int64_t>, BucketIndex> index;
  std::string summary_bytes;
  std::vector<SpanSummary> summaries;
  for (auto& [id, group] : by_trace) {
    uint64_t min_start = UINT64_MAX;
    for (const Span& s : group) min_start = std::min(min_start, s.start_time_unix_nano);
    const int64_t start_s = static_cast<int64_t>(min_start / kNanosPerSecond);
    const int64_t partition_start = start_s - start_s % width_s_;
    absl::StatusOr<Partition> partition = PartitionFor(partition_start);
    if (!partition.ok()) return absl::UnavailableError(absl::StrCat("trace store: ", partition.status().message()));
    const kv::Namespace& ns = *partition->ns;
    if (touched.emplace(partition_start, partition->ns).second && partition->marker_pending) {
      batch->Put(ns, kIndexedMarkerKey, "");
      created.push_back(partition_start);
    }

    batch->Put(ns, TraceKey(kTraceTag, id, *seq), wire::otlp::EncodeTracesProto(group));

    summaries.clear();
    terms.clear();
    auto& [attribute_terms, operations] = tag_keys[&ns];
    for (const Span& s : group) {
      SpanSummary& sum = summaries.emplace_back(SummarizeSpan(s, options_.indexed));
      AddSpanTerms(sum, &terms, [&attribute_terms](std::string_view term) {
        if (!attribute_terms.contains(AV(term))) attribute_terms.emplace(term);
      });
      std::string operation = OperationKey(sum.service, sum.name);
      if (!operations.contains(operation)) operations.insert(std::move(operation));
    }
    summary_bytes.clear();
    EncodeSummaries(summaries, &summary_bytes);
    batch->Put(ns, TraceKey(kSummaryTag, id, *seq), summary_bytes);
    BucketIndex& bucket = index[{partition_start, IndexBucket(min_start)}];
    bucket.ns = &ns;
    bucket.record.AddTrace(id, min_start, terms);
  }
  for (const auto& [where, bucket] : index) {
    batch->Put(*bucket.ns, BucketRecordKey(where.second, *seq), bucket.record.Encode());
  }
  std::string key;
  for (const auto& [ns, keys] : tag_keys) {
    for (const std::string& term : keys.first) {
      key.assign(1, kAttrTag);
      key.append(term);
      batch->Put(*ns, key, "");
    }
    for (const std::string& operation : keys.second) batch->Put(*ns, operation, "");
  }
  absl::Status st = kv_->Write({.sync = true}, batch.get());
  if (!st.ok()) return absl::UnavailableError(absl::StrCat("trace store: writing spans: ", st.message()));
  if (!created.empty()) {
    absl::MutexLock lock(&mu_);
    for (int64_t start : created) {
      auto it = partitions_.find(start);
      if (it != partitions_.end()) it->second.marker_pending = false;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Span>> TraceStore::FindTrace(const TraceId& id) const {
  std::vector<Span> out;
  absl::flat_hash_set<SpanId> seen;
  std::string raw;
  absl::Status decode_status;
  for (const std::shared_ptr<kv::Namespace>& ns : PartitionsFor({}, false)) {
    std::string prefix(1, kTraceTag);
    prefix.append(id.View());
    VIGIL_RETURN_IF_ERROR(ScanPrefix(kv_, ns, prefix, [&](kv::Iterator* it) {
      std::string_view record;
      decode_status = DecodeTraceRecord(it->value(), &raw, &record);
      if (!decode_status.ok()) return false;
      absl::StatusOr<wire::otlp::DecodedSpans> spans = wire::otlp::DecodeTracesProto(record);
      if (!spans.ok()) {
        decode_status = absl::DataLossError(absl::StrCat("trace record: ", spans.status().message()));
        return false;
      }
      for (Span& s : spans->spans) {
        if (seen.insert(s.span_id).second) out.push_back(std::move(s));
      }
      return true;
    }));
    VIGIL_RETURN_IF_ERROR(Annotate(decode_status, absl::StrCat("trace partition ", ns->name())));
  }
  if (out.empty()) return absl::NotFoundError(absl::StrCat("trace not found: ", id.Hex()));
  std::stable_sort(out.begin(), out.end(),
                   [](const Span& a, const Span& b) { return a.start_time_unix_nano < b.start_time_unix_nano; });
  return out;
}

absl::StatusOr<std::vector<std::string>> TraceStore::TagNames(AttributeScope scope, TimeRange range) const {
  std::set<std::string> names;
  const std::string prefix = AttributeKeyPrefix(scope, "");
  for (const std::shared_ptr<kv::Namespace>& ns : PartitionsFor(range, false)) {
    std::unique_ptr<kv::Iterator> it = kv_->NewIterator(ns, {.upper_bound = PrefixEnd(prefix)});
    it->Seek(prefix);
    while (it->Valid()) {
      std::string_view rest = it->key().substr(prefix.size());
      std::string name(rest.substr(0, rest.find('\0')));
      // Skip the rest of this name's values: they sort right after "name\0".
      std::string next = prefix + name;
      next.push_back('\x01');
      names.insert(std::move(name));
      it->Seek(next);
    }
    VIGIL_RETURN_IF_ERROR(Annotate(it->status(), absl::StrCat("trace partition ", ns->name())));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<AnyValue>> TraceStore::TagValues(AttributeScope scope, std::string_view key, TimeRange range,
                                                            size_t limit) const {
  std::set<std::string> encoded;
  std::string prefix = AttributeKeyPrefix(scope, key);
  prefix.push_back('\0');
  for (const std::shared_ptr<kv::Namespace>& ns : PartitionsFor(range, false)) {
    VIGIL_RETURN_IF_ERROR(ScanPrefix(kv_, ns, prefix, [&](kv::Iterator* it) {
      encoded.emplace(it->key().substr(prefix.size()));
      return true;
    }));
  }
  std::vector<AnyValue> out;
  for (const std::string& e : encoded) {
    if (limit > 0 && out.size() >= limit) break;
    AnyValue v;
    VIGIL_RETURN_IF_ERROR(Annotate(ParseTagValue(e, &v), "trace tag index"));
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> TraceStore::SpanNames(std::string_view service, TimeRange range) const {
  std::set<std::string> names;
  std::string prefix(1, kOperationTag);
  if (!service.empty()) {
    prefix.append(service);
    prefix.push_back('\0');
  }
  for (const std::shared_ptr<kv::Namespace>& ns : PartitionsFor(range, false)) {
    VIGIL_RETURN_IF_ERROR(ScanPrefix(kv_, ns, prefix, [&](kv::Iterator* it) {
      std::string_view rest = it->key().substr(1);
      size_t zero = rest.find('\0');
      if (zero != std::string_view::npos) names.emplace(rest.substr(zero + 1));
      return true;
    }));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<int> TraceStore::ApplyRetention() {
  if (options_.retention <= absl::ZeroDuration()) return 0;
  const int64_t cutoff_s = absl::ToUnixSeconds(clock_->Now() - options_.retention);
  std::vector<std::pair<int64_t, std::shared_ptr<kv::Namespace>>> doomed;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [start_s, p] : partitions_) {
      if (start_s + width_s_ <= cutoff_s) doomed.emplace_back(start_s, p.ns);
    }
  }
  int dropped = 0;
  for (auto& [start_s, ns] : doomed) {
    VIGIL_RETURN_IF_ERROR(Annotate(kv_->DropNamespace(*ns), absl::StrCat("dropping trace partition ", ns->name())));
    {
      absl::MutexLock lock(&mu_);
      partitions_.erase(start_s);
    }
    log::Info("retention dropped a trace partition", {{"partition", ns->name()}});
    ++dropped;
  }
  return dropped;
}

}  // namespace vigil::traces
