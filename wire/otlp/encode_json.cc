#include "wire/otlp/encode_json.h"

#include <cmath>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace vigil::wire::otlp {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void Uint64String(Writer& w, uint64_t v) { Str(w, absl::StrCat(v)); }

void WriteValue(Writer& w, const AnyValue& v);

void WriteKeyValues(Writer& w, const std::vector<KeyValue>& attrs) {
  w.StartArray();
  for (const KeyValue& kv : attrs) {
    w.StartObject();
    w.Key("key");
    Str(w, kv.key);
    w.Key("value");
    WriteValue(w, kv.value);
    w.EndObject();
  }
  w.EndArray();
}

void WriteValue(Writer& w, const AnyValue& v) {
  w.StartObject();
  switch (v.type()) {
    case AnyValue::Type::kEmpty:
      break;
    case AnyValue::Type::kString:
      w.Key("stringValue");
      Str(w, v.string_value());
      break;
    case AnyValue::Type::kBool:
      w.Key("boolValue");
      w.Bool(v.bool_value());
      break;
    case AnyValue::Type::kInt:
      w.Key("intValue");
      Str(w, absl::StrCat(v.int_value()));
      break;
    case AnyValue::Type::kDouble: {
      w.Key("doubleValue");
      const double d = v.double_value();
      if (std::isnan(d)) {
        w.String("NaN");
      } else if (std::isinf(d)) {
        w.String(d > 0 ? "Infinity" : "-Infinity");
      } else {
        w.Double(d);
      }
      break;
    }
    case AnyValue::Type::kBytes:
      w.Key("bytesValue");
      Str(w, absl::Base64Escape(v.string_value()));
      break;
    case AnyValue::Type::kArray:
      w.Key("arrayValue");
      w.StartObject();
      w.Key("values");
      w.StartArray();
      for (const KeyValue& e : v.children()) WriteValue(w, e.value);
      w.EndArray();
      w.EndObject();
      break;
    case AnyValue::Type::kKvList:
      w.Key("kvlistValue");
      w.StartObject();
      w.Key("values");
      WriteKeyValues(w, v.children());
      w.EndObject();
      break;
  }
  w.EndObject();
}

void WriteSpan(Writer& w, const Span& s) {
  w.StartObject();
  w.Key("traceId");
  Str(w, s.trace_id.Hex());
  w.Key("spanId");
  Str(w, s.span_id.Hex());
  if (!s.trace_state.empty()) {
    w.Key("traceState");
    Str(w, s.trace_state);
  }
  if (!s.parent_span_id.IsZero()) {
    w.Key("parentSpanId");
    Str(w, s.parent_span_id.Hex());
  }
  if (s.flags != 0) {
    w.Key("flags");
    w.Uint(s.flags);
  }
  w.Key("name");
  Str(w, s.name);
  w.Key("kind");
  w.Uint(static_cast<unsigned>(s.kind));
  w.Key("startTimeUnixNano");
  Uint64String(w, s.start_time_unix_nano);
  w.Key("endTimeUnixNano");
  Uint64String(w, s.end_time_unix_nano);
  w.Key("attributes");
  WriteKeyValues(w, s.attributes);
  if (s.dropped_attributes_count != 0) {
    w.Key("droppedAttributesCount");
    w.Uint(s.dropped_attributes_count);
  }
  if (!s.events.empty()) {
    w.Key("events");
    w.StartArray();
    for (const SpanEvent& e : s.events) {
      w.StartObject();
      w.Key("timeUnixNano");
      Uint64String(w, e.time_unix_nano);
      w.Key("name");
      Str(w, e.name);
      w.Key("attributes");
      WriteKeyValues(w, e.attributes);
      if (e.dropped_attributes_count != 0) {
        w.Key("droppedAttributesCount");
        w.Uint(e.dropped_attributes_count);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (s.dropped_events_count != 0) {
    w.Key("droppedEventsCount");
    w.Uint(s.dropped_events_count);
  }
  if (!s.links.empty()) {
    w.Key("links");
    w.StartArray();
    for (const SpanLink& l : s.links) {
      w.StartObject();
      w.Key("traceId");
      Str(w, l.trace_id.Hex());
      w.Key("spanId");
      Str(w, l.span_id.Hex());
      if (!l.trace_state.empty()) {
        w.Key("traceState");
        Str(w, l.trace_state);
      }
      w.Key("attributes");
      WriteKeyValues(w, l.attributes);
      if (l.dropped_attributes_count != 0) {
        w.Key("droppedAttributesCount");
        w.Uint(l.dropped_attributes_count);
      }
      if (l.flags != 0) {
        w.Key("flags");
        w.Uint(l.flags);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (s.dropped_links_count != 0) {
    w.Key("droppedLinksCount");
    w.Uint(s.dropped_links_count);
  }
  w.Key("status");
  w.StartObject();
  if (!s.status_message.empty()) {
    w.Key("message");
    Str(w, s.status_message);
  }
  if (s.status_code != SpanStatusCode::kUnset) {
    w.Key("code");
    w.Uint(static_cast<unsigned>(s.status_code));
  }
  w.EndObject();
  w.EndObject();
}

void WriteResource(Writer& w, const Resource* r) {
  w.Key("resource");
  w.StartObject();
  w.Key("attributes");
  WriteKeyValues(w, r != nullptr ? r->attributes : std::vector<KeyValue>{});
  if (r != nullptr && r->dropped_attributes_count != 0) {
    w.Key("droppedAttributesCount");
    w.Uint(r->dropped_attributes_count);
  }
  w.EndObject();
}

void WriteScope(Writer& w, const InstrumentationScope* s) {
  w.Key("scope");
  w.StartObject();
  if (s != nullptr) {
    w.Key("name");
    Str(w, s->name);
    if (!s->version.empty()) {
      w.Key("version");
      Str(w, s->version);
    }
    if (!s->attributes.empty()) {
      w.Key("attributes");
      WriteKeyValues(w, s->attributes);
    }
    if (s->dropped_attributes_count != 0) {
      w.Key("droppedAttributesCount");
      w.Uint(s->dropped_attributes_count);
    }
  }
  w.EndObject();
}

}  // namespace

std::string EncodeTracesJson(std::span<const Span> spans) {
  // Group first (as EncodeTracesProto does), then write: JSON cannot be appended to out of order.
  struct ScopeGroup {
    const InstrumentationScope* scope;
    std::vector<const Span*> spans;
  };
  struct ResourceGroup {
    const Resource* resource;
    std::vector<ScopeGroup> scopes;
    absl::flat_hash_map<const InstrumentationScope*, size_t> scope_index;
  };
  std::vector<ResourceGroup> groups;
  absl::flat_hash_map<const Resource*, size_t> resource_index;
  for (const Span& s : spans) {
    auto [it, inserted] = resource_index.try_emplace(s.resource.get(), groups.size());
    if (inserted) groups.push_back(ResourceGroup{s.resource.get(), {}, {}});
    ResourceGroup& g = groups[it->second];
    auto [sit, scope_inserted] = g.scope_index.try_emplace(s.scope.get(), g.scopes.size());
    if (scope_inserted) g.scopes.push_back(ScopeGroup{s.scope.get(), {}});
    g.scopes[sit->second].spans.push_back(&s);
  }

  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("resourceSpans");
  w.StartArray();
  for (const ResourceGroup& g : groups) {
    w.StartObject();
    WriteResource(w, g.resource);
    w.Key("scopeSpans");
    w.StartArray();
    for (const ScopeGroup& sg : g.scopes) {
      w.StartObject();
      WriteScope(w, sg.scope);
      w.Key("spans");
      w.StartArray();
      for (const Span* s : sg.spans) WriteSpan(w, *s);
      w.EndArray();
      if (sg.scope != nullptr && !sg.scope->schema_url.empty()) {
        w.Key("schemaUrl");
        Str(w, sg.scope->schema_url);
      }
      w.EndObject();
    }
    w.EndArray();
    if (g.resource != nullptr && !g.resource->schema_url.empty()) {
      w.Key("schemaUrl");
      Str(w, g.resource->schema_url);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void AppendAttributesJson(const std::vector<KeyValue>& attributes, std::string* out) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WriteKeyValues(w, attributes);
  out->append(buf.GetString(), buf.GetSize());
}

void AppendAnyValueJson(const AnyValue& value, std::string* out) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WriteValue(w, value);
  out->append(buf.GetString(), buf.GetSize());
}

}  // namespace vigil::wire::otlp
