#include "tsdb/traces/span_summary.h"

#include "absl/strings/str_cat.h"
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

SpanSummary PodSpan(int i, uint64_t start) {
  SpanSummary s;
  s.span_id = *SpanId::FromHex(absl::StrCat("00000000000000", i < 10 ? "0" : "", i));
  s.service = "checkout";
  s.name = i % 2 ? "GET /cart" : "SELECT cart";
  s.start_unix_nano = start;
  s.duration_nanos = 1000 + static_cast<uint64_t>(i);
  s.attributes.push_back({AttributeScope::kResource, "k8s.pod.name", AnyValue::String("checkout-7d9f8c6b5-abcde")});
  s.attributes.push_back({AttributeScope::kResource, "k8s.namespace.name", AnyValue::String("shop")});
  s.attributes.push_back({AttributeScope::kSpan, "http.status_code", AnyValue::Int(200 + i % 2)});
  return s;
}

TEST(SpanSummaryTest, StringsAreStoredOncePerRecordAndStartsMayPrecedeTheFirst) {
  std::vector<SpanSummary> spans;
  for (int i = 0; i < 20; ++i) spans.push_back(PodSpan(i, 1'000'000 + static_cast<uint64_t>(i % 3) * 7 - 5 * i));
  std::string bytes;
  EncodeSummaries(spans, &bytes);
  // 20 spans of ~90 bytes of strings each: the strings appear once.
  EXPECT_LT(bytes.size(), 20u * 40);
  std::vector<SpanSummary> back;
  ASSERT_TRUE(DecodeSummaries(bytes, TraceId{}, &back).ok());
  ASSERT_EQ(back.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(back[i].span_id, spans[i].span_id);
    EXPECT_EQ(back[i].start_unix_nano, spans[i].start_unix_nano) << i;
    EXPECT_EQ(back[i].duration_nanos, spans[i].duration_nanos);
    EXPECT_EQ(back[i].name, spans[i].name);
    EXPECT_EQ(back[i].service, "checkout");
    ASSERT_EQ(back[i].attributes.size(), 3u);
    EXPECT_EQ(*back[i].Find(AttributeScope::kSpan, "http.status_code"), AnyValue::Int(200 + i % 2));
    EXPECT_EQ(*back[i].Find(AttributeScope::kResource, "k8s.namespace.name"), AnyValue::String("shop"));
  }
}

TEST(SpanSummaryTest, ReadsRecordsOfTheFirstFormat) {
  // One span as the first format wrote it: count, span id, parent id, service, name, kind, status, start,
  // duration, then one attribute: scope, key, typed value.
  std::string v1;
  v1.push_back(1);
  v1.append("\x11\x12\x13\x14\x15\x16\x17\x18", 8);
  v1.append(8, '\0');
  v1.append(
      "\x03"
      "db1"
      "\x05"
      "query",
      10);
  v1.push_back(2);           // server
  v1.push_back(2);           // error
  v1.append("\xe8\x07", 2);  // 1000
  v1.append("\x0a", 1);      // 10
  v1.push_back(1);
  v1.push_back(1);  // span scope
  v1.append(
      "\x06"
      "db.sys"
      "\x04"
      "spg1",
      12);
  std::vector<SpanSummary> back;
  absl::Status st = DecodeSummaries(v1, TraceId{}, &back);
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].span_id, *SpanId::FromHex("1112131415161718"));
  EXPECT_TRUE(back[0].is_root());
  EXPECT_EQ(back[0].service, "db1");
  EXPECT_EQ(back[0].name, "query");
  EXPECT_EQ(back[0].kind, SpanKind::kServer);
  EXPECT_EQ(back[0].status, SpanStatusCode::kError);
  EXPECT_EQ(back[0].start_unix_nano, 1000u);
  EXPECT_EQ(back[0].duration_nanos, 10u);
  EXPECT_EQ(*back[0].Find(AttributeScope::kSpan, "db.sys"), AnyValue::String("pg1"));
}

TEST(SpanSummaryTest, EveryTruncationIsAnErrorAndAddsNothing) {
  std::vector<SpanSummary> spans = {PodSpan(1, 5000), PodSpan(2, 6000)};
  std::string bytes;
  EncodeSummaries(spans, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<SpanSummary> back;
    EXPECT_FALSE(DecodeSummaries(bytes.substr(0, n), TraceId{}, &back).ok()) << n;
    EXPECT_TRUE(back.empty()) << n;
  }
  // A string index out of the table.
  std::string bad = bytes;
  bad[bad.size() - 1] = 0x7f;
  std::vector<SpanSummary> back;
  EXPECT_FALSE(DecodeSummaries(bad, TraceId{}, &back).ok());
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
