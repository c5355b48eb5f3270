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
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/encode.h"

namespace vigil::traces {
namespace {

constexpr std::string_view kNamespacePrefix = "traces-";
constexpr std::string_view kSeqKey = "traces/seq";
constexpr uint64_t kSeqBlock = uint64_t{1} << 16;
constexpr char kTraceTag = 't';
constexpr char kSummaryTag = 's';
constexpr char kAttrTag = 'a';
constexpr char kOperationTag = 'o';
constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string NamespaceName(int64_t start_s) { return absl::StrFormat("traces-%012d", start_s); }

std::optional<int64_t> ParseNamespaceName(std::string_view name) {
  if (name.substr(0, kNamespacePrefix.size()) != kNamespacePrefix) return std::nullopt;
  int64_t v = 0;
  if (!absl::SimpleAtoi(AV(name.substr(kNamespacePrefix.size())), &v)) return std::nullopt;
  return v;
}

std::string TraceKey(char tag, const TraceId& id, uint64_t seq) {
  std::string key(1, tag);
  key.append(id.View());
  tsdb::logs::PutBigEndian(seq, 8, &key);
  return key;
}

// The smallest key after every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<uint8_t>(prefix.back()) != 0xff) {
      prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

char ScopeChar(AttributeScope scope) { return scope == AttributeScope::kResource ? 'r' : 's'; }

std::string AttrPrefix(AttributeScope scope, std::string_view key) {
  std::string p{kAttrTag, ScopeChar(scope)};
  p.append(key);
  return p;
}

absl::Status Compress(std::string_view in, std::string* out) {
  out->resize(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  out->resize(n);
  return absl::OkStatus();
}

absl::Status Decompress(std::string_view in, std::string* out) {
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (uint64_t{1} << 31)) {
    return absl::DataLossError("trace record: not a zstd frame of known size");
  }
  out->resize(size);
  size_t n = ZSTD_decompress(out->data(), out->size(), in.data(), in.size());
  if (ZSTD_isError(n) || n != size) {
    return absl::DataLossError(absl::StrCat("trace record: zstd: ", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
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
    if (start.has_value()) partitions_[*start] = std::move(ns);
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

absl::StatusOr<std::shared_ptr<kv::Namespace>> TraceStore::PartitionFor(int64_t partition_start_s) {
  absl::MutexLock lock(&mu_);
  auto it = partitions_.find(partition_start_s);
  if (it != partitions_.end()) return it->second;
  VIGIL_ASSIGN_OR_RETURN(std::shared_ptr<kv::Namespace> ns, kv_->CreateNamespace(NamespaceName(partition_start_s)));
  partitions_[partition_start_s] = ns;
  return ns;
}

std::vector<std::shared_ptr<kv::Namespace>> TraceStore::PartitionsFor(TimeRange range, bool widen) const {
  const int64_t pad = widen ? width_s_ : 0;
  std::vector<std::shared_ptr<kv::Namespace>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [start_s, ns] : partitions_) {
    const int64_t end_s = start_s + width_s_;
    if (range.start_ns > 0 && (end_s + pad) * kNanosPerSecond <= range.start_ns) continue;
    if (range.end_ns > 0 && (start_s - pad) * kNanosPerSecond > range.end_ns) continue;
    out.push_back(ns);
  }
  return out;
}

std::vector<int64_t> TraceStore::PartitionStarts() const {
  absl::MutexLock lock(&mu_);
  std::vector<int64_t> out;
  for (const auto& [start_s, ns] : partitions_) out.push_back(start_s);
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
  std::vector<std::shared_ptr<kv::Namespace>> touched;  // kept alive until the write is done
  std::set<std::pair<const kv::Namespace*, std::string>> index_keys;
  std::string compressed;
  std::string summary_bytes;
  for (auto& [id, group] : by_trace) {
    uint64_t min_start = UINT64_MAX;
    for (const Span& s : group) min_start = std::min(min_start, s.start_time_unix_nano);
    const int64_t start_s = static_cast<int64_t>(min_start / kNanosPerSecond);
    absl::StatusOr<std::shared_ptr<kv::Namespace>> ns = PartitionFor(start_s - start_s % width_s_);
    if (!ns.ok()) return absl::UnavailableError(absl::StrCat("trace store: ", ns.status().message()));
    touched.push_back(*ns);

    VIGIL_RETURN_IF_ERROR(Compress(wire::otlp::EncodeTracesProto(group), &compressed));
    batch->Put(**ns, TraceKey(kTraceTag, id, *seq), compressed);

    std::vector<SpanSummary> summaries;
    summaries.reserve(group.size());
    for (const Span& s : group) {
      SpanSummary sum = SummarizeSpan(s, options_.indexed);
      std::string key = AttrPrefix(AttributeScope::kResource, "service.name");
      key.push_back('\0');
      AppendTagValue(AnyValue::String(sum.service), &key);
      index_keys.emplace(ns->get(), std::move(key));
      key = std::string(1, kOperationTag);
      absl::StrAppend(&key, sum.service, absl::string_view("\0", 1), sum.name);
      index_keys.emplace(ns->get(), std::move(key));
      for (const IndexedAttribute& a : sum.attributes) {
        key = AttrPrefix(a.scope, a.key);
        key.push_back('\0');
        AppendTagValue(a.value, &key);
        index_keys.emplace(ns->get(), std::move(key));
      }
      summaries.push_back(std::move(sum));
    }
    summary_bytes.clear();
    EncodeSummaries(summaries, &summary_bytes);
    batch->Put(**ns, TraceKey(kSummaryTag, id, *seq), summary_bytes);
  }
  for (const auto& [ns, key] : index_keys) batch->Put(*ns, key, "");
  absl::Status st = kv_->Write({.sync = true}, batch.get());
  if (!st.ok()) return absl::UnavailableError(absl::StrCat("trace store: writing spans: ", st.message()));
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
      decode_status = Decompress(it->value(), &raw);
      if (!decode_status.ok()) return false;
      absl::StatusOr<wire::otlp::DecodedSpans> spans = wire::otlp::DecodeTracesProto(raw);
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

absl::StatusOr<TraceSearchResponse> TraceStore::Search(const TraceSearchRequest& request) const {
  struct Agg {
    bool have_root = false;
    std::string root_service;
    std::string root_name;
    uint64_t start = UINT64_MAX;
    uint64_t end = 0;
    std::vector<SpanSummary> matched;
    std::map<std::string, ServiceStats> stats;
  };
  absl::flat_hash_map<TraceId, Agg> traces;
  TraceSearchResponse response;
  std::vector<SpanSummary> summaries;
  absl::Status decode_status;
  for (const std::shared_ptr<kv::Namespace>& ns : PartitionsFor(request.range, true)) {
    ++response.partitions;
    VIGIL_RETURN_IF_ERROR(ScanPrefix(kv_, ns, std::string(1, kSummaryTag), [&](kv::Iterator* it) {
      std::string_view key = it->key();
      if (key.size() != 1 + 16 + 8) {
        decode_status = absl::DataLossError("trace search record: bad key length");
        return false;
      }
      TraceId id;
      std::copy(key.begin() + 1, key.begin() + 17, id.bytes.begin());
      response.inspected_bytes += it->value().size();
      summaries.clear();
      decode_status = DecodeSummaries(it->value(), id, &summaries);
      if (!decode_status.ok()) return false;
      Agg& agg = traces[id];
      for (SpanSummary& s : summaries) {
        agg.start = std::min(agg.start, s.start_unix_nano);
        agg.end = std::max(agg.end, s.start_unix_nano + s.duration_nanos);
        ServiceStats& st = agg.stats[s.service];
        ++st.span_count;
        if (s.status == SpanStatusCode::kError) ++st.error_count;
        if (s.is_root() && !agg.have_root) {
          agg.have_root = true;
          agg.root_service = s.service;
          agg.root_name = s.name;
        }
        if (request.filter == nullptr || request.filter->Matches(s)) agg.matched.push_back(std::move(s));
      }
      return true;
    }));
    VIGIL_RETURN_IF_ERROR(Annotate(decode_status, absl::StrCat("trace partition ", ns->name())));
  }
  for (auto& [id, agg] : traces) {
    if (agg.matched.empty()) continue;
    const uint64_t duration = agg.end > agg.start ? agg.end - agg.start : 0;
    if (request.range.end_ns > 0 && agg.start > static_cast<uint64_t>(request.range.end_ns)) continue;
    if (request.range.start_ns > 0 && agg.end < static_cast<uint64_t>(request.range.start_ns)) continue;
    if (request.min_trace_duration_ns > 0 && duration < request.min_trace_duration_ns) continue;
    if (request.max_trace_duration_ns > 0 && duration > request.max_trace_duration_ns) continue;
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
    response.traces.push_back(std::move(r));
  }
  std::sort(response.traces.begin(), response.traces.end(), [](const TraceSearchResult& a, const TraceSearchResult& b) {
    if (a.start_unix_nano != b.start_unix_nano) return a.start_unix_nano > b.start_unix_nano;
    return a.trace_id < b.trace_id;
  });
  if (request.limit > 0 && response.traces.size() > request.limit) response.traces.resize(request.limit);
  return response;
}

absl::StatusOr<std::vector<std::string>> TraceStore::TagNames(AttributeScope scope, TimeRange range) const {
  std::set<std::string> names;
  const std::string prefix = AttrPrefix(scope, "");
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
  std::string prefix = AttrPrefix(scope, key);
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
    for (const auto& [start_s, ns] : partitions_) {
      if (start_s + width_s_ <= cutoff_s) doomed.emplace_back(start_s, ns);
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
