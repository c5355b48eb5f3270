#include "tsdb/traces/span_summary.h"

#include "gtest/gtest.h"

namespace vigil::traces {
namespace {

TEST(SpanSummaryTest, RoundTripsWithIndexedAttributesOnly) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({"service.name", AnyValue::String("checkout")});
  resource->attributes.push_back({"k8s.pod.name", AnyValue::String("pod-1")});
  Span span;
  span.trace_id = *TraceId::FromHex("0102030405060708090a0b0c0d0e0f10");
  span.span_id = *SpanId::FromHex("1112131415161718");
  span.name = "GET /x";
  span.kind = SpanKind::kServer;
  span.status_code = SpanStatusCode::kError;
  span.start_time_unix_nano = 1000;
  span.end_time_unix_nano = 5000;
  span.attributes.push_back({"http.status_code", AnyValue::Int(503)});
  span.attributes.push_back({"ratio", AnyValue::Double(0.5)});
  span.attributes.push_back({"secret", AnyValue::String("not indexed")});
  span.resource = resource;
  IndexedAttributeKeys keys{.resource = {"k8s.pod.name"}, .span = {"http.status_code", "ratio"}};
  SpanSummary s = SummarizeSpan(span, keys);
  EXPECT_EQ(s.service, "checkout");
  EXPECT_EQ(s.duration_nanos, 4000u);
  ASSERT_EQ(s.attributes.size(), 3u);

  std::string bytes;
  EncodeSummaries({s, s}, &bytes);
  std::vector<SpanSummary> back;
  ASSERT_TRUE(DecodeSummaries(bytes, span.trace_id, &back).ok());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].trace_id, span.trace_id);
  EXPECT_EQ(back[1].span_id, span.span_id);
  EXPECT_EQ(back[1].name, "GET /x");
  EXPECT_EQ(back[1].kind, SpanKind::kServer);
  EXPECT_EQ(back[1].status, SpanStatusCode::kError);
  EXPECT_EQ(back[1].start_unix_nano, 1000u);
  ASSERT_NE(back[1].Find(AttributeScope::kSpan, "http.status_code"), nullptr);
  EXPECT_EQ(*back[1].Find(AttributeScope::kSpan, "http.status_code"), AnyValue::Int(503));
  EXPECT_EQ(*back[1].Find(AttributeScope::kSpan, "ratio"), AnyValue::Double(0.5));
  EXPECT_EQ(*back[1].Find(AttributeScope::kResource, "k8s.pod.name"), AnyValue::String("pod-1"));
  EXPECT_EQ(back[1].Find(AttributeScope::kSpan, "secret"), nullptr);
}

TEST(SpanSummaryTest, CorruptInputNamesTheOffset) {
  std::string bytes;
  SpanSummary s;
  s.name = "x";
  EncodeSummaries({s}, &bytes);
  std::vector<SpanSummary> back;
  absl::Status st = DecodeSummaries(bytes.substr(0, 12), TraceId{}, &back);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("at byte"), absl::string_view::npos) << st;
  EXPECT_FALSE(DecodeSummaries(bytes + "x", TraceId{}, &back).ok());
}

TEST(SpanSummaryTest, TagValuesKeepTheirType) {
  for (const AnyValue& v : {AnyValue::String("a b"), AnyValue::Int(-7), AnyValue::Double(1.5), AnyValue::Bool(true)}) {
    std::string e;
    AppendTagValue(v, &e);
    AnyValue back;
    ASSERT_TRUE(ParseTagValue(e, &back).ok()) << e;
    EXPECT_EQ(back, v) << e;
  }
  AnyValue out;
  EXPECT_FALSE(ParseTagValue("x1", &out).ok());
  EXPECT_FALSE(ParseTagValue("iabc", &out).ok());
}

}  // namespace
}  // namespace vigil::traces
