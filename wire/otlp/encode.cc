#include "wire/otlp/encode.h"

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/arena.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::wire::otlp {
namespace {

namespace pb_common = ::opentelemetry::proto::common::v1;
namespace pb_trace = ::opentelemetry::proto::trace::v1;
namespace pb_collector = ::opentelemetry::proto::collector::trace::v1;

void SetValue(const AnyValue& v, pb_common::AnyValue* out);

void SetKeyValues(const std::vector<KeyValue>& in, google::protobuf::RepeatedPtrField<pb_common::KeyValue>* out) {
  out->Reserve(static_cast<int>(in.size()));
  for (const KeyValue& kv : in) {
    pb_common::KeyValue* pkv = out->Add();
    pkv->set_key(kv.key);
    SetValue(kv.value, pkv->mutable_value());
  }
}

void SetValue(const AnyValue& v, pb_common::AnyValue* out) {
  switch (v.type()) {
    case AnyValue::Type::kEmpty:
      return;
    case AnyValue::Type::kString:
      out->set_string_value(v.string_value());
      return;
    case AnyValue::Type::kBool:
      out->set_bool_value(v.bool_value());
      return;
    case AnyValue::Type::kInt:
      out->set_int_value(v.int_value());
      return;
    case AnyValue::Type::kDouble:
      out->set_double_value(v.double_value());
      return;
    case AnyValue::Type::kBytes:
      out->set_bytes_value(v.string_value());
      return;
    case AnyValue::Type::kArray: {
      pb_common::ArrayValue* arr = out->mutable_array_value();
      for (const KeyValue& e : v.children()) SetValue(e.value, arr->add_values());
      return;
    }
    case AnyValue::Type::kKvList:
      SetKeyValues(v.children(), out->mutable_kvlist_value()->mutable_values());
      return;
  }
}

void SetSpan(const Span& s, pb_trace::Span* out) {
  out->set_trace_id(std::string(s.trace_id.View()));
  out->set_span_id(std::string(s.span_id.View()));
  if (!s.trace_state.empty()) out->set_trace_state(s.trace_state);
  if (!s.parent_span_id.IsZero()) out->set_parent_span_id(std::string(s.parent_span_id.View()));
  out->set_flags(s.flags);
  out->set_name(s.name);
  out->set_kind(static_cast<pb_trace::Span::SpanKind>(s.kind));
  out->set_start_time_unix_nano(s.start_time_unix_nano);
  out->set_end_time_unix_nano(s.end_time_unix_nano);
  SetKeyValues(s.attributes, out->mutable_attributes());
  out->set_dropped_attributes_count(s.dropped_attributes_count);
  for (const SpanEvent& e : s.events) {
    pb_trace::Span::Event* pe = out->add_events();
    pe->set_time_unix_nano(e.time_unix_nano);
    pe->set_name(e.name);
    SetKeyValues(e.attributes, pe->mutable_attributes());
    pe->set_dropped_attributes_count(e.dropped_attributes_count);
  }
  out->set_dropped_events_count(s.dropped_events_count);
  for (const SpanLink& l : s.links) {
    pb_trace::Span::Link* pl = out->add_links();
    pl->set_trace_id(std::string(l.trace_id.View()));
    pl->set_span_id(std::string(l.span_id.View()));
    pl->set_trace_state(l.trace_state);
    SetKeyValues(l.attributes, pl->mutable_attributes());
    pl->set_dropped_attributes_count(l.dropped_attributes_count);
    pl->set_flags(l.flags);
  }
  out->set_dropped_links_count(s.dropped_links_count);
  if (s.status_code != SpanStatusCode::kUnset || !s.status_message.empty()) {
    out->mutable_status()->set_code(static_cast<pb_trace::Status::StatusCode>(s.status_code));
    out->mutable_status()->set_message(s.status_message);
  }
}

}  // namespace

std::string EncodeTracesProto(std::span<const Span> spans) {
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<pb_collector::ExportTraceServiceRequest>(&arena);
  struct Group {
    pb_trace::ResourceSpans* rs;
    absl::flat_hash_map<const InstrumentationScope*, pb_trace::ScopeSpans*> scopes;
  };
  absl::flat_hash_map<const Resource*, Group> groups;
  for (const Span& s : spans) {
    auto [it, inserted] = groups.try_emplace(s.resource.get());
    Group& g = it->second;
    if (inserted) {
      g.rs = req->add_resource_spans();
      if (s.resource != nullptr) {
        SetKeyValues(s.resource->attributes, g.rs->mutable_resource()->mutable_attributes());
        g.rs->mutable_resource()->set_dropped_attributes_count(s.resource->dropped_attributes_count);
        g.rs->set_schema_url(s.resource->schema_url);
      }
    }
    auto [sit, scope_inserted] = g.scopes.try_emplace(s.scope.get());
    if (scope_inserted) {
      sit->second = g.rs->add_scope_spans();
      if (s.scope != nullptr) {
        pb_common::InstrumentationScope* scope = sit->second->mutable_scope();
        scope->set_name(s.scope->name);
        scope->set_version(s.scope->version);
        SetKeyValues(s.scope->attributes, scope->mutable_attributes());
        scope->set_dropped_attributes_count(s.scope->dropped_attributes_count);
        sit->second->set_schema_url(s.scope->schema_url);
      }
    }
    SetSpan(s, sit->second->add_spans());
  }
  return req->SerializeAsString();
}

}  // namespace vigil::wire::otlp
