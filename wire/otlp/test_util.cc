#include "wire/otlp/test_util.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace vigil::wire::otlp::testing {
namespace {

TraceId MakeTraceId(uint8_t seed) {
  TraceId id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(seed + i * 7 + 1);
  return id;
}

SpanId MakeSpanId(uint64_t n) {
  SpanId id;
  n += 0x0102030405060708ull;
  for (int i = 7; i >= 0; --i) {
    id.bytes[i] = static_cast<uint8_t>(n & 0xff);
    n >>= 8;
  }
  return id;
}

std::shared_ptr<const Resource> MakeResource(const std::string& service) {
  auto r = std::make_shared<Resource>();
  r->attributes = {
      {"service.name", AnyValue::String(service)},
      {"service.version", AnyValue::String("1.4.2")},
      {"k8s.namespace.name", AnyValue::String("shop")},
      {"k8s.pod.name", AnyValue::String(service + "-7d9f8b6c5-x2x9z")},
      {"telemetry.sdk.language", AnyValue::String("go")},
  };
  return r;
}

}  // namespace

std::vector<Span> TypicalSpans(size_t n) {
  auto scope = std::make_shared<InstrumentationScope>();
  scope->name = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp";
  scope->version = "0.49.0";
  std::shared_ptr<const Resource> resources[2] = {MakeResource("checkout"), MakeResource("payment")};
  std::vector<Span> spans;
  spans.reserve(n);
  const TraceId trace = MakeTraceId(3);
  for (size_t i = 0; i < n; ++i) {
    Span s;
    s.trace_id = trace;
    s.span_id = MakeSpanId(i + 1);
    if (i > 0) s.parent_span_id = MakeSpanId(i / 2 + 1);
    s.flags = 1;
    s.name = absl::StrCat("GET /api/v1/orders/{id}/items/", i % 7);
    s.kind = i % 2 == 0 ? SpanKind::kServer : SpanKind::kClient;
    s.start_time_unix_nano = 1'700'000'000'000'000'000ull + i * 1'000'000;
    s.end_time_unix_nano = s.start_time_unix_nano + 250'000 + i * 100;
    s.attributes = {
        {"http.request.method", AnyValue::String("GET")},
        {"http.route", AnyValue::String("/api/v1/orders/{id}/items")},
        {"url.full", AnyValue::String(absl::StrCat("https://shop.example.com/api/v1/orders/", 1000 + i,
                                                   "/items?page=2&per_page=50"))},
        {"http.response.status_code", AnyValue::Int(i % 11 == 0 ? 500 : 200)},
        {"server.address", AnyValue::String("shop.example.com")},
        {"server.port", AnyValue::Int(443)},
        {"user_agent.original", AnyValue::String("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0")},
        {"sampled", AnyValue::Bool(true)},
        {"queue.wait_ratio", AnyValue::Double(0.125 * static_cast<double>(i % 8))},
    };
    if (i % 3 == 0) {
      s.events.push_back(SpanEvent{s.start_time_unix_nano + 1000,
                                   "cache miss",
                                   {{"cache.key", AnyValue::String(absl::StrCat("orders:", i))}},
                                   0});
    }
    if (i % 11 == 0) {
      s.status_code = SpanStatusCode::kError;
      s.status_message = "upstream returned 500";
    }
    s.resource = resources[i % 2];
    s.scope = scope;
    spans.push_back(std::move(s));
  }
  return spans;
}

Span FullSpan() {
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{"service.name", AnyValue::String("full")}, {"host.id", AnyValue::Bytes("\x00\x01")}};
  resource->dropped_attributes_count = 2;
  resource->schema_url = "https://opentelemetry.io/schemas/1.24.0";
  auto scope = std::make_shared<InstrumentationScope>();
  scope->name = "vigil.test";
  scope->version = "1.0";
  scope->attributes = {{"scope.attr", AnyValue::Int(-1)}};
  scope->dropped_attributes_count = 1;
  scope->schema_url = "https://opentelemetry.io/schemas/1.21.0";

  Span s;
  s.trace_id = MakeTraceId(200);
  s.span_id = MakeSpanId(42);
  s.parent_span_id = MakeSpanId(41);
  s.trace_state = "vendor=a:b,other=c";
  s.flags = 0x301;
  s.name = "full span \xE2\x9C\x93";
  s.kind = SpanKind::kConsumer;
  s.start_time_unix_nano = 18'446'744'073'709'551'000ull;  // near 2^64: int64-as-string must not lose digits
  s.end_time_unix_nano = 18'446'744'073'709'551'615ull;
  s.attributes = {
      {"str", AnyValue::String("v\"al\\ue\n")},
      {"bool", AnyValue::Bool(true)},
      {"int", AnyValue::Int(-9'223'372'036'854'775'807 - 1)},
      {"double", AnyValue::Double(-0.1)},
      {"bytes", AnyValue::Bytes(std::string("\x00\xff\x10", 3))},
      {"array", AnyValue::Array({AnyValue::String("a"), AnyValue::Int(2), AnyValue::Bool(false), AnyValue::Double(3.5),
                                 AnyValue()})},
      {"kvlist", AnyValue::KvList({{"inner", AnyValue::String("x")},
                                   {"nested", AnyValue::KvList({{"deep", AnyValue::Array({AnyValue::Int(1)})}})}})},
      {"empty", AnyValue()},
      {"", AnyValue::String("empty key")},
  };
  s.dropped_attributes_count = 3;
  s.events = {SpanEvent{s.start_time_unix_nano + 5, "exception", {{"exception.type", AnyValue::String("E")}}, 1},
              SpanEvent{s.start_time_unix_nano + 6, "", {}, 0}};
  s.dropped_events_count = 4;
  SpanLink link;
  link.trace_id = MakeTraceId(9);
  link.span_id = MakeSpanId(9);
  link.trace_state = "k=v";
  link.attributes = {{"link.attr", AnyValue::Double(1e300)}};
  link.dropped_attributes_count = 5;
  link.flags = 1;
  s.links = {link};
  s.dropped_links_count = 6;
  s.status_code = SpanStatusCode::kError;
  s.status_message = "boom";
  s.resource = resource;
  s.scope = scope;
  return s;
}

}  // namespace vigil::wire::otlp::testing
