#include "wire/otlp/decode_proto.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/test_util.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::wire::otlp {
namespace {

using ::testing::HasSubstr;
namespace pb = ::opentelemetry::proto::trace::v1;
namespace pbc = ::opentelemetry::proto::collector::trace::v1;

std::vector<Span> TestSpans() {
  std::vector<Span> spans = testing::TypicalSpans(20);
  spans.push_back(testing::FullSpan());
  return spans;
}

// A request with one valid span, built with the generated classes (the reference encoder).
pbc::ExportTraceServiceRequest OneSpanRequest() {
  pbc::ExportTraceServiceRequest req;
  pb::ResourceSpans* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("svc");
  pb::Span* span = rs->add_scope_spans()->add_spans();
  span->set_trace_id(std::string(16, '\x11'));
  span->set_span_id(std::string(8, '\x22'));
  span->set_name("op");
  span->set_start_time_unix_nano(1000);
  span->set_end_time_unix_nano(2000);
  return req;
}

TEST(DecodeTracesProtoTest, RoundTripsEveryField) {
  const std::vector<Span> spans = TestSpans();
  const std::string body = EncodeTracesProto(spans);
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected_spans, 0);
  ASSERT_EQ(decoded->spans.size(), spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    // The encoder groups by resource, so order is by group; find by span id.
    bool found = false;
    for (const Span& d : decoded->spans) {
      if (d.span_id == spans[i].span_id && d.trace_id == spans[i].trace_id) {
        EXPECT_EQ(d, spans[i]) << "span " << i;
        found = true;
      }
    }
    EXPECT_TRUE(found) << "span " << i;
  }
  // Re-encoding the decoded spans gives the same bytes.
  EXPECT_EQ(EncodeTracesProto(decoded->spans), body);
}

TEST(DecodeTracesProtoTest, SpansOfOneResourceShareIt) {
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(EncodeTracesProto(testing::TypicalSpans(6)));
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->spans.size(), 6u);
  EXPECT_EQ(decoded->spans[0].resource.get(), decoded->spans[1].resource.get());
  EXPECT_NE(decoded->spans[0].resource.get(), decoded->spans[5].resource.get());
  EXPECT_EQ(ServiceName(decoded->spans[0]), "checkout");
  EXPECT_EQ(ServiceName(decoded->spans[5]), "payment");
}

TEST(DecodeTracesProtoTest, MatchesGeneratedParserOnReferenceRequest) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->spans.size(), 1u);
  const Span& s = decoded->spans[0];
  EXPECT_EQ(s.trace_id.Hex(), "11111111111111111111111111111111");
  EXPECT_EQ(s.span_id.Hex(), "2222222222222222");
  EXPECT_TRUE(s.is_root());
  EXPECT_EQ(s.name, "op");
  EXPECT_EQ(s.DurationNanos(), 1000u);
  EXPECT_EQ(ServiceName(s), "svc");
  // And the other way: what we encode, protobuf parses to the same message.
  pbc::ExportTraceServiceRequest reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(EncodeTracesProto(decoded->spans)));
  EXPECT_EQ(reparsed.resource_spans(0).scope_spans(0).spans(0).name(), "op");
  EXPECT_EQ(reparsed.resource_spans(0).resource().attributes(0).value().string_value(), "svc");
}

TEST(DecodeTracesProtoTest, EmptyBodyIsNoSpans) {
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto("");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->spans.empty());
}

TEST(DecodeTracesProtoTest, ResourceAfterSpansStillApplies) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  // Serialize scope_spans (field 2) before resource (field 1) by hand.
  const pb::ResourceSpans& rs = req.resource_spans(0);
  std::string scope = rs.scope_spans(0).SerializeAsString();
  std::string resource = rs.resource().SerializeAsString();
  std::string rs_bytes;
  rs_bytes += '\x12';
  rs_bytes += static_cast<char>(scope.size());
  rs_bytes += scope;
  rs_bytes += '\x0a';
  rs_bytes += static_cast<char>(resource.size());
  rs_bytes += resource;
  std::string body = "\x0a" + std::string(1, static_cast<char>(rs_bytes.size())) + rs_bytes;
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->spans.size(), 1u);
  EXPECT_EQ(ServiceName(decoded->spans[0]), "svc");
}

TEST(DecodeTracesProtoTest, WrongIdLengthsAreMalformed) {
  struct Case {
    const char* what;
    void (*mutate)(pb::Span*);
  };
  const Case cases[] = {
      {"trace_id", [](pb::Span* s) { s->set_trace_id(std::string(15, '\x01')); }},
      {"span_id", [](pb::Span* s) { s->set_span_id(std::string(9, '\x01')); }},
      {"parent_span_id", [](pb::Span* s) { s->set_parent_span_id(std::string(4, '\x01')); }},
      {"link trace_id", [](pb::Span* s) { s->add_links()->set_trace_id(std::string(32, 'a')); }},
  };
  for (const Case& c : cases) {
    pbc::ExportTraceServiceRequest req = OneSpanRequest();
    c.mutate(req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0));
    absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString());
    ASSERT_FALSE(decoded.ok()) << c.what;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(decoded.status().message(), HasSubstr(c.what));
    EXPECT_THAT(decoded.status().message(), HasSubstr("at byte"));
  }
}

TEST(DecodeTracesProtoTest, MissingOrZeroIdsRejectSpanOnly) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  pb::ScopeSpans* ss = req.mutable_resource_spans(0)->mutable_scope_spans(0);
  *ss->add_spans() = ss->spans(0);
  ss->mutable_spans(1)->clear_trace_id();
  *ss->add_spans() = ss->spans(0);
  ss->mutable_spans(2)->set_span_id(std::string(8, '\0'));
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->spans.size(), 1u);
  EXPECT_EQ(decoded->rejected_spans, 2);
  EXPECT_THAT(decoded->rejection_message, HasSubstr("resource_spans[0].scope_spans[0].spans[1]"));
  EXPECT_THAT(decoded->rejection_message, HasSubstr("trace id"));
}

TEST(DecodeTracesProtoTest, HugeValuesAreBoundedAndExtraAttributesCounted) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  pb::Span* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  span->set_name(std::string(100'000, 'n'));
  for (int i = 0; i < 10; ++i) {
    auto* kv = span->add_attributes();
    kv->set_key("k" + std::to_string(i));
    kv->mutable_value()->set_string_value(std::string(1 << 20, 'v'));
  }
  span->set_dropped_attributes_count(7);
  DecodeLimits limits;
  limits.max_value_bytes = 1000;
  limits.max_attributes = 4;
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString(), limits);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const Span& s = decoded->spans[0];
  EXPECT_EQ(s.name.size(), 1000u);
  ASSERT_EQ(s.attributes.size(), 4u);
  EXPECT_EQ(s.attributes[3].value.string_value().size(), 1000u);
  EXPECT_EQ(s.dropped_attributes_count, 7u + 6u);
}

TEST(DecodeTracesProtoTest, ExtraEventsAndLinksAreCounted) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  pb::Span* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  for (int i = 0; i < 5; ++i) {
    span->add_events()->set_name("e");
    pb::Span::Link* l = span->add_links();
    l->set_trace_id(std::string(16, '\x05'));
    l->set_span_id(std::string(8, '\x06'));
  }
  DecodeLimits limits;
  limits.max_events = 2;
  limits.max_links = 3;
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString(), limits);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->spans[0].events.size(), 2u);
  EXPECT_EQ(decoded->spans[0].dropped_events_count, 3u);
  EXPECT_EQ(decoded->spans[0].links.size(), 3u);
  EXPECT_EQ(decoded->spans[0].dropped_links_count, 2u);
}

TEST(DecodeTracesProtoTest, DeepNestingIsMalformed) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  pb::Span* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  auto* v = span->add_attributes()->mutable_value();
  for (int i = 0; i < 20; ++i) v = v->mutable_array_value()->add_values();
  v->set_int_value(1);
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req.SerializeAsString());
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("nested more than 16"));
}

TEST(DecodeTracesProtoTest, InvalidUtf8IsRepairedNotRefused) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  std::string body = req.SerializeAsString();
  const size_t at = body.find("op");
  ASSERT_NE(at, std::string::npos);
  body[at] = '\xff';
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->spans[0].name, "\xEF\xBF\xBDp");
}

TEST(DecodeTracesProtoTest, UnknownFieldsEnumsAndWireTypesAreTolerated) {
  pbc::ExportTraceServiceRequest req = OneSpanRequest();
  pb::Span* span = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  span->set_kind(static_cast<pb::Span::SpanKind>(42));
  span->mutable_status()->set_code(static_cast<pb::Status::StatusCode>(9));
  std::string span_bytes = span->SerializeAsString();
  // Unknown field 99 (varint), field 5 (name) as a varint (wrong wire type), an unknown group.
  span_bytes += std::string("\x98\x06\x01", 3);
  span_bytes += std::string("\x28\x07", 2);
  span_bytes += std::string("\xa3\x06\x08\x01\xa4\x06", 6);
  pbc::ExportTraceServiceRequest req2 = OneSpanRequest();
  pb::Span* target = req2.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  ASSERT_TRUE(target->ParseFromString(span_bytes));  // protobuf accepts it too
  absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(req2.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->spans[0].kind, SpanKind::kUnspecified);
  EXPECT_EQ(decoded->spans[0].status_code, SpanStatusCode::kUnset);
  EXPECT_EQ(decoded->spans[0].name, "op");
}

TEST(DecodeTracesProtoTest, BadProtobufIsMalformed) {
  const std::string good = OneSpanRequest().SerializeAsString();
  for (const std::string& body : {std::string("\x0a\xff\xff\xff\xff\x0f", 6), std::string("garbage!"),
                                  good.substr(0, good.size() - 3), std::string("\x0a\x02\x12\x05", 4)}) {
    absl::StatusOr<DecodedSpans> decoded = DecodeTracesProto(body);
    ASSERT_FALSE(decoded.ok()) << absl::CEscape(body);
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(decoded.status().message(), HasSubstr("malformed protobuf at byte"));
  }
}

}  // namespace
}  // namespace vigil::wire::otlp
