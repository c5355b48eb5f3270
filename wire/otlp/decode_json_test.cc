#include "wire/otlp/decode_json.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/encode_json.h"
#include "wire/otlp/test_util.h"

namespace vigil::wire::otlp {
namespace {

using ::testing::HasSubstr;

// A request with one span; `span_fields` are extra members of the span object, `attrs` its attribute list.
std::string Request(std::string_view span_fields, std::string_view attrs = "[]") {
  return absl::StrCat(
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},)",
      R"("scopeSpans":[{"scope":{"name":"lib","version":"2"},"spans":[{)",
      R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"op",)",
      R"("startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",)", R"("attributes":)",
      std::string(attrs), std::string(span_fields), "}]}]}]}");
}

absl::StatusOr<Span> DecodeOne(const std::string& body) {
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(body);
  if (!d.ok()) return d.status();
  if (d->spans.size() != 1) return absl::InternalError(absl::StrCat(d->spans.size(), " spans"));
  return d->spans[0];
}

TEST(DecodeTracesJsonTest, DecodesTheSpecExample) {
  absl::StatusOr<Span> s = DecodeOne(Request(R"(,"kind":2,"parentSpanId":"","status":{"code":2,"message":"m"})"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->trace_id.Hex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(s->span_id.Hex(), "eee19b7ec3c1b174");
  EXPECT_TRUE(s->is_root());
  EXPECT_EQ(s->name, "op");
  EXPECT_EQ(s->kind, SpanKind::kServer);
  EXPECT_EQ(s->start_time_unix_nano, 1544712660000000000u);
  EXPECT_EQ(s->DurationNanos(), 1000000000u);
  EXPECT_EQ(s->status_code, SpanStatusCode::kError);
  EXPECT_EQ(s->status_message, "m");
  EXPECT_EQ(ServiceName(*s), "svc");
  EXPECT_EQ(s->scope->name, "lib");
  EXPECT_EQ(s->scope->version, "2");
}

TEST(DecodeTracesJsonTest, EveryAttributeType) {
  absl::StatusOr<Span> s = DecodeOne(Request("", R"([
    {"key":"s","value":{"stringValue":"x\u00e9\n"}},
    {"key":"b","value":{"boolValue":true}},
    {"key":"i_str","value":{"intValue":"-9223372036854775808"}},
    {"key":"i_num","value":{"intValue":42}},
    {"key":"d","value":{"doubleValue":1.25}},
    {"key":"d_nan","value":{"doubleValue":"NaN"}},
    {"key":"d_inf","value":{"doubleValue":"-Infinity"}},
    {"key":"d_str","value":{"doubleValue":"2.5"}},
    {"key":"by","value":{"bytesValue":"AP8Q"}},
    {"key":"by_url","value":{"bytesValue":"_-8"}},
    {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"},{},null]}}},
    {"key":"kv","value":{"kvlistValue":{"values":[{"key":"in","value":{"boolValue":false}}]}}},
    {"key":"empty","value":{}},
    {"key":"novalue"}
  ])"));
  ASSERT_TRUE(s.ok()) << s.status();
  const std::vector<KeyValue>& a = s->attributes;
  ASSERT_EQ(a.size(), 14u);
  EXPECT_EQ(a[0].value, AnyValue::String("x\xC3\xA9\n"));
  EXPECT_EQ(a[1].value, AnyValue::Bool(true));
  EXPECT_EQ(a[2].value, AnyValue::Int(INT64_MIN));
  EXPECT_EQ(a[3].value, AnyValue::Int(42));
  EXPECT_EQ(a[4].value, AnyValue::Double(1.25));
  EXPECT_TRUE(std::isnan(a[5].value.double_value()));
  EXPECT_EQ(a[6].value, AnyValue::Double(-INFINITY));
  EXPECT_EQ(a[7].value, AnyValue::Double(2.5));
  EXPECT_EQ(a[8].value, AnyValue::Bytes(std::string("\x00\xff\x10", 3)));
  EXPECT_EQ(a[9].value, AnyValue::Bytes(std::string("\xff\xef", 2)));
  EXPECT_EQ(a[10].value, AnyValue::Array({AnyValue::String("a"), AnyValue::Int(1), AnyValue(), AnyValue()}));
  EXPECT_EQ(a[11].value, AnyValue::KvList({{"in", AnyValue::Bool(false)}}));
  EXPECT_TRUE(a[12].value.empty());
  EXPECT_TRUE(a[13].value.empty());
}

TEST(DecodeTracesJsonTest, EnumsAsNamesAndInt64AsNumbers) {
  absl::StatusOr<Span> s = DecodeOne(absl::StrCat(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",)",
      R"("spanId":"eee19b7ec3c1b174","kind":"SPAN_KIND_CONSUMER","startTimeUnixNano":1544712660000000000,)",
      R"("endTimeUnixNano":1.5e9,"status":{"code":"STATUS_CODE_OK"},"flags":257}]}]}]})"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, SpanKind::kConsumer);
  EXPECT_EQ(s->status_code, SpanStatusCode::kOk);
  EXPECT_EQ(s->start_time_unix_nano, 1544712660000000000u);
  EXPECT_EQ(s->end_time_unix_nano, 1500000000u);
  EXPECT_EQ(s->flags, 257u);
}

TEST(DecodeTracesJsonTest, UnknownAndSnakeCaseKeysAreIgnored) {
  absl::StatusOr<Span> s = DecodeOne(Request(R"(,"future":{"x":[1,2]},"span_kind":3,"parent_span_id":"zz","kind":1)"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, SpanKind::kInternal);
  EXPECT_TRUE(s->is_root());
}

TEST(DecodeTracesJsonTest, Base64IdsAreRefused) {
  // The standard proto3 JSON mapping would write the ids of the spec example as base64: OTLP forbids it.
  const std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==",)"
                           R"("spanId":"7uGbfsPBsXQ=","name":"op"}]}]}]})";
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(body);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("resourceSpans[0].scopeSpans[0].spans[0].traceId"));
  EXPECT_THAT(d.status().message(), HasSubstr("hex, not base64"));
}

TEST(DecodeTracesJsonTest, WrongIdLengthsAreRefused) {
  for (const char* field : {R"(,"traceId":"5b8efff798038103d269b633813fc6")", R"(,"spanId":"eee19b7ec3c1b1")",
                            R"(,"parentSpanId":"eee19b7ec3c1b17400")", R"(,"spanId":"eee19b7ec3c1b17g")",
                            R"(,"links":[{"traceId":"abc","spanId":"eee19b7ec3c1b174"}])"}) {
    absl::StatusOr<DecodedSpans> d = DecodeTracesJson(Request(field));
    ASSERT_FALSE(d.ok()) << field;
    EXPECT_THAT(d.status().message(), HasSubstr("hex digits")) << field;
  }
}

TEST(DecodeTracesJsonTest, EmptyIdsRejectTheSpanOnly) {
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(Request(R"(,"traceId":"")"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->spans.empty());
  EXPECT_EQ(d->rejected_spans, 1);
  EXPECT_THAT(d->rejection_message, HasSubstr("resourceSpans[0].scopeSpans[0].spans[0]: trace id"));
}

TEST(DecodeTracesJsonTest, WrongTypesNameThePath) {
  struct Case {
    std::string body;
    const char* want;
  };
  const Case cases[] = {
      {"[]", "want an object"},
      {R"({"resourceSpans":{}})", "resourceSpans: want an array"},
      {Request(R"(,"name":5)"), "spans[0].name: want a string, got a number"},
      {Request(R"(,"startTimeUnixNano":"12x")"), "startTimeUnixNano: \"12x\" is not a decimal integer"},
      {Request(R"(,"startTimeUnixNano":-1)"), "startTimeUnixNano: -1 is out of range"},
      {Request(R"(,"startTimeUnixNano":1.5)"), "is not an integer"},
      {Request(R"(,"droppedAttributesCount":"4294967296")"), "out of range"},
      {Request(R"(,"kind":"SERVER")"), "kind: \"SERVER\" is neither an enum number"},
      {Request("", R"([{"key":"a","value":{"intValue":"9223372036854775808"}}])"), "attributes[0].value.intValue"},
      {Request("", R"([{"key":"a","value":{"boolValue":"true"}}])"), "boolValue: want a boolean"},
      {Request("", R"([{"key":"a","value":{"bytesValue":"!!"}}])"), "is not base64"},
      {Request("", R"([{"key":"a","value":{"arrayValue":[]}}])"), "arrayValue: want an object"},
      {Request("", R"({"key":"a"})"), "attributes: want an array"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DecodedSpans> d = DecodeTracesJson(c.body);
    ASSERT_FALSE(d.ok()) << c.body;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(c.want)) << c.body;
  }
}

TEST(DecodeTracesJsonTest, MalformedJsonGivesOffset) {
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(R"({"resourceSpans":[}")");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("malformed JSON at byte 18"));
  EXPECT_FALSE(DecodeTracesJson("{} trailing").ok());
  EXPECT_FALSE(DecodeTracesJson("").ok());
}

TEST(DecodeTracesJsonTest, DeepDocumentsDoNotRecurse) {
  std::string deep(1'000'000, '[');
  EXPECT_FALSE(DecodeTracesJson(deep).ok());
  std::string nested = "{\"stringValue\":\"x\"}";
  for (int i = 0; i < 40; ++i) nested = absl::StrCat(R"({"arrayValue":{"values":[)", nested, "]}}");
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(Request("", absl::StrCat(R"([{"key":"a","value":)", nested, "}]")));
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("nested more than 16 levels"));
}

TEST(DecodeTracesJsonTest, HugeValuesAreBounded) {
  DecodeLimits limits;
  limits.max_value_bytes = 100;
  limits.max_attributes = 2;
  std::string attrs = "[";
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&attrs, i ? "," : "", R"({"key":"k","value":{"stringValue":")", std::string(100'000, 'x'), "\"}}");
  }
  attrs += "]";
  absl::StatusOr<DecodedSpans> d = DecodeTracesJson(Request(R"(,"droppedAttributesCount":1)", attrs), limits);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->spans[0].attributes.size(), 2u);
  EXPECT_EQ(d->spans[0].attributes[0].value.string_value().size(), 100u);
  EXPECT_EQ(d->spans[0].dropped_attributes_count, 4u);
}

TEST(DecodeTracesJsonTest, JsonAndProtobufOfOneRequestDecodeEqually) {
  std::vector<Span> spans = testing::TypicalSpans(10);
  spans.push_back(testing::FullSpan());
  absl::StatusOr<DecodedSpans> from_json = DecodeTracesJson(EncodeTracesJson(spans));
  absl::StatusOr<DecodedSpans> from_proto = DecodeTracesProto(EncodeTracesProto(spans));
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  ASSERT_TRUE(from_proto.ok()) << from_proto.status();
  ASSERT_EQ(from_json->spans.size(), spans.size());
  ASSERT_EQ(from_proto->spans.size(), spans.size());
  for (size_t i = 0; i < spans.size(); ++i) EXPECT_EQ(from_json->spans[i], from_proto->spans[i]) << i;
  // FullSpan uses every field: it survives JSON unchanged.
  EXPECT_EQ(from_json->spans.back(), spans.back());
}

TEST(EncodeJsonTest, WritesOtlpJsonConventions) {
  Span s = testing::FullSpan();
  std::string json = EncodeTracesJson({&s, 1});
  EXPECT_THAT(json, HasSubstr(absl::StrCat("\"traceId\":\"", s.trace_id.Hex(), "\"")));
  EXPECT_THAT(json, HasSubstr("\"startTimeUnixNano\":\"18446744073709551000\""));
  EXPECT_THAT(json, HasSubstr("\"kind\":5"));
  EXPECT_THAT(json, HasSubstr(R"({"key":"int","value":{"intValue":"-9223372036854775808"}})"));
  EXPECT_THAT(json, HasSubstr(R"("bytesValue":"AP8Q")"));
  std::string v;
  AppendAnyValueJson(AnyValue::Double(NAN), &v);
  EXPECT_EQ(v, R"({"doubleValue":"NaN"})");
}

}  // namespace
}  // namespace vigil::wire::otlp
