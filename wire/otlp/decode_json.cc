#include "wire/otlp/decode_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace vigil::wire::otlp {
namespace {

using internal::AssignBoundedBytes;
using internal::AssignBoundedUtf8;
using Value = rapidjson::Value;

// Where a value sits in the document, as a chain of (key, index) steps rendered only for an error message.
struct Path {
  const Path* parent = nullptr;
  const char* key = nullptr;  // null for an array element
  int index = -1;

  Path Key(const char* k) const { return Path{this, k, -1}; }
  Path Index(int i) const { return Path{this, nullptr, i}; }

  std::string ToString() const {
    std::string parent_text = parent != nullptr ? parent->ToString() : "";
    if (key == nullptr) return absl::StrCat(parent_text, "[", index, "]");
    if (parent_text.empty()) return key;
    return absl::StrCat(parent_text, ".", key);
  }
};

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

bool KeyIs(const Value& name, std::string_view want) { return Str(name) == want; }

const char* TypeName(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

// A short rendering of a JSON scalar for error messages.
std::string Show(const Value& v) {
  if (v.IsString()) {
    std::string_view s = Str(v);
    if (s.size() > 64) return absl::StrCat("\"", absl::CEscape(std::string(s.substr(0, 64))), "\"...");
    return absl::StrCat("\"", absl::CEscape(std::string(s)), "\"");
  }
  if (v.IsInt64()) return absl::StrCat(v.GetInt64());
  if (v.IsUint64()) return absl::StrCat(v.GetUint64());
  if (v.IsDouble()) return absl::StrCat(v.GetDouble());
  return TypeName(v);
}

absl::Status Bad(const Path& path, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(path.ToString(), ": ", std::string(why)));
}

absl::Status WrongType(const Path& path, const Value& v, std::string_view want) {
  return Bad(path, absl::StrCat("want ", std::string(want), ", got ", TypeName(v)));
}

// An integer field: a JSON number with an integral value, or a decimal string (proto3 JSON writes 64-bit
// integers as strings). Range-checked against [min, max].
absl::Status ParseInteger(const Value& v, const Path& path, int64_t min, uint64_t max, bool* negative,
                          uint64_t* magnitude) {
  *negative = false;
  if (v.IsUint64()) {
    *magnitude = v.GetUint64();
  } else if (v.IsInt64()) {
    const int64_t i = v.GetInt64();
    *negative = i < 0;
    *magnitude = *negative ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  } else if (v.IsDouble()) {
    const double d = v.GetDouble();
    if (!(std::trunc(d) == d) || std::fabs(d) >= 18446744073709551616.0) {
      return Bad(path, absl::StrCat(Show(v), " is not an integer in range"));
    }
    *negative = d < 0;
    *magnitude = static_cast<uint64_t>(std::fabs(d));
  } else if (v.IsString()) {
    std::string_view s = Str(v);
    std::string_view digits = s;
    if (!digits.empty() && digits[0] == '-') {
      *negative = true;
      digits.remove_prefix(1);
    }
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *magnitude);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      return Bad(path, absl::StrCat(Show(v), " is not a decimal integer"));
    }
  } else {
    return WrongType(path, v, "an integer (number or decimal string)");
  }
  const uint64_t min_magnitude = min < 0 ? uint64_t{0} - static_cast<uint64_t>(min) : 0;
  if ((*negative && *magnitude > min_magnitude && *magnitude != 0) || (!*negative && *magnitude > max)) {
    return Bad(path, absl::StrCat(Show(v), " is out of range"));
  }
  return absl::OkStatus();
}

absl::Status ParseUint64(const Value& v, const Path& path, uint64_t* out) {
  bool neg = false;
  uint64_t mag = 0;
  VIGIL_RETURN_IF_ERROR(ParseInteger(v, path, 0, std::numeric_limits<uint64_t>::max(), &neg, &mag));
  *out = mag;
  return absl::OkStatus();
}

absl::Status ParseUint32(const Value& v, const Path& path, uint32_t* out) {
  bool neg = false;
  uint64_t mag = 0;
  VIGIL_RETURN_IF_ERROR(ParseInteger(v, path, 0, std::numeric_limits<uint32_t>::max(), &neg, &mag));
  *out = static_cast<uint32_t>(mag);
  return absl::OkStatus();
}

absl::Status ParseInt64(const Value& v, const Path& path, int64_t* out) {
  bool neg = false;
  uint64_t mag = 0;
  VIGIL_RETURN_IF_ERROR(ParseInteger(v, path, std::numeric_limits<int64_t>::min(),
                                     static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), &neg, &mag));
  *out = neg ? static_cast<int64_t>(uint64_t{0} - mag) : static_cast<int64_t>(mag);
  return absl::OkStatus();
}

// An enum: its number, or one of its value names (names[i] is value i).
absl::Status ParseEnum(const Value& v, const Path& path, const std::vector<std::string_view>& names, int* out) {
  if (v.IsString()) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (Str(v) == names[i]) {
        *out = static_cast<int>(i);
        return absl::OkStatus();
      }
    }
  }
  if (v.IsString() || v.IsNumber()) {
    bool neg = false;
    uint64_t mag = 0;
    absl::Status s =
        ParseInteger(v, path, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &neg, &mag);
    if (s.ok()) {
      // proto3 enums are open: an unknown number is kept by protobuf; Vigil maps it to the zero value.
      *out = (!neg && mag < names.size()) ? static_cast<int>(mag) : 0;
      return absl::OkStatus();
    }
    return Bad(path, absl::StrCat(Show(v), " is neither an enum number nor one of its names"));
  }
  return WrongType(path, v, "an enum number");
}

absl::Status ParseDouble(const Value& v, const Path& path, double* out) {
  if (v.IsNumber()) {
    *out = v.GetDouble();
    return absl::OkStatus();
  }
  if (v.IsString()) {
    std::string_view s = Str(v);
    if (s == "NaN") {
      *out = std::numeric_limits<double>::quiet_NaN();
      return absl::OkStatus();
    }
    if (s == "Infinity" || s == "-Infinity") {
      *out = s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return absl::OkStatus();
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) return absl::OkStatus();
    return Bad(path, absl::StrCat(Show(v), " is not a number"));
  }
  return WrongType(path, v, "a number");
}

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits) {}

  absl::Status Request(const Value& root, DecodedSpans* out) {
    const Path path;
    if (!root.IsObject()) return WrongType(path, root, "an object (ExportTraceServiceRequest)");
    for (const auto& m : root.GetObject()) {
      if (!KeyIs(m.name, "resourceSpans") || m.value.IsNull()) continue;
      const Path rs_path = path.Key("resourceSpans");
      if (!m.value.IsArray()) return WrongType(rs_path, m.value, "an array");
      int i = 0;
      for (const Value& rs : m.value.GetArray()) {
        VIGIL_RETURN_IF_ERROR(ResourceSpans(rs, rs_path.Index(i++), out));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ResourceSpans(const Value& v, const Path& path, DecodedSpans* out) {
    if (v.IsNull()) return absl::OkStatus();
    if (!v.IsObject()) return WrongType(path, v, "an object (ResourceSpans)");
    auto resource = std::make_shared<Resource>();
    const Value* scope_spans = nullptr;
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "resource")) {
        VIGIL_RETURN_IF_ERROR(ResourceMsg(m.value, path.Key("resource"), resource.get()));
      } else if (KeyIs(m.name, "scopeSpans")) {
        scope_spans = &m.value;
      } else if (KeyIs(m.name, "schemaUrl")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("schemaUrl"), &resource->schema_url));
      }
    }
    if (scope_spans == nullptr) return absl::OkStatus();
    const Path ss_path = path.Key("scopeSpans");
    if (!scope_spans->IsArray()) return WrongType(ss_path, *scope_spans, "an array");
    std::shared_ptr<const Resource> shared = std::move(resource);
    int i = 0;
    for (const Value& ss : scope_spans->GetArray()) {
      VIGIL_RETURN_IF_ERROR(ScopeSpans(ss, ss_path.Index(i++), shared, out));
    }
    return absl::OkStatus();
  }

  absl::Status ResourceMsg(const Value& v, const Path& path, Resource* resource) {
    if (!v.IsObject()) return WrongType(path, v, "an object (Resource)");
    uint32_t dropped = 0;
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "attributes")) {
        VIGIL_RETURN_IF_ERROR(Attributes(m.value, path.Key("attributes"), &resource->attributes, &dropped));
      } else if (KeyIs(m.name, "droppedAttributesCount")) {
        VIGIL_RETURN_IF_ERROR(
            ParseUint32(m.value, path.Key("droppedAttributesCount"), &resource->dropped_attributes_count));
      }
    }
    resource->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status ScopeSpans(const Value& v, const Path& path, const std::shared_ptr<const Resource>& resource,
                          DecodedSpans* out) {
    if (v.IsNull()) return absl::OkStatus();
    if (!v.IsObject()) return WrongType(path, v, "an object (ScopeSpans)");
    auto scope = std::make_shared<InstrumentationScope>();
    const Value* spans = nullptr;
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "scope")) {
        VIGIL_RETURN_IF_ERROR(Scope(m.value, path.Key("scope"), scope.get()));
      } else if (KeyIs(m.name, "spans")) {
        spans = &m.value;
      } else if (KeyIs(m.name, "schemaUrl")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("schemaUrl"), &scope->schema_url));
      }
    }
    if (spans == nullptr) return absl::OkStatus();
    const Path spans_path = path.Key("spans");
    if (!spans->IsArray()) return WrongType(spans_path, *spans, "an array");
    std::shared_ptr<const InstrumentationScope> shared = std::move(scope);
    out->spans.reserve(out->spans.size() + spans->Size());
    int i = 0;
    for (const Value& sv : spans->GetArray()) {
      const Path span_path = spans_path.Index(i++);
      if (sv.IsNull()) continue;
      Span span;
      span.resource = resource;
      span.scope = shared;
      VIGIL_RETURN_IF_ERROR(SpanMsg(sv, span_path, &span));
      if (span.trace_id.IsZero() || span.span_id.IsZero()) {
        internal::AcceptOrReject(std::move(span), span_path.ToString(), out);
      } else {
        out->spans.push_back(std::move(span));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Scope(const Value& v, const Path& path, InstrumentationScope* scope) {
    if (!v.IsObject()) return WrongType(path, v, "an object (InstrumentationScope)");
    uint32_t dropped = 0;
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "name")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("name"), &scope->name));
      } else if (KeyIs(m.name, "version")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("version"), &scope->version));
      } else if (KeyIs(m.name, "attributes")) {
        VIGIL_RETURN_IF_ERROR(Attributes(m.value, path.Key("attributes"), &scope->attributes, &dropped));
      } else if (KeyIs(m.name, "droppedAttributesCount")) {
        VIGIL_RETURN_IF_ERROR(
            ParseUint32(m.value, path.Key("droppedAttributesCount"), &scope->dropped_attributes_count));
      }
    }
    scope->dropped_attributes_count += dropped;
    return absl::OkStatus();
  }

  absl::Status SpanMsg(const Value& v, const Path& path, Span* span) {
    if (!v.IsObject()) return WrongType(path, v, "an object (Span)");
    uint32_t dropped_attributes = 0;
    uint32_t dropped_events = 0;
    uint32_t dropped_links = 0;
    for (const auto& m : v.GetObject()) {
      const Value& val = m.value;
      if (val.IsNull()) continue;
      std::string_view key = Str(m.name);
      if (key == "traceId") {
        VIGIL_RETURN_IF_ERROR(TraceIdField(val, path.Key("traceId"), &span->trace_id));
      } else if (key == "spanId") {
        VIGIL_RETURN_IF_ERROR(SpanIdField(val, path.Key("spanId"), &span->span_id));
      } else if (key == "parentSpanId") {
        VIGIL_RETURN_IF_ERROR(SpanIdField(val, path.Key("parentSpanId"), &span->parent_span_id));
      } else if (key == "traceState") {
        VIGIL_RETURN_IF_ERROR(String(val, path.Key("traceState"), &span->trace_state));
      } else if (key == "flags") {
        VIGIL_RETURN_IF_ERROR(ParseUint32(val, path.Key("flags"), &span->flags));
      } else if (key == "name") {
        VIGIL_RETURN_IF_ERROR(String(val, path.Key("name"), &span->name));
      } else if (key == "kind") {
        static const std::vector<std::string_view> kNames = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                                             "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                                             "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
        int kind = 0;
        VIGIL_RETURN_IF_ERROR(ParseEnum(val, path.Key("kind"), kNames, &kind));
        span->kind = static_cast<SpanKind>(kind);
      } else if (key == "startTimeUnixNano") {
        VIGIL_RETURN_IF_ERROR(ParseUint64(val, path.Key("startTimeUnixNano"), &span->start_time_unix_nano));
      } else if (key == "endTimeUnixNano") {
        VIGIL_RETURN_IF_ERROR(ParseUint64(val, path.Key("endTimeUnixNano"), &span->end_time_unix_nano));
      } else if (key == "attributes") {
        VIGIL_RETURN_IF_ERROR(Attributes(val, path.Key("attributes"), &span->attributes, &dropped_attributes));
      } else if (key == "droppedAttributesCount") {
        VIGIL_RETURN_IF_ERROR(ParseUint32(val, path.Key("droppedAttributesCount"), &span->dropped_attributes_count));
      } else if (key == "events") {
        VIGIL_RETURN_IF_ERROR(Events(val, path.Key("events"), span, &dropped_events));
      } else if (key == "droppedEventsCount") {
        VIGIL_RETURN_IF_ERROR(ParseUint32(val, path.Key("droppedEventsCount"), &span->dropped_events_count));
      } else if (key == "links") {
        VIGIL_RETURN_IF_ERROR(Links(val, path.Key("links"), span, &dropped_links));
      } else if (key == "droppedLinksCount") {
        VIGIL_RETURN_IF_ERROR(ParseUint32(val, path.Key("droppedLinksCount"), &span->dropped_links_count));
      } else if (key == "status") {
        VIGIL_RETURN_IF_ERROR(Status(val, path.Key("status"), span));
      }
    }
    span->dropped_attributes_count += dropped_attributes;
    span->dropped_events_count += dropped_events;
    span->dropped_links_count += dropped_links;
    return absl::OkStatus();
  }

  absl::Status Events(const Value& v, const Path& path, Span* span, uint32_t* dropped) {
    if (!v.IsArray()) return WrongType(path, v, "an array");
    int i = 0;
    for (const Value& ev : v.GetArray()) {
      const Path ev_path = path.Index(i++);
      if (ev.IsNull()) continue;
      if (!ev.IsObject()) return WrongType(ev_path, ev, "an object (Event)");
      if (span->events.size() >= limits_.max_events) {
        ++*dropped;
        continue;
      }
      SpanEvent& event = span->events.emplace_back();
      uint32_t dropped_attrs = 0;
      for (const auto& m : ev.GetObject()) {
        if (m.value.IsNull()) continue;
        if (KeyIs(m.name, "timeUnixNano")) {
          VIGIL_RETURN_IF_ERROR(ParseUint64(m.value, ev_path.Key("timeUnixNano"), &event.time_unix_nano));
        } else if (KeyIs(m.name, "name")) {
          VIGIL_RETURN_IF_ERROR(String(m.value, ev_path.Key("name"), &event.name));
        } else if (KeyIs(m.name, "attributes")) {
          VIGIL_RETURN_IF_ERROR(Attributes(m.value, ev_path.Key("attributes"), &event.attributes, &dropped_attrs));
        } else if (KeyIs(m.name, "droppedAttributesCount")) {
          VIGIL_RETURN_IF_ERROR(
              ParseUint32(m.value, ev_path.Key("droppedAttributesCount"), &event.dropped_attributes_count));
        }
      }
      event.dropped_attributes_count += dropped_attrs;
    }
    return absl::OkStatus();
  }

  absl::Status Links(const Value& v, const Path& path, Span* span, uint32_t* dropped) {
    if (!v.IsArray()) return WrongType(path, v, "an array");
    int i = 0;
    for (const Value& lv : v.GetArray()) {
      const Path link_path = path.Index(i++);
      if (lv.IsNull()) continue;
      if (!lv.IsObject()) return WrongType(link_path, lv, "an object (Link)");
      if (span->links.size() >= limits_.max_links) {
        ++*dropped;
        continue;
      }
      SpanLink& link = span->links.emplace_back();
      uint32_t dropped_attrs = 0;
      for (const auto& m : lv.GetObject()) {
        if (m.value.IsNull()) continue;
        std::string_view key = Str(m.name);
        if (key == "traceId") {
          VIGIL_RETURN_IF_ERROR(TraceIdField(m.value, link_path.Key("traceId"), &link.trace_id));
        } else if (key == "spanId") {
          VIGIL_RETURN_IF_ERROR(SpanIdField(m.value, link_path.Key("spanId"), &link.span_id));
        } else if (key == "traceState") {
          VIGIL_RETURN_IF_ERROR(String(m.value, link_path.Key("traceState"), &link.trace_state));
        } else if (key == "attributes") {
          VIGIL_RETURN_IF_ERROR(Attributes(m.value, link_path.Key("attributes"), &link.attributes, &dropped_attrs));
        } else if (key == "droppedAttributesCount") {
          VIGIL_RETURN_IF_ERROR(
              ParseUint32(m.value, link_path.Key("droppedAttributesCount"), &link.dropped_attributes_count));
        } else if (key == "flags") {
          VIGIL_RETURN_IF_ERROR(ParseUint32(m.value, link_path.Key("flags"), &link.flags));
        }
      }
      link.dropped_attributes_count += dropped_attrs;
    }
    return absl::OkStatus();
  }

  absl::Status Status(const Value& v, const Path& path, Span* span) {
    if (!v.IsObject()) return WrongType(path, v, "an object (Status)");
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "message")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("message"), &span->status_message));
      } else if (KeyIs(m.name, "code")) {
        static const std::vector<std::string_view> kNames = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                             "STATUS_CODE_ERROR"};
        int code = 0;
        VIGIL_RETURN_IF_ERROR(ParseEnum(m.value, path.Key("code"), kNames, &code));
        span->status_code = static_cast<SpanStatusCode>(code);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Attributes(const Value& v, const Path& path, std::vector<KeyValue>* attrs, uint32_t* dropped) {
    if (!v.IsArray()) return WrongType(path, v, "an array of {key, value}");
    attrs->reserve(attrs->size() + std::min<size_t>(v.Size(), limits_.max_attributes));
    int i = 0;
    for (const Value& kv : v.GetArray()) {
      const Path kv_path = path.Index(i++);
      if (kv.IsNull()) continue;
      if (attrs->size() >= limits_.max_attributes) {
        ++*dropped;
        continue;
      }
      VIGIL_RETURN_IF_ERROR(KeyValueMsg(kv, kv_path, &attrs->emplace_back(), 0));
    }
    return absl::OkStatus();
  }

  absl::Status KeyValueMsg(const Value& v, const Path& path, KeyValue* kv, int depth) {
    if (!v.IsObject()) return WrongType(path, v, "an object (KeyValue)");
    for (const auto& m : v.GetObject()) {
      if (m.value.IsNull()) continue;
      if (KeyIs(m.name, "key")) {
        VIGIL_RETURN_IF_ERROR(String(m.value, path.Key("key"), &kv->key));
      } else if (KeyIs(m.name, "value")) {
        VIGIL_RETURN_IF_ERROR(AnyValueMsg(m.value, path.Key("value"), &kv->value, depth));
      }
    }
    return absl::OkStatus();
  }

  absl::Status AnyValueMsg(const Value& v, const Path& path, AnyValue* value, int depth) {
    if (!v.IsObject()) return WrongType(path, v, "an object (AnyValue)");
    for (const auto& m : v.GetObject()) {
      const Value& val = m.value;
      if (val.IsNull()) continue;
      std::string_view key = Str(m.name);
      if (key == "stringValue") {
        if (!val.IsString()) return WrongType(path.Key("stringValue"), val, "a string");
        AssignBoundedUtf8(Str(val), limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kString));
      } else if (key == "boolValue") {
        if (!val.IsBool()) return WrongType(path.Key("boolValue"), val, "a boolean");
        value->set_bool(val.GetBool());
      } else if (key == "intValue") {
        int64_t i = 0;
        VIGIL_RETURN_IF_ERROR(ParseInt64(val, path.Key("intValue"), &i));
        value->set_int(i);
      } else if (key == "doubleValue") {
        double d = 0;
        VIGIL_RETURN_IF_ERROR(ParseDouble(val, path.Key("doubleValue"), &d));
        value->set_double(d);
      } else if (key == "bytesValue") {
        if (!val.IsString()) return WrongType(path.Key("bytesValue"), val, "a base64 string");
        std::string raw;
        if (!absl::Base64Unescape(absl::string_view(val.GetString(), val.GetStringLength()), &raw) &&
            !absl::WebSafeBase64Unescape(absl::string_view(val.GetString(), val.GetStringLength()), &raw)) {
          return Bad(path.Key("bytesValue"), absl::StrCat(Show(val), " is not base64"));
        }
        AssignBoundedBytes(raw, limits_.max_value_bytes, value->mutable_string(AnyValue::Type::kBytes));
      } else if (key == "arrayValue" || key == "kvlistValue") {
        const bool is_array = key == "arrayValue";
        const Path list_path = path.Key(is_array ? "arrayValue" : "kvlistValue");
        if (depth + 1 > limits_.max_value_depth) {
          return Bad(list_path, absl::StrCat("nested more than ", limits_.max_value_depth, " levels deep"));
        }
        if (!val.IsObject()) return WrongType(list_path, val, "an object");
        std::vector<KeyValue>* children =
            value->mutable_children(is_array ? AnyValue::Type::kArray : AnyValue::Type::kKvList);
        for (const auto& lm : val.GetObject()) {
          if (!KeyIs(lm.name, "values") || lm.value.IsNull()) continue;
          const Path values_path = list_path.Key("values");
          if (!lm.value.IsArray()) return WrongType(values_path, lm.value, "an array");
          int i = 0;
          for (const Value& e : lm.value.GetArray()) {
            const Path e_path = values_path.Index(i++);
            if (children->size() >= limits_.max_attributes) break;
            if (is_array) {
              if (e.IsNull()) {
                children->emplace_back();
                continue;
              }
              VIGIL_RETURN_IF_ERROR(AnyValueMsg(e, e_path, &children->emplace_back().value, depth + 1));
            } else {
              if (e.IsNull()) continue;
              VIGIL_RETURN_IF_ERROR(KeyValueMsg(e, e_path, &children->emplace_back(), depth + 1));
            }
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status String(const Value& v, const Path& path, std::string* out) {
    if (!v.IsString()) return WrongType(path, v, "a string");
    AssignBoundedUtf8(Str(v), limits_.max_value_bytes, out);
    return absl::OkStatus();
  }

  static absl::Status TraceIdField(const Value& v, const Path& path, TraceId* out) {
    if (!v.IsString()) return WrongType(path, v, "a hex string");
    if (v.GetStringLength() == 0) {
      *out = TraceId();
      return absl::OkStatus();
    }
    absl::StatusOr<TraceId> id = TraceId::FromHex(Str(v));
    if (!id.ok()) return Bad(path, std::string(id.status().message()));
    *out = *id;
    return absl::OkStatus();
  }

  static absl::Status SpanIdField(const Value& v, const Path& path, SpanId* out) {
    if (!v.IsString()) return WrongType(path, v, "a hex string");
    if (v.GetStringLength() == 0) {
      *out = SpanId();
      return absl::OkStatus();
    }
    absl::StatusOr<SpanId> id = SpanId::FromHex(Str(v));
    if (!id.ok()) return Bad(path, std::string(id.status().message()));
    *out = *id;
    return absl::OkStatus();
  }

  const DecodeLimits& limits_;
};

}  // namespace

absl::StatusOr<DecodedSpans> DecodeTracesJson(std::string_view body, const DecodeLimits& limits) {
  rapidjson::Document doc;
  // Iterative parsing: a body of a million "[" must not recurse a million frames deep. Full precision: doubles
  // round-trip exactly.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON at byte ", doc.GetErrorOffset(), ": ",
                                                   rapidjson::GetParseError_En(doc.GetParseError())));
  }
  DecodedSpans out;
  Decoder decoder(limits);
  VIGIL_RETURN_IF_ERROR(decoder.Request(doc, &out));
  return out;
}

}  // namespace vigil::wire::otlp
