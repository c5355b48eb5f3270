#include "tsdb/traces/span_summary.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/logs/byte_codec.h"

namespace vigil::traces {
namespace {

using tsdb::logs::ByteReader;
using tsdb::logs::PutVarint;
using tsdb::logs::ZigZag;

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

AnyValue Scalar(const AnyValue& v) {
  switch (v.type()) {
    case AnyValue::Type::kString:
    case AnyValue::Type::kBool:
    case AnyValue::Type::kInt:
    case AnyValue::Type::kDouble:
      return v;
    case AnyValue::Type::kEmpty:
      return AnyValue::String("");
    default:
      return AnyValue::String(v.ToString());
  }
}

void AddAttributes(AttributeScope scope, const std::vector<KeyValue>& attrs, const std::vector<std::string>& keys,
                   std::vector<IndexedAttribute>* out) {
  for (const std::string& key : keys) {
    const AnyValue* v = FindAttribute(attrs, key);
    if (v != nullptr) out->push_back({scope, key, Scalar(*v)});
  }
}

}  // namespace

const AnyValue* SpanSummary::Find(AttributeScope scope, std::string_view key) const {
  for (const IndexedAttribute& a : attributes) {
    if (a.scope == scope && a.key == key) return &a.value;
  }
  return nullptr;
}

IndexedAttributeKeys DefaultIndexedAttributeKeys() {
  return {
      .resource = {"service.namespace", "service.version", "deployment.environment", "k8s.namespace.name",
                   "k8s.pod.name", "k8s.container.name", "k8s.node.name", "host.name", "cluster"},
      .span = {"http.method", "http.request.method", "http.status_code", "http.response.status_code", "http.route",
               "rpc.method", "rpc.service", "db.system", "messaging.system", "error"},
  };
}

SpanSummary SummarizeSpan(const Span& span, const IndexedAttributeKeys& keys) {
  SpanSummary s;
  s.trace_id = span.trace_id;
  s.span_id = span.span_id;
  s.parent_span_id = span.parent_span_id;
  s.service = std::string(ServiceName(span));
  s.name = span.name;
  s.kind = span.kind;
  s.status = span.status_code;
  s.start_unix_nano = span.start_time_unix_nano;
  s.duration_nanos = span.DurationNanos();
  if (span.resource != nullptr)
    AddAttributes(AttributeScope::kResource, span.resource->attributes, keys.resource, &s.attributes);
  AddAttributes(AttributeScope::kSpan, span.attributes, keys.span, &s.attributes);
  return s;
}

void AppendTagValue(const AnyValue& value, std::string* out) {
  switch (value.type()) {
    case AnyValue::Type::kInt:
      out->push_back('i');
      absl::StrAppend(out, value.int_value());
      return;
    case AnyValue::Type::kDouble:
      out->push_back('d');
      out->append(value.ToString());
      return;
    case AnyValue::Type::kBool:
      out->push_back('b');
      out->append(value.bool_value() ? "true" : "false");
      return;
    case AnyValue::Type::kString:
      out->push_back('s');
      out->append(value.string_value());
      return;
    default:
      out->push_back('s');
      out->append(value.ToString());
      return;
  }
}

absl::Status ParseTagValue(std::string_view in, AnyValue* out) {
  if (in.empty()) return absl::InvalidArgumentError("empty tag value record");
  std::string_view text = in.substr(1);
  switch (in[0]) {
    case 's':
      *out = AnyValue::String(std::string(text));
      return absl::OkStatus();
    case 'b':
      *out = AnyValue::Bool(text == "true");
      return absl::OkStatus();
    case 'i': {
      int64_t i = 0;
      if (!absl::SimpleAtoi(AV(text), &i)) break;
      *out = AnyValue::Int(i);
      return absl::OkStatus();
    }
    case 'd': {
      double d = 0;
      if (!absl::SimpleAtod(AV(text), &d)) break;
      *out = AnyValue::Double(d);
      return absl::OkStatus();
    }
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("bad tag value record \"", AV(in), "\""));
}

namespace {

// Records are written in the second format: 0x00 0x02, the first span's start, a table of the distinct strings
// (service and span names, attribute keys, typed attribute values), then the spans, which refer to strings by index and
// give start times relative to the first span's. A trace's spans repeat their resource's attributes and services;
// listing each string once halves what a record takes. The first format (a span count, never 0, then each span with its
// strings inline) is still read.
constexpr char kSummaryFormat2 = 2;

// Interns the strings of one record.
class StringTable {
 public:
  uint64_t Index(std::string_view s) {
    auto [it, inserted] = index_.try_emplace(AV(s), strings_.size());
    if (inserted) strings_.push_back(s);
    return it->second;
  }
  const std::vector<std::string_view>& strings() const { return strings_; }

 private:
  absl::flat_hash_map<absl::string_view, uint64_t> index_;
  std::vector<std::string_view> strings_;
};

}  // namespace

void EncodeSummaries(const std::vector<SpanSummary>& summaries, std::string* out) {
  // Typed attribute values are kept in one buffer so that the table's views stay valid.
  std::vector<std::string> values;
  size_t value_count = 0;
  for (const SpanSummary& s : summaries) value_count += s.attributes.size();
  values.reserve(value_count);
  StringTable table;
  std::string spans;
  PutVarint(summaries.size(), &spans);
  const uint64_t base = summaries.empty() ? 0 : summaries.front().start_unix_nano;
  for (const SpanSummary& s : summaries) {
    spans.append(s.span_id.View());
    spans.append(s.parent_span_id.View());
    PutVarint(table.Index(s.service), &spans);
    PutVarint(table.Index(s.name), &spans);
    spans.push_back(static_cast<char>(s.kind));
    spans.push_back(static_cast<char>(s.status));
    PutVarint(ZigZag(static_cast<int64_t>(s.start_unix_nano - base)), &spans);
    PutVarint(s.duration_nanos, &spans);
    PutVarint(s.attributes.size(), &spans);
    for (const IndexedAttribute& a : s.attributes) {
      spans.push_back(static_cast<char>(a.scope));
      PutVarint(table.Index(a.key), &spans);
      std::string& v = values.emplace_back();
      AppendTagValue(a.value, &v);
      PutVarint(table.Index(v), &spans);
    }
  }
  out->push_back('\0');
  out->push_back(kSummaryFormat2);
  PutVarint(base, out);
  PutVarint(table.strings().size(), out);
  for (std::string_view str : table.strings()) PutString(str, out);
  out->append(spans);
}

namespace {

// The first format: spans with their strings inline.
absl::Status DecodeSummariesFormat1(std::string_view in, const TraceId& trace_id, std::vector<SpanSummary>* out) {
  ByteReader r(in, "trace search record");
  uint64_t n = 0;
  VIGIL_RETURN_IF_ERROR(r.Varint(&n));
  // The first format never held an empty list; a lone 0x00 is the start of a second-format record.
  if (n == 0) return r.Error("truncated record");
  for (uint64_t i = 0; i < n; ++i) {
    SpanSummary s;
    s.trace_id = trace_id;
    std::string_view b;
    VIGIL_RETURN_IF_ERROR(r.Bytes(8, &b));
    std::memcpy(s.span_id.bytes.data(), b.data(), 8);
    VIGIL_RETURN_IF_ERROR(r.Bytes(8, &b));
    std::memcpy(s.parent_span_id.bytes.data(), b.data(), 8);
    VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&b));
    s.service = std::string(b);
    VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&b));
    s.name = std::string(b);
    VIGIL_RETURN_IF_ERROR(r.Bytes(2, &b));
    if (static_cast<uint8_t>(b[0]) > 5 || static_cast<uint8_t>(b[1]) > 2) return r.Error("bad span kind or status");
    s.kind = static_cast<SpanKind>(b[0]);
    s.status = static_cast<SpanStatusCode>(b[1]);
    VIGIL_RETURN_IF_ERROR(r.Varint(&s.start_unix_nano));
    VIGIL_RETURN_IF_ERROR(r.Varint(&s.duration_nanos));
    uint64_t na = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&na));
    for (uint64_t j = 0; j < na; ++j) {
      IndexedAttribute a;
      VIGIL_RETURN_IF_ERROR(r.Bytes(1, &b));
      if (b[0] > 1) return r.Error("bad attribute scope");
      a.scope = static_cast<AttributeScope>(b[0]);
      VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&b));
      a.key = std::string(b);
      VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&b));
      if (absl::Status st = ParseTagValue(b, &a.value); !st.ok()) return r.Error(SV(st.message()));
      s.attributes.push_back(std::move(a));
    }
    out->push_back(std::move(s));
  }
  if (!r.done()) return r.Error("trailing bytes");
  return absl::OkStatus();
}

absl::Status DecodeSummariesFormat2(std::string_view in, const TraceId& trace_id, std::vector<SpanSummary>* out) {
  ByteReader r(in, "trace search record");
  std::string_view b;
  VIGIL_RETURN_IF_ERROR(r.Bytes(2, &b));
  uint64_t base = 0;
  uint64_t nstrings = 0;
  VIGIL_RETURN_IF_ERROR(r.Varint(&base));
  VIGIL_RETURN_IF_ERROR(r.Varint(&nstrings));
  if (nstrings > in.size()) return r.Error("string count larger than the record");
  std::vector<std::string_view> strings(nstrings);
  for (std::string_view& str : strings) VIGIL_RETURN_IF_ERROR(r.LengthPrefixed(&str));
  auto string_at = [&](std::string_view* str) -> absl::Status {
    uint64_t i = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&i));
    if (i >= strings.size()) return r.Error(absl::StrCat("string index ", i, " of ", strings.size()));
    *str = strings[i];
    return absl::OkStatus();
  };
  uint64_t n = 0;
  VIGIL_RETURN_IF_ERROR(r.Varint(&n));
  if (n > in.size()) return r.Error("span count larger than the record");
  out->reserve(out->size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    SpanSummary& s = out->emplace_back();
    s.trace_id = trace_id;
    VIGIL_RETURN_IF_ERROR(r.Bytes(8, &b));
    std::memcpy(s.span_id.bytes.data(), b.data(), 8);
    VIGIL_RETURN_IF_ERROR(r.Bytes(8, &b));
    std::memcpy(s.parent_span_id.bytes.data(), b.data(), 8);
    VIGIL_RETURN_IF_ERROR(string_at(&b));
    s.service = std::string(b);
    VIGIL_RETURN_IF_ERROR(string_at(&b));
    s.name = std::string(b);
    VIGIL_RETURN_IF_ERROR(r.Bytes(2, &b));
    if (static_cast<uint8_t>(b[0]) > 5 || static_cast<uint8_t>(b[1]) > 2) return r.Error("bad span kind or status");
    s.kind = static_cast<SpanKind>(b[0]);
    s.status = static_cast<SpanStatusCode>(b[1]);
    int64_t start = 0;
    VIGIL_RETURN_IF_ERROR(r.SignedVarint(&start));
    s.start_unix_nano = base + static_cast<uint64_t>(start);
    VIGIL_RETURN_IF_ERROR(r.Varint(&s.duration_nanos));
    uint64_t na = 0;
    VIGIL_RETURN_IF_ERROR(r.Varint(&na));
    if (na > in.size()) return r.Error("attribute count larger than the record");
    s.attributes.reserve(na);
    for (uint64_t j = 0; j < na; ++j) {
      IndexedAttribute& a = s.attributes.emplace_back();
      VIGIL_RETURN_IF_ERROR(r.Bytes(1, &b));
      if (b[0] > 1) return r.Error("bad attribute scope");
      a.scope = static_cast<AttributeScope>(b[0]);
      VIGIL_RETURN_IF_ERROR(string_at(&b));
      a.key = std::string(b);
      VIGIL_RETURN_IF_ERROR(string_at(&b));
      if (absl::Status st = ParseTagValue(b, &a.value); !st.ok()) return r.Error(SV(st.message()));
    }
  }
  if (!r.done()) return r.Error("trailing bytes");
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeSummaries(std::string_view in, const TraceId& trace_id, std::vector<SpanSummary>* out) {
  const size_t before = out->size();
  absl::Status st = in.size() >= 2 && in[0] == '\0' && in[1] == kSummaryFormat2
                        ? DecodeSummariesFormat2(in, trace_id, out)
                        : DecodeSummariesFormat1(in, trace_id, out);
  if (!st.ok()) out->resize(before);
  return st;
}

}  // namespace vigil::traces
