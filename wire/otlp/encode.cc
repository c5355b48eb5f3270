#include "wire/otlp/encode.h"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/encoding/varint.h"
#include "wire/otlp/proto_writer.h"

// Written straight to the wire format rather than through generated protobuf classes, so the agent, which
// encodes every span it receives, carries no protobuf runtime (its static initialisers alone cost 1.7 MB of
// resident memory) and builds no intermediate message tree. Each message's size is computed before it is
// written (lengths precede contents). Fields are written in field-number order and defaults omitted as
// protobuf's serializer does, so the bytes equal its output (encode_test.cc checks). Field numbers:
// wire/otlp/{trace,common,resource}.proto.

namespace vigil::wire::otlp {
namespace {

using proto::Delimited;
using proto::OptBytes;
using proto::OptFixed32;
using proto::OptFixed64;
using proto::OptVarint;
using proto::TagSize;
using proto::VarintField;
using proto::Writer;

// --- common.proto: AnyValue, KeyValue, InstrumentationScope; resource.proto: Resource ---

size_t KeyValueSize(const KeyValue& kv);

size_t AnyValueSize(const AnyValue& v);

// The body of an ArrayValue (values = 1) or KeyValueList (values = 1).
size_t ChildrenSize(const AnyValue& v) {
  size_t n = 0;
  const bool array = v.type() == AnyValue::Type::kArray;
  for (const KeyValue& e : v.children()) n += Delimited(1, array ? AnyValueSize(e.value) : KeyValueSize(e));
  return n;
}

// A oneof member is written even when it holds its type's default.
size_t AnyValueSize(const AnyValue& v) {
  switch (v.type()) {
    case AnyValue::Type::kEmpty:
      return 0;
    case AnyValue::Type::kString:
      return Delimited(1, v.string_value().size());
    case AnyValue::Type::kBool:
      return VarintField(2, v.bool_value() ? 1 : 0);
    case AnyValue::Type::kInt:
      return VarintField(3, static_cast<uint64_t>(v.int_value()));
    case AnyValue::Type::kDouble:
      return TagSize(4) + 8;
    case AnyValue::Type::kArray:
      return Delimited(5, ChildrenSize(v));
    case AnyValue::Type::kKvList:
      return Delimited(6, ChildrenSize(v));
    case AnyValue::Type::kBytes:
      return Delimited(7, v.string_value().size());
  }
  return 0;
}

size_t KeyValueSize(const KeyValue& kv) { return OptBytes(1, kv.key) + Delimited(2, AnyValueSize(kv.value)); }

size_t KeyValuesSize(uint32_t field, const std::vector<KeyValue>& kvs) {
  size_t n = 0;
  for (const KeyValue& kv : kvs) n += Delimited(field, KeyValueSize(kv));
  return n;
}

void WriteKeyValues(Writer& w, uint32_t field, const std::vector<KeyValue>& kvs);

void WriteAnyValue(Writer& w, const AnyValue& v) {
  switch (v.type()) {
    case AnyValue::Type::kEmpty:
      return;
    case AnyValue::Type::kString:
      w.Bytes(1, v.string_value());
      return;
    case AnyValue::Type::kBool:
      w.Varint(2, v.bool_value() ? 1 : 0);
      return;
    case AnyValue::Type::kInt:
      w.Varint(3, static_cast<uint64_t>(v.int_value()));
      return;
    case AnyValue::Type::kDouble: {
      const double d = v.double_value();
      uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof(bits));
      w.Fixed64(4, bits);
      return;
    }
    case AnyValue::Type::kArray:
      w.Header(5, ChildrenSize(v));
      for (const KeyValue& e : v.children()) {
        w.Header(1, AnyValueSize(e.value));
        WriteAnyValue(w, e.value);
      }
      return;
    case AnyValue::Type::kKvList:
      w.Header(6, ChildrenSize(v));
      WriteKeyValues(w, 1, v.children());
      return;
    case AnyValue::Type::kBytes:
      w.Bytes(7, v.string_value());
      return;
  }
}

void WriteKeyValues(Writer& w, uint32_t field, const std::vector<KeyValue>& kvs) {
  for (const KeyValue& kv : kvs) {
    w.Header(field, KeyValueSize(kv));
    w.OptBytes(1, kv.key);
    w.Header(2, AnyValueSize(kv.value));
    WriteAnyValue(w, kv.value);
  }
}

size_t ResourceSize(const Resource& r) {
  return KeyValuesSize(1, r.attributes) + OptVarint(2, r.dropped_attributes_count);
}

void WriteResource(Writer& w, const Resource& r) {
  WriteKeyValues(w, 1, r.attributes);
  w.OptVarint(2, r.dropped_attributes_count);
}

size_t ScopeSize(const InstrumentationScope& s) {
  return OptBytes(1, s.name) + OptBytes(2, s.version) + KeyValuesSize(3, s.attributes) +
         OptVarint(4, s.dropped_attributes_count);
}

void WriteScope(Writer& w, const InstrumentationScope& s) {
  w.OptBytes(1, s.name);
  w.OptBytes(2, s.version);
  WriteKeyValues(w, 3, s.attributes);
  w.OptVarint(4, s.dropped_attributes_count);
}

// --- trace.proto: Span, Event, Link, Status ---

size_t EventSize(const SpanEvent& e) {
  return OptFixed64(1, e.time_unix_nano) + OptBytes(2, e.name) + KeyValuesSize(3, e.attributes) +
         OptVarint(4, e.dropped_attributes_count);
}

size_t LinkSize(const SpanLink& l) {
  return Delimited(1, l.trace_id.View().size()) + Delimited(2, l.span_id.View().size()) + OptBytes(3, l.trace_state) +
         KeyValuesSize(4, l.attributes) + OptVarint(5, l.dropped_attributes_count) + OptFixed32(6, l.flags);
}

bool HasStatus(const Span& s) { return s.status_code != SpanStatusCode::kUnset || !s.status_message.empty(); }

size_t StatusSize(const Span& s) {
  return OptBytes(2, s.status_message) + OptVarint(3, static_cast<uint64_t>(s.status_code));
}

size_t SpanSize(const Span& s) {
  size_t n =
      Delimited(1, s.trace_id.View().size()) + Delimited(2, s.span_id.View().size()) + OptBytes(3, s.trace_state) +
      (s.parent_span_id.IsZero() ? 0 : Delimited(4, s.parent_span_id.View().size())) + OptBytes(5, s.name) +
      OptVarint(6, static_cast<uint64_t>(s.kind)) + OptFixed64(7, s.start_time_unix_nano) +
      OptFixed64(8, s.end_time_unix_nano) + KeyValuesSize(9, s.attributes) + OptVarint(10, s.dropped_attributes_count) +
      OptVarint(12, s.dropped_events_count) + OptVarint(14, s.dropped_links_count) + OptFixed32(16, s.flags);
  for (const SpanEvent& e : s.events) n += Delimited(11, EventSize(e));
  for (const SpanLink& l : s.links) n += Delimited(13, LinkSize(l));
  if (HasStatus(s)) n += Delimited(15, StatusSize(s));
  return n;
}

void WriteSpan(Writer& w, const Span& s) {
  w.Bytes(1, s.trace_id.View());
  w.Bytes(2, s.span_id.View());
  w.OptBytes(3, s.trace_state);
  if (!s.parent_span_id.IsZero()) w.Bytes(4, s.parent_span_id.View());
  w.OptBytes(5, s.name);
  w.OptVarint(6, static_cast<uint64_t>(s.kind));
  w.OptFixed64(7, s.start_time_unix_nano);
  w.OptFixed64(8, s.end_time_unix_nano);
  WriteKeyValues(w, 9, s.attributes);
  w.OptVarint(10, s.dropped_attributes_count);
  for (const SpanEvent& e : s.events) {
    w.Header(11, EventSize(e));
    w.OptFixed64(1, e.time_unix_nano);
    w.OptBytes(2, e.name);
    WriteKeyValues(w, 3, e.attributes);
    w.OptVarint(4, e.dropped_attributes_count);
  }
  w.OptVarint(12, s.dropped_events_count);
  for (const SpanLink& l : s.links) {
    w.Header(13, LinkSize(l));
    w.Bytes(1, l.trace_id.View());
    w.Bytes(2, l.span_id.View());
    w.OptBytes(3, l.trace_state);
    WriteKeyValues(w, 4, l.attributes);
    w.OptVarint(5, l.dropped_attributes_count);
    w.OptFixed32(6, l.flags);
  }
  w.OptVarint(14, s.dropped_links_count);
  if (HasStatus(s)) {
    w.Header(15, StatusSize(s));
    w.OptBytes(2, s.status_message);
    w.OptVarint(3, static_cast<uint64_t>(s.status_code));
  }
  w.OptFixed32(16, s.flags);
}

// --- grouping: ResourceSpans { resource = 1, scope_spans = 2, schema_url = 3 },
//     ScopeSpans { scope = 1, spans = 2, schema_url = 3 } ---

// Sizes are computed once per message (ComputeSizes) and kept beside it: every length prefix needs the size of
// what follows, and recomputing them level by level would walk each span's attributes once per nesting level.
struct ScopeGroup {
  const InstrumentationScope* scope = nullptr;
  std::vector<const Span*> spans;
  std::vector<size_t> span_sizes;
  size_t scope_size = 0;
  size_t size = 0;
};

struct ResourceGroup {
  const Resource* resource = nullptr;
  std::vector<ScopeGroup> scopes;
  size_t resource_size = 0;
  size_t size = 0;
};

// Fills the sizes of `g` and its scopes and spans; returns the ResourceSpans message's size.
size_t ComputeSizes(ResourceGroup& g) {
  g.size = 0;
  if (g.resource != nullptr) {
    g.resource_size = ResourceSize(*g.resource);
    g.size += Delimited(1, g.resource_size) + OptBytes(3, g.resource->schema_url);
  }
  for (ScopeGroup& sg : g.scopes) {
    sg.size = 0;
    if (sg.scope != nullptr) {
      sg.scope_size = ScopeSize(*sg.scope);
      sg.size += Delimited(1, sg.scope_size) + OptBytes(3, sg.scope->schema_url);
    }
    sg.span_sizes.clear();
    for (const Span* s : sg.spans) {
      sg.span_sizes.push_back(SpanSize(*s));
      sg.size += Delimited(2, sg.span_sizes.back());
    }
    g.size += Delimited(2, sg.size);
  }
  return g.size;
}

}  // namespace

std::string EncodeTracesProto(std::span<const Span> spans) {
  // Group by resource, then scope, in order of first appearance.
  std::vector<ResourceGroup> groups;
  absl::flat_hash_map<const Resource*, size_t> resource_index;
  absl::flat_hash_map<std::pair<const Resource*, const InstrumentationScope*>, size_t> scope_index;
  for (const Span& s : spans) {
    auto [rit, new_resource] = resource_index.try_emplace(s.resource.get(), groups.size());
    if (new_resource) groups.emplace_back().resource = s.resource.get();
    ResourceGroup& g = groups[rit->second];
    auto [sit, new_scope] = scope_index.try_emplace({s.resource.get(), s.scope.get()}, g.scopes.size());
    if (new_scope) g.scopes.emplace_back().scope = s.scope.get();
    g.scopes[sit->second].spans.push_back(&s);
  }
  size_t total = 0;
  for (ResourceGroup& g : groups) total += Delimited(1, ComputeSizes(g));
  std::string out;
  out.reserve(total);
  Writer w(&out);
  for (const ResourceGroup& g : groups) {
    w.Header(1, g.size);
    if (g.resource != nullptr) {
      w.Header(1, g.resource_size);
      WriteResource(w, *g.resource);
    }
    for (const ScopeGroup& sg : g.scopes) {
      w.Header(2, sg.size);
      if (sg.scope != nullptr) {
        w.Header(1, sg.scope_size);
        WriteScope(w, *sg.scope);
      }
      for (size_t i = 0; i < sg.spans.size(); ++i) {
        w.Header(2, sg.span_sizes[i]);
        WriteSpan(w, *sg.spans[i]);
      }
      if (sg.scope != nullptr) w.OptBytes(3, sg.scope->schema_url);
    }
    if (g.resource != nullptr) w.OptBytes(3, g.resource->schema_url);
  }
  return out;
}

}  // namespace vigil::wire::otlp
