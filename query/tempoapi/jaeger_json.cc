#include "query/tempoapi/jaeger_json.h"

#include <cmath>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::tempoapi {
namespace {

using internal::JsonWriter;
using internal::Key;
using internal::String;

void WriteTag(std::string_view key, const AnyValue& v, JsonWriter* w) {
  w->StartObject();
  Key(w, "key");
  String(w, key);
  Key(w, "type");
  switch (v.type()) {
    case AnyValue::Type::kBool:
      String(w, "bool");
      Key(w, "value");
      w->Bool(v.bool_value());
      break;
    case AnyValue::Type::kInt:
      String(w, "int64");
      Key(w, "value");
      w->Int64(v.int_value());
      break;
    case AnyValue::Type::kDouble:
      String(w, "float64");
      Key(w, "value");
      // JSON has no NaN or infinity: those go as text.
      if (std::isfinite(v.double_value())) {
        w->Double(v.double_value());
      } else {
        String(w, v.ToString());
      }
      break;
    case AnyValue::Type::kBytes:
      String(w, "binary");
      Key(w, "value");
      String(w, v.ToString());
      break;
    default:
      String(w, "string");
      Key(w, "value");
      String(w, v.ToString());
      break;
  }
  w->EndObject();
}

void WriteRef(std::string_view type, const TraceId& t, const SpanId& s, JsonWriter* w) {
  w->StartObject();
  Key(w, "refType");
  String(w, type);
  Key(w, "traceID");
  String(w, t.Hex());
  Key(w, "spanID");
  String(w, s.Hex());
  w->EndObject();
}

}  // namespace

void WriteJaegerTrace(const std::vector<Span>& spans, JsonWriter* w) {
  // Processes by resource content, numbered in order of first appearance.
  std::vector<const Resource*> processes;
  static const Resource kEmpty;
  auto process_of = [&](const Span& s) {
    const Resource* r = s.resource != nullptr ? s.resource.get() : &kEmpty;
    for (size_t i = 0; i < processes.size(); ++i) {
      if (processes[i] == r || *processes[i] == *r) return i + 1;
    }
    processes.push_back(r);
    return processes.size();
  };
  w->StartObject();
  Key(w, "traceID");
  String(w, spans.empty() ? "" : spans[0].trace_id.Hex());
  Key(w, "spans");
  w->StartArray();
  for (const Span& s : spans) {
    w->StartObject();
    Key(w, "traceID");
    String(w, s.trace_id.Hex());
    Key(w, "spanID");
    String(w, s.span_id.Hex());
    Key(w, "operationName");
    String(w, s.name);
    Key(w, "references");
    w->StartArray();
    if (!s.parent_span_id.IsZero()) WriteRef("CHILD_OF", s.trace_id, s.parent_span_id, w);
    for (const SpanLink& l : s.links) WriteRef("FOLLOWS_FROM", l.trace_id, l.span_id, w);
    w->EndArray();
    Key(w, "startTime");
    w->Uint64(s.start_time_unix_nano / 1000);
    Key(w, "duration");
    w->Uint64(s.DurationNanos() / 1000);
    Key(w, "tags");
    w->StartArray();
    for (const KeyValue& kv : s.attributes) WriteTag(kv.key, kv.value, w);
    if (s.kind != SpanKind::kUnspecified) WriteTag("span.kind", AnyValue::String(std::string(SpanKindName(s.kind))), w);
    if (s.status_code == SpanStatusCode::kError) {
      WriteTag("otel.status_code", AnyValue::String("ERROR"), w);
      WriteTag("error", AnyValue::Bool(true), w);
    } else if (s.status_code == SpanStatusCode::kOk) {
      WriteTag("otel.status_code", AnyValue::String("OK"), w);
    }
    if (!s.status_message.empty()) WriteTag("otel.status_description", AnyValue::String(s.status_message), w);
    if (s.scope != nullptr && !s.scope->name.empty()) {
      WriteTag("otel.scope.name", AnyValue::String(s.scope->name), w);
      if (!s.scope->version.empty()) WriteTag("otel.scope.version", AnyValue::String(s.scope->version), w);
    }
    w->EndArray();
    Key(w, "logs");
    w->StartArray();
    for (const SpanEvent& e : s.events) {
      w->StartObject();
      Key(w, "timestamp");
      w->Uint64(e.time_unix_nano / 1000);
      Key(w, "fields");
      w->StartArray();
      if (!e.name.empty()) WriteTag("event", AnyValue::String(e.name), w);
      for (const KeyValue& kv : e.attributes) WriteTag(kv.key, kv.value, w);
      w->EndArray();
      w->EndObject();
    }
    w->EndArray();
    Key(w, "processID");
    String(w, absl::StrCat("p", process_of(s)));
    Key(w, "warnings");
    w->Null();
    Key(w, "flags");
    w->Uint(s.flags & 0xff);
    w->EndObject();
  }
  w->EndArray();
  Key(w, "processes");
  w->StartObject();
  for (size_t i = 0; i < processes.size(); ++i) {
    Key(w, absl::StrCat("p", i + 1));
    w->StartObject();
    Key(w, "serviceName");
    const AnyValue* svc = FindAttribute(processes[i]->attributes, "service.name");
    String(w, svc != nullptr ? svc->ToString() : "");
    Key(w, "tags");
    w->StartArray();
    for (const KeyValue& kv : processes[i]->attributes) {
      if (kv.key != "service.name") WriteTag(kv.key, kv.value, w);
    }
    w->EndArray();
    w->EndObject();
  }
  w->EndObject();
  Key(w, "warnings");
  w->Null();
  w->EndObject();
}

void JaegerTraceById(traces::TraceStore* store, const std::string& id_text, http::Response* resp) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  int status = 200;
  std::string error;
  absl::StatusOr<TraceId> id = internal::TraceIdFromPath(id_text);
  absl::StatusOr<std::vector<Span>> spans = id.ok() ? store->FindTrace(*id) : id.status();
  if (!spans.ok()) {
    status = !id.ok() ? 400 : absl::IsNotFound(spans.status()) ? 404 : 500;
    error = std::string(SV(spans.status().message()));
  }
  w.StartObject();
  Key(&w, "data");
  if (status == 200) {
    w.StartArray();
    WriteJaegerTrace(*spans, &w);
    w.EndArray();
  } else {
    w.Null();
  }
  Key(&w, "total");
  w.Int(0);
  Key(&w, "limit");
  w.Int(0);
  Key(&w, "offset");
  w.Int(0);
  Key(&w, "errors");
  if (status == 200) {
    w.Null();
  } else {
    w.StartArray();
    w.StartObject();
    Key(&w, "code");
    w.Int(status);
    Key(&w, "msg");
    String(&w, error);
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  internal::Json(buf, resp);
  resp->status = status;
}

}  // namespace vigil::tempoapi
