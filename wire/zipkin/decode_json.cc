#include "wire/zipkin/decode_json.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace vigil::wire::zipkin {
namespace {

using otlp::DecodedSpans;
using otlp::DecodeLimits;
using otlp::internal::AssignBoundedUtf8;
using Value = rapidjson::Value;

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string Show(const Value& v) {
  if (v.IsString()) {
    std::string_view s = Str(v);
    if (s.size() > 64) return absl::StrCat("\"", absl::CEscape(std::string(s.substr(0, 64))), "\"...");
    return absl::StrCat("\"", absl::CEscape(std::string(s)), "\"");
  }
  if (v.IsNumber()) return absl::StrCat(v.GetDouble());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  return "null";
}

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits) {}

  absl::Status Spans(const Value& root, DecodedSpans* out) {
    if (!root.IsArray()) {
      return absl::InvalidArgumentError(
          absl::StrCat("want a JSON array of Zipkin v2 spans, got ", Show(root), " (is this a v1 body?)"));
    }
    out->spans.reserve(root.Size());
    int i = 0;
    for (const Value& v : root.GetArray()) {
      VIGIL_RETURN_IF_ERROR(OneSpan(v, i++, out));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Bad(int index, std::string_view field, std::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("spans[", index, "]", field.empty() ? "" : ".", std::string(field), ": ", std::string(why)));
  }

  absl::Status OneSpan(const Value& v, int index, DecodedSpans* out) {
    if (!v.IsObject()) return Bad(index, "", absl::StrCat("want an object, got ", Show(v)));
    Span span;
    bool have_trace = false, have_id = false;
    uint64_t timestamp_us = 0, duration_us = 0;
    std::string service;
    bool has_service = false;
    std::string scope_name, scope_version;
    bool error_tag = false;
    std::string error_message;
    std::string otel_status_code;
    for (const auto& m : v.GetObject()) {
      const std::string_view key = Str(m.name);
      const Value& val = m.value;
      if (val.IsNull()) continue;
      if (key == "traceId") {
        if (!val.IsString() || (val.GetStringLength() != 16 && val.GetStringLength() != 32)) {
          return Bad(index, "traceId", absl::StrCat(Show(val), " is not 16 or 32 hex digits"));
        }
        absl::StatusOr<TraceId> id = TraceId::FromShortHex(Str(val));
        if (!id.ok()) return Bad(index, "traceId", absl::StrCat(Show(val), " is not 16 or 32 hex digits"));
        span.trace_id = *id;
        have_trace = true;
      } else if (key == "id" || key == "parentId") {
        if (!val.IsString()) return Bad(index, key, absl::StrCat("want a hex string, got ", Show(val)));
        if (key == "parentId" && val.GetStringLength() == 0) continue;
        absl::StatusOr<SpanId> id = SpanId::FromHex(Str(val));
        if (!id.ok()) return Bad(index, key, absl::StrCat(Show(val), " is not 16 hex digits"));
        if (key == "id") {
          span.span_id = *id;
          have_id = true;
        } else {
          span.parent_span_id = *id;
        }
      } else if (key == "name") {
        VIGIL_RETURN_IF_ERROR(String(val, index, "name", &span.name));
      } else if (key == "kind") {
        if (!val.IsString()) return Bad(index, "kind", absl::StrCat("want a string, got ", Show(val)));
        const std::string_view k = Str(val);
        if (k == "CLIENT") {
          span.kind = SpanKind::kClient;
        } else if (k == "SERVER") {
          span.kind = SpanKind::kServer;
        } else if (k == "PRODUCER") {
          span.kind = SpanKind::kProducer;
        } else if (k == "CONSUMER") {
          span.kind = SpanKind::kConsumer;
        } else {
          return Bad(index, "kind", absl::StrCat(Show(val), " is not one of CLIENT, SERVER, PRODUCER, CONSUMER"));
        }
      } else if (key == "timestamp") {
        VIGIL_RETURN_IF_ERROR(Micros(val, index, "timestamp", &timestamp_us));
      } else if (key == "duration") {
        VIGIL_RETURN_IF_ERROR(Micros(val, index, "duration", &duration_us));
      } else if (key == "localEndpoint") {
        VIGIL_RETURN_IF_ERROR(Endpoint(val, index, "localEndpoint", "net.host", nullptr, &span));
        if (const Value* sn = Member(val, "serviceName"); sn != nullptr && sn->IsString()) {
          AssignBoundedUtf8(Str(*sn), limits_.max_value_bytes, &service);
          has_service = true;
        }
      } else if (key == "remoteEndpoint") {
        VIGIL_RETURN_IF_ERROR(Endpoint(val, index, "remoteEndpoint", "net.peer", "peer.service", &span));
      } else if (key == "annotations") {
        VIGIL_RETURN_IF_ERROR(Annotations(val, index, &span));
      } else if (key == "tags") {
        if (!val.IsObject()) return Bad(index, "tags", absl::StrCat("want an object, got ", Show(val)));
        for (const auto& t : val.GetObject()) {
          const std::string_view tag = Str(t.name);
          std::string text;
          if (t.value.IsString()) {
            text = std::string(Str(t.value));
          } else if (t.value.IsNumber() || t.value.IsBool()) {
            text = Show(t.value);  // lenient: some clients send numbers and booleans
          } else if (t.value.IsNull()) {
            continue;
          } else {
            return Bad(index, absl::StrCat("tags.", std::string(tag)),
                       absl::StrCat("want a string, got ", Show(t.value)));
          }
          if (tag == "error") {
            error_tag = true;
            if (!text.empty() && text != "true") AssignBoundedUtf8(text, limits_.max_value_bytes, &error_message);
          } else if (tag == "otel.status_code") {
            otel_status_code = text;
          } else if (tag == "otel.status_description") {
            AssignBoundedUtf8(text, limits_.max_value_bytes, &error_message);
          } else if (tag == "otel.scope.name" || tag == "otel.library.name") {
            AssignBoundedUtf8(text, limits_.max_value_bytes, &scope_name);
          } else if (tag == "otel.scope.version" || tag == "otel.library.version") {
            AssignBoundedUtf8(text, limits_.max_value_bytes, &scope_version);
          } else {
            AddAttribute(&span, tag, AnyValue::String(std::move(text)));
          }
        }
      } else if (key == "shared") {
        if (!val.IsBool()) return Bad(index, "shared", absl::StrCat("want a boolean, got ", Show(val)));
        if (val.GetBool()) AddAttribute(&span, "zipkin.shared", AnyValue::Bool(true));
      } else if (key == "debug") {
        if (!val.IsBool()) return Bad(index, "debug", absl::StrCat("want a boolean, got ", Show(val)));
      }
    }
    if (!have_trace) return Bad(index, "traceId", "missing");
    if (!have_id) return Bad(index, "id", "missing");

    if (otel_status_code == "ERROR" || error_tag) {
      span.status_code = SpanStatusCode::kError;
      span.status_message = std::move(error_message);
    } else if (otel_status_code == "OK") {
      span.status_code = SpanStatusCode::kOk;
    }
    if (timestamp_us > std::numeric_limits<uint64_t>::max() / 1000 ||
        duration_us > std::numeric_limits<uint64_t>::max() / 1000 - timestamp_us) {
      return Bad(index, "timestamp", "timestamp plus duration overflows nanoseconds since 1970");
    }
    span.start_time_unix_nano = timestamp_us * 1000;
    span.end_time_unix_nano = (timestamp_us + duration_us) * 1000;
    span.resource = ResourceFor(has_service, service);
    span.scope = ScopeFor(scope_name, scope_version);
    if (timestamp_us == 0) {
      if (out->rejected_spans == 0) out->rejection_message = absl::StrCat("spans[", index, "]: no timestamp");
      ++out->rejected_spans;
      return absl::OkStatus();
    }
    otlp::internal::AcceptOrReject(std::move(span), absl::StrCat("spans[", index, "]"), out);
    return absl::OkStatus();
  }

  static const Value* Member(const Value& obj, const char* name) {
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }

  void AddAttribute(Span* span, std::string_view key, AnyValue value) {
    if (span->attributes.size() >= limits_.max_attributes) {
      ++span->dropped_attributes_count;
      return;
    }
    KeyValue& kv = span->attributes.emplace_back();
    AssignBoundedUtf8(key, limits_.max_value_bytes, &kv.key);
    if (value.type() == AnyValue::Type::kString) {
      AssignBoundedUtf8(value.string_value(), limits_.max_value_bytes,
                        kv.value.mutable_string(AnyValue::Type::kString));
    } else {
      kv.value = std::move(value);
    }
  }

  absl::Status String(const Value& v, int index, std::string_view field, std::string* out) {
    if (!v.IsString()) return Bad(index, field, absl::StrCat("want a string, got ", Show(v)));
    AssignBoundedUtf8(Str(v), limits_.max_value_bytes, out);
    return absl::OkStatus();
  }

  // A non-negative integer number of microseconds.
  absl::Status Micros(const Value& v, int index, std::string_view field, uint64_t* out) {
    if (v.IsUint64()) {
      *out = v.GetUint64();
      return absl::OkStatus();
    }
    if (v.IsDouble() && v.GetDouble() >= 0 && v.GetDouble() < 1.8e19 && std::trunc(v.GetDouble()) == v.GetDouble()) {
      *out = static_cast<uint64_t>(v.GetDouble());
      return absl::OkStatus();
    }
    return Bad(index, field, absl::StrCat(Show(v), " is not a non-negative integer of microseconds"));
  }

  absl::Status Endpoint(const Value& v, int index, std::string_view field, std::string_view prefix,
                        const char* service_attribute, Span* span) {
    if (!v.IsObject()) return Bad(index, field, absl::StrCat("want an object, got ", Show(v)));
    for (const auto& m : v.GetObject()) {
      const std::string_view key = Str(m.name);
      const Value& val = m.value;
      if (val.IsNull()) continue;
      if (key == "serviceName" || key == "ipv4" || key == "ipv6") {
        if (!val.IsString()) {
          return Bad(index, absl::StrCat(std::string(field), ".", std::string(key)),
                     absl::StrCat("want a string, got ", Show(val)));
        }
        if (key == "serviceName") {
          if (service_attribute != nullptr && val.GetStringLength() > 0) {
            AddAttribute(span, service_attribute, AnyValue::String(std::string(Str(val))));
          }
        } else if (val.GetStringLength() > 0) {
          AddAttribute(span, absl::StrCat(std::string(prefix), ".ip"), AnyValue::String(std::string(Str(val))));
        }
      } else if (key == "port") {
        if (!val.IsInt64() || val.GetInt64() < 0 || val.GetInt64() > 65535) {
          return Bad(index, absl::StrCat(std::string(field), ".port"), absl::StrCat(Show(val), " is not a port"));
        }
        if (val.GetInt64() != 0) {
          AddAttribute(span, absl::StrCat(std::string(prefix), ".port"), AnyValue::Int(val.GetInt64()));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Annotations(const Value& v, int index, Span* span) {
    if (!v.IsArray()) return Bad(index, "annotations", absl::StrCat("want an array, got ", Show(v)));
    int i = 0;
    for (const Value& a : v.GetArray()) {
      const std::string field = absl::StrCat("annotations[", i++, "]");
      if (!a.IsObject()) return Bad(index, field, absl::StrCat("want an object, got ", Show(a)));
      if (span->events.size() >= limits_.max_events) {
        ++span->dropped_events_count;
        continue;
      }
      SpanEvent event;
      uint64_t ts = 0;
      if (const Value* t = Member(a, "timestamp"); t != nullptr) {
        VIGIL_RETURN_IF_ERROR(Micros(*t, index, field + ".timestamp", &ts));
      }
      if (ts > std::numeric_limits<uint64_t>::max() / 1000) {
        return Bad(index, field + ".timestamp", "overflows nanoseconds since 1970");
      }
      event.time_unix_nano = ts * 1000;
      if (const Value* val = Member(a, "value"); val != nullptr) {
        VIGIL_RETURN_IF_ERROR(String(*val, index, field + ".value", &event.name));
      }
      span->events.push_back(std::move(event));
    }
    return absl::OkStatus();
  }

  std::shared_ptr<const Resource> ResourceFor(bool has_service, const std::string& service) {
    auto& slot = has_service ? resources_[service] : no_service_;
    if (slot == nullptr) {
      auto r = std::make_shared<Resource>();
      if (has_service) r->attributes.push_back({"service.name", AnyValue::String(service)});
      slot = std::move(r);
    }
    return slot;
  }

  std::shared_ptr<const InstrumentationScope> ScopeFor(const std::string& name, const std::string& version) {
    auto& slot = scopes_[{name, version}];
    if (slot == nullptr) {
      auto s = std::make_shared<InstrumentationScope>();
      s->name = name;
      s->version = version;
      slot = std::move(s);
    }
    return slot;
  }

  const DecodeLimits& limits_;
  std::map<std::string, std::shared_ptr<const Resource>, std::less<>> resources_;
  std::shared_ptr<const Resource> no_service_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const InstrumentationScope>> scopes_;
};

}  // namespace

absl::StatusOr<otlp::DecodedSpans> DecodeSpansJson(std::string_view body, const otlp::DecodeLimits& limits) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON at byte ", doc.GetErrorOffset(), ": ",
                                                   rapidjson::GetParseError_En(doc.GetParseError())));
  }
  otlp::DecodedSpans out;
  Decoder decoder(limits);
  VIGIL_RETURN_IF_ERROR(decoder.Spans(doc, &out));
  return out;
}

}  // namespace vigil::wire::zipkin
