#include "wire/otlp/encode.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wire/otlp/test_util.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::wire::otlp {
namespace {

namespace pbc = ::opentelemetry::proto::collector::trace::v1;

// protobuf's own serializer writes fields in number order and omits proto3 defaults but keeps set oneof members
// and present sub-messages; parsing our bytes and serializing them again must give the same bytes.
void ExpectCanonical(const std::vector<Span>& spans) {
  const std::string ours = EncodeTracesProto(spans);
  pbc::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(ours));
  EXPECT_EQ(parsed.SerializeAsString(), ours);
}

TEST(EncodeTracesProtoTest, BytesEqualProtobufsSerializer) {
  std::vector<Span> spans = testing::TypicalSpans(20);
  spans.push_back(testing::FullSpan());
  ExpectCanonical(spans);
}

TEST(EncodeTracesProtoTest, DefaultsEmptyValuesAndMissingResourceOrScope) {
  Span bare;  // No resource, no scope, zero times, no name.
  bare.trace_id.bytes[0] = 1;
  bare.span_id.bytes[0] = 2;
  Span defaults = bare;
  defaults.span_id.bytes[0] = 3;
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({"", AnyValue()});            // Empty key, empty value.
  resource->attributes.push_back({"zero", AnyValue::Int(0)});  // A oneof member at its default.
  resource->attributes.push_back({"no", AnyValue::Bool(false)});
  resource->attributes.push_back({"empty", AnyValue::String("")});
  defaults.resource = resource;
  defaults.scope = std::make_shared<InstrumentationScope>();  // Present but empty.
  defaults.status_message = "only a message";
  ExpectCanonical({bare, defaults});
  pbc::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(EncodeTracesProto(std::vector<Span>{bare, defaults})));
  ASSERT_EQ(parsed.resource_spans_size(), 2);
  EXPECT_FALSE(parsed.resource_spans(0).has_resource());
  EXPECT_TRUE(parsed.resource_spans(1).has_resource());
  EXPECT_TRUE(parsed.resource_spans(1).scope_spans(0).has_scope());
  EXPECT_EQ(parsed.resource_spans(1).resource().attributes(1).value().value_case(),
            ::opentelemetry::proto::common::v1::AnyValue::kIntValue);
  EXPECT_EQ(parsed.resource_spans(1).scope_spans(0).spans(0).status().message(), "only a message");
  EXPECT_TRUE(EncodeTracesProto({}).empty());
}

}  // namespace
}  // namespace vigil::wire::otlp
