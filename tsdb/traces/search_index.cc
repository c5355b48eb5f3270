#include "tsdb/traces/search_index.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "model/hash.h"
#include "tsdb/logs/byte_codec.h"

namespace vigil::traces {
namespace {

constexpr size_t kTraceIdBytes = 16;

char ScopeChar(AttributeScope scope) { return scope == AttributeScope::kResource ? 'r' : 's'; }

std::string NameTerm(std::string_view name) {
  std::string t(1, 'n');
  t.append(name);
  return t;
}

std::string CodeTerm(char tag, int code) { return std::string{tag, static_cast<char>(code)}; }

uint64_t TermHash(std::string_view term) { return Hash64(term); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Visits the keys of `ns` starting with `prefix`.
template <typename Fn>
absl::Status ForEachKey(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns, const std::string& prefix, Fn fn) {
  std::unique_ptr<kv::Iterator> it = kv->NewIterator(ns, {.upper_bound = PrefixEnd(prefix)});
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    VIGIL_RETURN_IF_ERROR(fn(it->key()));
  }
  return it->status();
}

// Collects the terms of the leaf's matching values; more than kMaxTermsPerLeaf makes the leaf kAll.
class LeafResolver {
 public:
  explicit LeafResolver(const SpanIndexPlan& plan) : plan_(plan) {}

  void Offer(const SpanSummary& value, std::string_view term) {
    if (overflow_ || !plan_.matches || !plan_.matches(value)) return;
    if (hashes_.size() >= kMaxTermsPerLeaf) {
      overflow_ = true;
      return;
    }
    hashes_.push_back(TermHash(term));
  }

  ResolvedPlan Finish() {
    ResolvedPlan r;
    if (overflow_) return r;  // kAll
    r.kind = hashes_.empty() ? ResolvedPlan::Kind::kNone : ResolvedPlan::Kind::kTerms;
    std::sort(hashes_.begin(), hashes_.end());
    hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
    r.term_hashes = std::move(hashes_);
    return r;
  }

 private:
  const SpanIndexPlan& plan_;
  std::vector<uint64_t> hashes_;
  bool overflow_ = false;
};

absl::Status ResolveAttribute(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns, const SpanIndexPlan& plan,
                              AttributeScope scope, LeafResolver* leaf) {
  std::string prefix = AttributeKeyPrefix(scope, plan.key);
  prefix.push_back('\0');
  const bool is_service = scope == AttributeScope::kResource && plan.key == "service.name";
  return ForEachKey(kv, ns, prefix, [&](std::string_view key) -> absl::Status {
    AnyValue value;
    VIGIL_RETURN_IF_ERROR(ParseTagValue(key.substr(prefix.size()), &value));
    SpanSummary probe;
    if (is_service) {
      probe.service = value.type() == AnyValue::Type::kString ? value.string_value() : value.ToString();
    } else {
      probe.attributes.push_back(IndexedAttribute{.scope = scope, .key = plan.key, .value = std::move(value)});
    }
    leaf->Offer(probe, key.substr(1));
    return absl::OkStatus();
  });
}

absl::StatusOr<ResolvedPlan> ResolveLeaf(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns,
                                         const SpanIndexPlan& plan) {
  using K = SpanIndexPlan::Kind;
  LeafResolver leaf(plan);
  switch (plan.kind) {
    case K::kAttribute:
      if (plan.any_scope || plan.scope == AttributeScope::kSpan) {
        VIGIL_RETURN_IF_ERROR(ResolveAttribute(kv, ns, plan, AttributeScope::kSpan, &leaf));
      }
      if (plan.any_scope || plan.scope == AttributeScope::kResource) {
        VIGIL_RETURN_IF_ERROR(ResolveAttribute(kv, ns, plan, AttributeScope::kResource, &leaf));
      }
      break;
    case K::kName: {
      const std::string prefix(1, kOperationTag);
      absl::flat_hash_set<std::string> seen;
      VIGIL_RETURN_IF_ERROR(ForEachKey(kv, ns, prefix, [&](std::string_view key) -> absl::Status {
        const size_t zero = key.find('\0');
        if (zero == std::string_view::npos) return absl::DataLossError("trace operation index: key without 0x00");
        std::string_view name = key.substr(zero + 1);
        if (!seen.emplace(name).second) return absl::OkStatus();
        SpanSummary probe;
        probe.name = std::string(name);
        leaf.Offer(probe, NameTerm(name));
        return absl::OkStatus();
      }));
      break;
    }
    case K::kStatus:
      for (int code = 0; code <= static_cast<int>(SpanStatusCode::kError); ++code) {
        SpanSummary probe;
        probe.status = static_cast<SpanStatusCode>(code);
        leaf.Offer(probe, CodeTerm('x', code));
      }
      break;
    case K::kKind:
      for (int code = 0; code <= static_cast<int>(SpanKind::kConsumer); ++code) {
        SpanSummary probe;
        probe.kind = static_cast<SpanKind>(code);
        leaf.Offer(probe, CodeTerm('k', code));
      }
      break;
    default:
      return absl::InternalError("ResolveLeaf: not a leaf");
  }
  return leaf.Finish();
}

ResolvedPlan ResolveDuration(const SpanIndexPlan& plan) {
  ResolvedPlan r;
  r.kind = ResolvedPlan::Kind::kTerms;
  for (int b = 0; b <= 64; ++b) {
    const uint64_t lo = b == 0 ? 0 : uint64_t{1} << (b - 1);
    const uint64_t hi = b == 0 ? 0 : (b == 64 ? UINT64_MAX : (uint64_t{1} << b) - 1);
    if (lo <= plan.max_duration_ns && hi >= plan.min_duration_ns) r.term_hashes.push_back(TermHash(CodeTerm('d', b)));
  }
  if (r.term_hashes.empty()) r.kind = ResolvedPlan::Kind::kNone;
  return r;
}

// Keeps one candidate per trace (its latest batch start), ordered by batch start, latest first.
void SortUnique(std::vector<Candidate>* c) {
  std::sort(c->begin(), c->end(), [](const Candidate& a, const Candidate& b) {
    return a.id != b.id ? a.id < b.id : a.batch_start > b.batch_start;
  });
  c->erase(std::unique(c->begin(), c->end(), [](const Candidate& a, const Candidate& b) { return a.id == b.id; }),
           c->end());
  std::sort(c->begin(), c->end(), [](const Candidate& a, const Candidate& b) {
    return a.batch_start != b.batch_start ? a.batch_start > b.batch_start : a.id < b.id;
  });
}

// A parsed bucket record: the traces, and the terms in ascending hash order with their lists.
class BucketRecord {
 public:
  absl::Status Parse(std::string_view in) {
    tsdb::logs::ByteReader r(in, "trace search bucket record");
    uint64_t n = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&n));
    if (n > in.size() / kTraceIdBytes) return r.Error("trace count larger than the record");
    VIGIL_RETURN_IF_ERROR(r.Bytes(n * kTraceIdBytes, &ids_));
    uint64_t base = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&base));
    starts_.resize(n);
    for (uint64_t& start : starts_) {
      int64_t delta = 0;
      VIGIL_RETURN_IF_ERROR(r.SignedVarint(&delta));
      start = base + static_cast<uint64_t>(delta);
    }
    uint64_t nterms = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&nterms));
    if (nterms > in.size()) return r.Error("term count larger than the record");
    terms_.clear();
    terms_.reserve(nterms);
    for (uint64_t i = 0; i < nterms; ++i) {
      uint64_t hash = 0;
      std::string_view list;
      VIGIL_RETURN_IF_ERROR(r.BigEndian(8, &hash));
      VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&list));
      if (!terms_.empty() && terms_.back().first >= hash) return r.Error("terms out of order");
      terms_.emplace_back(hash, list);
    }
    if (!r.done()) return r.Error("trailing bytes");
    return absl::OkStatus();
  }

  size_t size() const { return ids_.size() / kTraceIdBytes; }

  Candidate candidate(size_t i) const {
    Candidate c;
    std::memcpy(c.id.bytes.data(), ids_.data() + i * kTraceIdBytes, kTraceIdBytes);
    c.batch_start = starts_[i];
    return c;
  }

  // Sets `(*match)[i]` for the traces with a span that may satisfy `plan`.
  absl::Status Evaluate(const ResolvedPlan& plan, std::vector<bool>* match) const {
    using R = ResolvedPlan::Kind;
    match->assign(size(), plan.kind == R::kAll);
    switch (plan.kind) {
      case R::kAll:
      case R::kNone:
        return absl::OkStatus();
      case R::kTerms:
        for (uint64_t h : plan.term_hashes) VIGIL_RETURN_IF_ERROR(Mark(h, match));
        return absl::OkStatus();
      case R::kAnd:
      case R::kOr: {
        std::vector<bool> child;
        for (size_t c = 0; c < plan.children.size(); ++c) {
          VIGIL_RETURN_IF_ERROR(Evaluate(plan.children[c], c == 0 ? match : &child));
          if (c == 0) continue;
          for (size_t i = 0; i < match->size(); ++i) {
            (*match)[i] = plan.kind == R::kAnd ? ((*match)[i] && child[i]) : ((*match)[i] || child[i]);
          }
        }
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Mark(uint64_t hash, std::vector<bool>* match) const {
    auto it = std::lower_bound(terms_.begin(), terms_.end(), hash,
                               [](const std::pair<uint64_t, std::string_view>& t, uint64_t h) { return t.first < h; });
    if (it == terms_.end() || it->first != hash) return absl::OkStatus();
    tsdb::logs::ByteReader r(it->second, "trace search posting list");
    uint64_t index = 0;
    bool first = true;
    while (!r.done()) {
      uint64_t delta = 0;
      VIGIL_RETURN_IF_ERROR(r.Varint(&delta));
      index = first ? delta : index + delta;
      first = false;
      if (index >= match->size()) return r.Error("trace index out of the record");
      (*match)[index] = true;
    }
    return absl::OkStatus();
  }

  std::string_view ids_;
  std::vector<uint64_t> starts_;
  std::vector<std::pair<uint64_t, std::string_view>> terms_;
};

}  // namespace

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

std::string TraceKey(char tag, const TraceId& id, uint64_t seq) {
  std::string key(1, tag);
  key.append(id.View());
  tsdb::logs::PutBigEndian(seq, 8, &key);
  return key;
}

std::string AttributeTerm(AttributeScope scope, std::string_view key, const AnyValue& value) {
  std::string t(1, ScopeChar(scope));
  t.append(key);
  t.push_back('\0');
  AppendTagValue(value, &t);
  return t;
}

std::string AttributeKeyPrefix(AttributeScope scope, std::string_view key) {
  std::string p{kAttrTag, ScopeChar(scope)};
  p.append(key);
  return p;
}

std::string OperationKey(std::string_view service, std::string_view name) {
  std::string k(1, kOperationTag);
  k.append(service);
  k.push_back('\0');
  k.append(name);
  return k;
}

int DurationBucket(uint64_t ns) { return ns == 0 ? 0 : 64 - std::countl_zero(ns); }

void AddSpanTerms(const SpanSummary& span, absl::flat_hash_set<uint64_t>* hashes,
                  absl::FunctionRef<void(std::string_view attribute_term)> attribute_term) {
  std::string term = AttributeTerm(AttributeScope::kResource, "service.name", AnyValue::String(span.service));
  hashes->insert(TermHash(term));
  attribute_term(term);
  for (const IndexedAttribute& a : span.attributes) {
    term.assign(1, ScopeChar(a.scope));
    term.append(a.key);
    term.push_back('\0');
    AppendTagValue(a.value, &term);
    hashes->insert(TermHash(term));
    attribute_term(term);
  }
  term.assign(1, 'n');
  term.append(span.name);
  hashes->insert(TermHash(term));
  hashes->insert(TermHash(CodeTerm('x', static_cast<int>(span.status))));
  hashes->insert(TermHash(CodeTerm('k', static_cast<int>(span.kind))));
  hashes->insert(TermHash(CodeTerm('d', DurationBucket(span.duration_nanos))));
}

std::string BucketRecordKey(int64_t bucket, uint64_t seq) {
  std::string key(1, kBucketTag);
  tsdb::logs::PutBigEndian(static_cast<uint64_t>(bucket), 8, &key);
  tsdb::logs::PutBigEndian(seq, 8, &key);
  return key;
}

void BucketRecordBuilder::AddTrace(const TraceId& id, uint64_t start_unix_nano,
                                   const absl::flat_hash_set<uint64_t>& term_hashes) {
  const uint32_t index = static_cast<uint32_t>(traces_.size());
  traces_.push_back(id);
  starts_.push_back(start_unix_nano);
  for (uint64_t h : term_hashes) postings_[h].push_back(index);
}

std::string BucketRecordBuilder::Encode() const {
  std::string out;
  tsdb::logs::PutVarint(traces_.size(), &out);
  for (const TraceId& id : traces_) out.append(id.View());
  const uint64_t base = starts_.empty() ? 0 : starts_.front();
  tsdb::logs::PutVarint(base, &out);
  for (uint64_t start : starts_) tsdb::logs::PutVarint(tsdb::logs::ZigZag(static_cast<int64_t>(start - base)), &out);
  std::vector<uint64_t> hashes;
  hashes.reserve(postings_.size());
  for (const auto& [h, list] : postings_) hashes.push_back(h);
  std::sort(hashes.begin(), hashes.end());
  tsdb::logs::PutVarint(hashes.size(), &out);
  std::string list_bytes;
  for (uint64_t h : hashes) {
    list_bytes.clear();
    uint32_t previous = 0;
    bool first = true;
    for (uint32_t index : postings_.at(h)) {  // ascending: traces are added in order
      tsdb::logs::PutVarint(first ? index : index - previous, &list_bytes);
      previous = index;
      first = false;
    }
    tsdb::logs::PutBigEndian(h, 8, &out);
    tsdb::logs::PutVarint(list_bytes.size(), &out);
    out.append(list_bytes);
  }
  return out;
}

absl::StatusOr<ResolvedPlan> ResolvePlan(kv::KvStore* kv, const std::shared_ptr<kv::Namespace>& ns,
                                         const SpanIndexPlan& plan) {
  using K = SpanIndexPlan::Kind;
  using R = ResolvedPlan::Kind;
  switch (plan.kind) {
    case K::kAny:
      return ResolvedPlan{};
    case K::kDuration:
      return ResolveDuration(plan);
    case K::kAnd: {
      ResolvedPlan r;
      r.kind = R::kAnd;
      for (const SpanIndexPlan& c : plan.children) {
        VIGIL_ASSIGN_OR_RETURN(ResolvedPlan rc, ResolvePlan(kv, ns, c));
        if (rc.kind == R::kNone) return rc;
        if (rc.kind != R::kAll) r.children.push_back(std::move(rc));
      }
      if (r.children.empty()) return ResolvedPlan{};
      if (r.children.size() == 1) return std::move(r.children[0]);
      return r;
    }
    case K::kOr: {
      ResolvedPlan r;
      r.kind = R::kOr;
      for (const SpanIndexPlan& c : plan.children) {
        VIGIL_ASSIGN_OR_RETURN(ResolvedPlan rc, ResolvePlan(kv, ns, c));
        if (rc.kind == R::kAll) return rc;
        if (rc.kind != R::kNone) r.children.push_back(std::move(rc));
      }
      if (r.children.empty()) {
        r.kind = R::kNone;
        return r;
      }
      if (r.children.size() == 1) return std::move(r.children[0]);
      return r;
    }
    default:
      return ResolveLeaf(kv, ns, plan);
  }
}

absl::Status CandidateTraces(kv::Iterator* it, const ResolvedPlan& plan, int64_t bucket, std::vector<Candidate>* out) {
  out->clear();
  if (plan.kind == ResolvedPlan::Kind::kNone) return absl::OkStatus();
  std::string prefix(1, kBucketTag);
  tsdb::logs::PutBigEndian(static_cast<uint64_t>(bucket), 8, &prefix);
  BucketRecord record;
  std::vector<bool> match;
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    VIGIL_RETURN_IF_ERROR(record.Parse(it->value()));
    VIGIL_RETURN_IF_ERROR(record.Evaluate(plan, &match));
    for (size_t i = 0; i < match.size(); ++i) {
      if (match[i]) out->push_back(record.candidate(i));
    }
  }
  VIGIL_RETURN_IF_ERROR(it->status());
  SortUnique(out);
  return absl::OkStatus();
}

}  // namespace vigil::traces
