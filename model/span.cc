#include "model/span.h"

#include <charconv>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vigil {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Quotes `value` for an error message, shortened so a hostile 1 MB id does not become a 1 MB message.
std::string Quote(std::string_view value) {
  constexpr size_t kMax = 64;
  if (value.size() > kMax) {
    return absl::StrCat("\"", absl::CEscape(std::string(value.substr(0, kMax))), "\"... (", value.size(), " bytes)");
  }
  return absl::StrCat("\"", absl::CEscape(std::string(value)), "\"");
}

// Decodes hex digits into the last hex.size()/2 bytes of `out` (odd lengths put a leading zero nibble).
bool DecodeHexInto(std::string_view hex, uint8_t* out, size_t out_size) {
  const size_t nbytes = (hex.size() + 1) / 2;
  if (nbytes > out_size) return false;
  std::memset(out, 0, out_size);
  uint8_t* dst = out + (out_size - nbytes);
  size_t i = 0;
  if (hex.size() % 2 == 1) {
    int lo = HexValue(hex[0]);
    if (lo < 0) return false;
    *dst++ = static_cast<uint8_t>(lo);
    i = 1;
  }
  for (; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    *dst++ = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// A hint for ids that look like the base64 of the standard proto3 JSON mapping rather than OTLP's hex.
std::string Base64Hint(std::string_view value, size_t raw_bytes) {
  const size_t b64_len = (raw_bytes + 2) / 3 * 4;
  if (value.size() == b64_len || value.find_first_of("+/=") != std::string_view::npos) {
    return " (OTLP/JSON ids are hex, not base64)";
  }
  return "";
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\\u00");
          out->push_back(kHexDigits[(c >> 4) & 0xf]);
          out->push_back(kHexDigits[c & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendDouble(double d, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (ec != std::errc()) {
    out->append("NaN");
    return;
  }
  out->append(buf, end);
}

void AppendValueText(const AnyValue& v, bool as_json, std::string* out) {
  switch (v.type()) {
    case AnyValue::Type::kEmpty:
      if (as_json) out->append("null");
      return;
    case AnyValue::Type::kString:
      if (as_json) {
        AppendJsonString(v.string_value(), out);
      } else {
        out->append(v.string_value());
      }
      return;
    case AnyValue::Type::kBool:
      out->append(v.bool_value() ? "true" : "false");
      return;
    case AnyValue::Type::kInt:
      absl::StrAppend(out, v.int_value());
      return;
    case AnyValue::Type::kDouble:
      AppendDouble(v.double_value(), out);
      return;
    case AnyValue::Type::kBytes:
      if (as_json) {
        AppendJsonString(absl::Base64Escape(v.string_value()), out);
      } else {
        out->append(absl::Base64Escape(v.string_value()));
      }
      return;
    case AnyValue::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const KeyValue& kv : v.children()) {
        if (!first) out->push_back(',');
        first = false;
        AppendValueText(kv.value, /*as_json=*/true, out);
      }
      out->push_back(']');
      return;
    }
    case AnyValue::Type::kKvList: {
      out->push_back('{');
      bool first = true;
      for (const KeyValue& kv : v.children()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.key, out);
        out->push_back(':');
        AppendValueText(kv.value, /*as_json=*/true, out);
      }
      out->push_back('}');
      return;
    }
  }
}

size_t AttributesHeapBytes(const std::vector<KeyValue>& attrs);

size_t ValueHeapBytes(const AnyValue& v) {
  size_t n = v.string_value().capacity() > 15 ? v.string_value().capacity() : 0;
  if (v.type() == AnyValue::Type::kArray || v.type() == AnyValue::Type::kKvList) {
    n += sizeof(std::vector<KeyValue>) + AttributesHeapBytes(v.children());
  }
  return n;
}

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() : 0; }

size_t AttributesHeapBytes(const std::vector<KeyValue>& attrs) {
  size_t n = attrs.capacity() * sizeof(KeyValue);
  for (const KeyValue& kv : attrs) n += StringHeap(kv.key) + ValueHeapBytes(kv.value);
  return n;
}

const std::vector<KeyValue>& EmptyChildren() {
  static const auto* empty = new std::vector<KeyValue>();
  return *empty;
}

}  // namespace

absl::StatusOr<TraceId> TraceId::FromHex(std::string_view hex) {
  TraceId id;
  if (hex.size() != 32 || !DecodeHexInto(hex, id.bytes.data(), id.bytes.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace id ", Quote(hex), " is not 32 hex digits", Base64Hint(hex, 16)));
  }
  return id;
}

absl::StatusOr<TraceId> TraceId::FromShortHex(std::string_view hex) {
  TraceId id;
  if (hex.empty() || hex.size() > 32 || !DecodeHexInto(hex, id.bytes.data(), id.bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat("trace id ", Quote(hex), " is not 1 to 32 hex digits"));
  }
  return id;
}

absl::StatusOr<TraceId> TraceId::FromBytes(std::string_view raw) {
  TraceId id;
  if (raw.size() != id.bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("trace id has ", raw.size(), " bytes, want 16"));
  }
  std::memcpy(id.bytes.data(), raw.data(), raw.size());
  return id;
}

std::string TraceId::Hex() const {
  std::string out;
  AppendHex(View(), &out);
  return out;
}

bool TraceId::IsZero() const { return AllZero(bytes.data(), bytes.size()); }

absl::StatusOr<SpanId> SpanId::FromHex(std::string_view hex) {
  SpanId id;
  if (hex.size() != 16 || !DecodeHexInto(hex, id.bytes.data(), id.bytes.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("span id ", Quote(hex), " is not 16 hex digits", Base64Hint(hex, 8)));
  }
  return id;
}

absl::StatusOr<SpanId> SpanId::FromBytes(std::string_view raw) {
  SpanId id;
  if (raw.size() != id.bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("span id has ", raw.size(), " bytes, want 8"));
  }
  std::memcpy(id.bytes.data(), raw.data(), raw.size());
  return id;
}

std::string SpanId::Hex() const {
  std::string out;
  AppendHex(View(), &out);
  return out;
}

bool SpanId::IsZero() const { return AllZero(bytes.data(), bytes.size()); }

uint64_t SpanId::AsUint64() const {
  uint64_t v = 0;
  for (uint8_t b : bytes) v = v << 8 | b;
  return v;
}

std::string_view SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified:
      return "unspecified";
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unspecified";
}

std::string_view SpanStatusCodeName(SpanStatusCode code) {
  switch (code) {
    case SpanStatusCode::kUnset:
      return "unset";
    case SpanStatusCode::kOk:
      return "ok";
    case SpanStatusCode::kError:
      return "error";
  }
  return "unset";
}

AnyValue::AnyValue() = default;
AnyValue::~AnyValue() = default;
AnyValue::AnyValue(AnyValue&&) noexcept = default;
AnyValue& AnyValue::operator=(AnyValue&&) noexcept = default;

AnyValue::AnyValue(const AnyValue& other) : type_(other.type_), scalar_(other.scalar_), str_(other.str_) {
  if (other.children_ != nullptr) children_ = std::make_unique<std::vector<KeyValue>>(*other.children_);
}

AnyValue& AnyValue::operator=(const AnyValue& other) {
  if (this != &other) {
    AnyValue copy(other);
    *this = std::move(copy);
  }
  return *this;
}

AnyValue AnyValue::String(std::string s) {
  AnyValue v;
  *v.mutable_string(Type::kString) = std::move(s);
  return v;
}

AnyValue AnyValue::Bytes(std::string b) {
  AnyValue v;
  *v.mutable_string(Type::kBytes) = std::move(b);
  return v;
}

AnyValue AnyValue::Bool(bool b) {
  AnyValue v;
  v.set_bool(b);
  return v;
}

AnyValue AnyValue::Int(int64_t i) {
  AnyValue v;
  v.set_int(i);
  return v;
}

AnyValue AnyValue::Double(double d) {
  AnyValue v;
  v.set_double(d);
  return v;
}

AnyValue AnyValue::Array(std::vector<AnyValue> values) {
  AnyValue v;
  std::vector<KeyValue>* children = v.mutable_children(Type::kArray);
  children->reserve(values.size());
  for (AnyValue& e : values) children->push_back(KeyValue{"", std::move(e)});
  return v;
}

AnyValue AnyValue::KvList(std::vector<KeyValue> values) {
  AnyValue v;
  *v.mutable_children(Type::kKvList) = std::move(values);
  return v;
}

const std::vector<KeyValue>& AnyValue::children() const { return children_ != nullptr ? *children_ : EmptyChildren(); }

std::string* AnyValue::mutable_string(Type string_or_bytes) {
  if (type_ != string_or_bytes) {
    *this = AnyValue();
    type_ = string_or_bytes == Type::kBytes ? Type::kBytes : Type::kString;
  }
  return &str_;
}

std::vector<KeyValue>* AnyValue::mutable_children(Type array_or_kvlist) {
  if (type_ != array_or_kvlist || children_ == nullptr) {
    *this = AnyValue();
    type_ = array_or_kvlist == Type::kKvList ? Type::kKvList : Type::kArray;
    children_ = std::make_unique<std::vector<KeyValue>>();
  }
  return children_.get();
}

void AnyValue::set_bool(bool b) {
  *this = AnyValue();
  type_ = Type::kBool;
  scalar_.b = b;
}

void AnyValue::set_int(int64_t i) {
  *this = AnyValue();
  type_ = Type::kInt;
  scalar_.i = i;
}

void AnyValue::set_double(double d) {
  *this = AnyValue();
  type_ = Type::kDouble;
  scalar_.d = d;
}

std::string AnyValue::ToString() const {
  std::string out;
  AppendValueText(*this, /*as_json=*/false, &out);
  return out;
}

bool operator==(const AnyValue& a, const AnyValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case AnyValue::Type::kEmpty:
      return true;
    case AnyValue::Type::kString:
    case AnyValue::Type::kBytes:
      return a.str_ == b.str_;
    case AnyValue::Type::kBool:
      return a.scalar_.b == b.scalar_.b;
    case AnyValue::Type::kInt:
      return a.scalar_.i == b.scalar_.i;
    case AnyValue::Type::kDouble:
      return std::memcmp(&a.scalar_.d, &b.scalar_.d, sizeof(double)) == 0 || a.scalar_.d == b.scalar_.d;
    case AnyValue::Type::kArray:
    case AnyValue::Type::kKvList:
      return a.children() == b.children();
  }
  return false;
}

const AnyValue* FindAttribute(const std::vector<KeyValue>& attributes, std::string_view key) {
  for (const KeyValue& kv : attributes) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

bool operator==(const Span& a, const Span& b) {
  auto same_resource = [](const std::shared_ptr<const Resource>& x, const std::shared_ptr<const Resource>& y) {
    if (x == y) return true;
    static const Resource kEmpty;
    return (x ? *x : kEmpty) == (y ? *y : kEmpty);
  };
  auto same_scope = [](const std::shared_ptr<const InstrumentationScope>& x,
                       const std::shared_ptr<const InstrumentationScope>& y) {
    if (x == y) return true;
    static const InstrumentationScope kEmpty;
    return (x ? *x : kEmpty) == (y ? *y : kEmpty);
  };
  return a.trace_id == b.trace_id && a.span_id == b.span_id && a.parent_span_id == b.parent_span_id &&
         a.trace_state == b.trace_state && a.flags == b.flags && a.name == b.name && a.kind == b.kind &&
         a.start_time_unix_nano == b.start_time_unix_nano && a.end_time_unix_nano == b.end_time_unix_nano &&
         a.attributes == b.attributes && a.dropped_attributes_count == b.dropped_attributes_count &&
         a.events == b.events && a.dropped_events_count == b.dropped_events_count && a.links == b.links &&
         a.dropped_links_count == b.dropped_links_count && a.status_code == b.status_code &&
         a.status_message == b.status_message && same_resource(a.resource, b.resource) && same_scope(a.scope, b.scope);
}

std::string_view ServiceName(const Span& span) {
  if (span.resource == nullptr) return "";
  const AnyValue* v = FindAttribute(span.resource->attributes, "service.name");
  if (v == nullptr || v->type() != AnyValue::Type::kString) return "";
  return v->string_value();
}

void AppendHex(std::string_view raw, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 2 * raw.size());
  char* p = out->data() + start;
  for (char c : raw) {
    const auto b = static_cast<unsigned char>(c);
    *p++ = kHexDigits[b >> 4];
    *p++ = kHexDigits[b & 0xf];
  }
}

size_t SpanHeapBytes(const Span& span) {
  size_t n = StringHeap(span.trace_state) + StringHeap(span.name) + StringHeap(span.status_message) +
             AttributesHeapBytes(span.attributes);
  n += span.events.capacity() * sizeof(SpanEvent);
  for (const SpanEvent& e : span.events) n += StringHeap(e.name) + AttributesHeapBytes(e.attributes);
  n += span.links.capacity() * sizeof(SpanLink);
  for (const SpanLink& l : span.links) n += StringHeap(l.trace_state) + AttributesHeapBytes(l.attributes);
  return n;
}

}  // namespace vigil
