#include "tsdb/traces/span_summary.h"

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/logs/byte_codec.h"

namespace vigil::traces {
namespace {

using tsdb::logs::ByteReader;
using tsdb::logs::PutVarint;

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

void EncodeSummaries(const std::vector<SpanSummary>& summaries, std::string* out) {
  PutVarint(summaries.size(), out);
  for (const SpanSummary& s : summaries) {
    out->append(s.span_id.View());
    out->append(s.parent_span_id.View());
    PutString(s.service, out);
    PutString(s.name, out);
    out->push_back(static_cast<char>(s.kind));
    out->push_back(static_cast<char>(s.status));
    PutVarint(s.start_unix_nano, out);
    PutVarint(s.duration_nanos, out);
    PutVarint(s.attributes.size(), out);
    for (const IndexedAttribute& a : s.attributes) {
      out->push_back(static_cast<char>(a.scope));
      PutString(a.key, out);
      std::string v;
      AppendTagValue(a.value, &v);
      PutString(v, out);
    }
  }
}

absl::Status DecodeSummaries(std::string_view in, const TraceId& trace_id, std::vector<SpanSummary>* out) {
  ByteReader r(in, "trace search record");
  uint64_t n = 0;
  VIGIL_RETURN_IF_ERROR(r.Varint(&n));
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

}  // namespace vigil::traces
