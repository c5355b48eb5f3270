#include "wire/zipkin/decode_json.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::wire::zipkin {
namespace {

using ::testing::HasSubstr;

// The example of zipkin2-api.yaml, with an annotation, a shared flag and an error tag.
constexpr char kExample[] = R"([{
  "traceId": "5982fe77008310cc80f1da5e10147517",
  "id": "bd7a977555f6b982",
  "parentId": "a2fb4a1d1a96d312",
  "name": "get /api",
  "kind": "SERVER",
  "timestamp": 1472470996199000,
  "duration": 207000,
  "localEndpoint": {"serviceName": "frontend", "ipv4": "192.168.99.1", "port": 3306},
  "remoteEndpoint": {"serviceName": "browser", "ipv6": "2001:db8::c001", "port": 54321},
  "annotations": [{"timestamp": 1472470996238000, "value": "ws"}],
  "tags": {"http.method": "GET", "http.path": "/api", "error": "timeout"},
  "shared": true,
  "debug": false
}, {
  "traceId": "80f1da5e10147517",
  "id": "0000000000000003",
  "name": "db",
  "timestamp": 1472470996300000,
  "localEndpoint": {"serviceName": "frontend"},
  "tags": {"otel.status_code": "OK", "otel.scope.name": "io.opentelemetry.jdbc", "otel.scope.version": "1.2"}
}])";

TEST(ZipkinDecodeTest, MapsTheExample) {
  absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson(kExample);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->spans.size(), 2u);
  EXPECT_EQ(d->rejected_spans, 0);
  const Span& s = d->spans[0];
  EXPECT_EQ(s.trace_id.Hex(), "5982fe77008310cc80f1da5e10147517");
  EXPECT_EQ(s.span_id.Hex(), "bd7a977555f6b982");
  EXPECT_EQ(s.parent_span_id.Hex(), "a2fb4a1d1a96d312");
  EXPECT_EQ(s.name, "get /api");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.start_time_unix_nano, 1472470996199000000u);
  EXPECT_EQ(s.DurationNanos(), 207000000u);
  EXPECT_EQ(ServiceName(s), "frontend");
  EXPECT_EQ(s.status_code, SpanStatusCode::kError);
  EXPECT_EQ(s.status_message, "timeout");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "ws");
  EXPECT_EQ(s.events[0].time_unix_nano, 1472470996238000000u);
  const AnyValue* v = FindAttribute(s.attributes, "http.method");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, AnyValue::String("GET"));
  EXPECT_EQ(FindAttribute(s.attributes, "error"), nullptr);
  EXPECT_EQ(*FindAttribute(s.attributes, "net.host.ip"), AnyValue::String("192.168.99.1"));
  EXPECT_EQ(*FindAttribute(s.attributes, "net.host.port"), AnyValue::Int(3306));
  EXPECT_EQ(*FindAttribute(s.attributes, "peer.service"), AnyValue::String("browser"));
  EXPECT_EQ(*FindAttribute(s.attributes, "net.peer.ip"), AnyValue::String("2001:db8::c001"));
  EXPECT_EQ(*FindAttribute(s.attributes, "zipkin.shared"), AnyValue::Bool(true));

  const Span& db = d->spans[1];
  EXPECT_EQ(db.trace_id.Hex(), "000000000000000080f1da5e10147517");
  EXPECT_TRUE(db.is_root());
  EXPECT_EQ(db.kind, SpanKind::kUnspecified);
  EXPECT_EQ(db.DurationNanos(), 0u);
  EXPECT_EQ(db.status_code, SpanStatusCode::kOk);
  EXPECT_EQ(db.scope->name, "io.opentelemetry.jdbc");
  EXPECT_EQ(db.scope->version, "1.2");
  EXPECT_TRUE(db.attributes.empty());
  // Spans of one service share one Resource.
  EXPECT_EQ(s.resource.get(), db.resource.get());
}

TEST(ZipkinDecodeTest, ErrorTagTrueHasNoMessage) {
  absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson(
      R"([{"traceId":"80f1da5e10147517","id":"0000000000000003","timestamp":1,"tags":{"error":"true"}}])");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->spans[0].status_code, SpanStatusCode::kError);
  EXPECT_EQ(d->spans[0].status_message, "");
  EXPECT_EQ(ServiceName(d->spans[0]), "");
}

TEST(ZipkinDecodeTest, MissingTimestampDropsTheSpan) {
  absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson(
      R"([{"traceId":"80f1da5e10147517","id":"0000000000000003"},
          {"traceId":"80f1da5e10147517","id":"0000000000000000","timestamp":5},
          {"traceId":"80f1da5e10147517","id":"0000000000000004","timestamp":5}])");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->spans.size(), 1u);
  EXPECT_EQ(d->rejected_spans, 2);
  EXPECT_EQ(d->rejection_message, "spans[0]: no timestamp");
}

TEST(ZipkinDecodeTest, ClearErrors) {
  struct Case {
    std::string body;
    const char* want;
  };
  const std::string ok_ids = R"("traceId":"80f1da5e10147517","id":"0000000000000003","timestamp":1)";
  const Case cases[] = {
      {"{}", "want a JSON array of Zipkin v2 spans"},
      {"[1]", "spans[0]: want an object"},
      {R"([{"id":"0000000000000003"}])", "spans[0].traceId: missing"},
      {R"([{"traceId":"80f1da5e10147517"}])", "spans[0].id: missing"},
      {R"([{"traceId":"80f1da5e1014751","id":"0000000000000003"}])", "traceId: \"80f1da5e1014751\" is not 16 or 32"},
      {R"([{"traceId":"80f1da5e1014751x","id":"0000000000000003"}])", "is not 16 or 32 hex digits"},
      {R"([{"traceId":"80f1da5e10147517","id":"3"}])", "spans[0].id: \"3\" is not 16 hex digits"},
      {absl::StrCat("[{", ok_ids, R"(,"parentId":"xyz"}])"), "spans[0].parentId"},
      {absl::StrCat("[{", ok_ids, R"(,"kind":"INTERNAL"}])"), "kind: \"INTERNAL\" is not one of"},
      {absl::StrCat("[{", ok_ids, R"(,"duration":-5}])"), "duration: -5 is not a non-negative integer"},
      {absl::StrCat(R"([{"traceId":"80f1da5e10147517","id":"0000000000000003","timestamp":"123"}])"),
       "timestamp: \"123\" is not"},
      {absl::StrCat("[{", ok_ids, R"(,"tags":{"a":{"b":1}}}])"), "spans[0].tags.a: want a string"},
      {absl::StrCat("[{", ok_ids, R"(,"localEndpoint":{"port":70000}}])"), "localEndpoint.port: 70000"},
      {absl::StrCat("[{", ok_ids, R"(,"annotations":[{"timestamp":1,"value":5}]}])"), "annotations[0].value"},
      {absl::StrCat("[{", ok_ids, R"(,"timestamp":18446744073709551615}])"), "overflows"},
      {"[{", "malformed JSON at byte"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson(c.body);
    ASSERT_FALSE(d.ok()) << c.body;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(c.want)) << c.body;
  }
}

TEST(ZipkinDecodeTest, LenientTagValuesAndBounds) {
  otlp::DecodeLimits limits;
  limits.max_value_bytes = 10;
  limits.max_attributes = 2;
  absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson(
      R"([{"traceId":"80f1da5e10147517","id":"0000000000000003","timestamp":1,
           "tags":{"n":200,"b":true,"long":"0123456789abcdef"}}])",
      limits);
  ASSERT_TRUE(d.ok()) << d.status();
  const Span& s = d->spans[0];
  ASSERT_EQ(s.attributes.size(), 2u);
  EXPECT_EQ(s.attributes[0].value, AnyValue::String("200"));
  EXPECT_EQ(s.attributes[1].value, AnyValue::String("true"));
  EXPECT_EQ(s.dropped_attributes_count, 1u);
}

TEST(ZipkinDecodeTest, EmptyArrayIsNoSpans) {
  absl::StatusOr<otlp::DecodedSpans> d = DecodeSpansJson("[]");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->spans.empty());
}

}  // namespace
}  // namespace vigil::wire::zipkin
