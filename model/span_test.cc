#include "model/span.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

TEST(TraceIdTest, HexRoundTrip) {
  absl::StatusOr<TraceId> id = TraceId::FromHex("5B8EFFF798038103D269B633813FC60C");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->Hex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(id->bytes[0], 0x5b);
  EXPECT_EQ(id->bytes[15], 0x0c);
  EXPECT_FALSE(id->IsZero());
  EXPECT_TRUE(TraceId().IsZero());
}

TEST(TraceIdTest, RejectsWrongLengthAndBase64) {
  EXPECT_FALSE(TraceId::FromHex("5b8efff798038103d269b633813fc60").ok());
  EXPECT_FALSE(TraceId::FromHex("").ok());
  EXPECT_FALSE(TraceId::FromHex("zb8efff798038103d269b633813fc60c").ok());
  absl::StatusOr<TraceId> b64 = TraceId::FromHex("W47/95gDgQPSabYzgT/GDA==");
  ASSERT_FALSE(b64.ok());
  EXPECT_EQ(b64.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(b64.status().message(), HasSubstr("not base64"));
}

TEST(TraceIdTest, ShortHexPadsLeft) {
  absl::StatusOr<TraceId> id = TraceId::FromShortHex("463ac35c9f6413ad");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->Hex(), "0000000000000000463ac35c9f6413ad");
  absl::StatusOr<TraceId> odd = TraceId::FromShortHex("abc");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->Hex(), "00000000000000000000000000000abc");
  EXPECT_FALSE(TraceId::FromShortHex("").ok());
  EXPECT_FALSE(TraceId::FromShortHex(std::string(33, 'a')).ok());
}

TEST(TraceIdTest, LongBadValueIsQuotedShort) {
  absl::StatusOr<TraceId> id = TraceId::FromHex(std::string(100000, 'x'));
  ASSERT_FALSE(id.ok());
  EXPECT_LT(id.status().message().size(), 200u);
  EXPECT_THAT(id.status().message(), HasSubstr("100000 bytes"));
}

TEST(TraceIdTest, FromBytes) {
  EXPECT_TRUE(TraceId::FromBytes(std::string(16, '\x01')).ok());
  EXPECT_FALSE(TraceId::FromBytes(std::string(15, '\x01')).ok());
}

TEST(SpanIdTest, HexAndUint64) {
  absl::StatusOr<SpanId> id = SpanId::FromHex("00f067aa0ba902b7");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->Hex(), "00f067aa0ba902b7");
  EXPECT_EQ(id->AsUint64(), 0x00f067aa0ba902b7u);
  EXPECT_FALSE(SpanId::FromHex("00f067aa0ba902b").ok());
  EXPECT_FALSE(SpanId::FromBytes("1234567").ok());
  ASSERT_TRUE(SpanId::FromBytes("12345678").ok());
  EXPECT_EQ(SpanId::FromBytes("12345678")->Hex(), "3132333435363738");
}

TEST(AnyValueTest, TypesAndToString) {
  EXPECT_EQ(AnyValue::String("a").ToString(), "a");
  EXPECT_EQ(AnyValue::Int(-42).ToString(), "-42");
  EXPECT_EQ(AnyValue::Bool(true).ToString(), "true");
  EXPECT_EQ(AnyValue::Double(1.5).ToString(), "1.5");
  EXPECT_EQ(AnyValue::Bytes("\x01\x02").ToString(), "AQI=");
  EXPECT_EQ(AnyValue().ToString(), "");
  AnyValue arr = AnyValue::Array({AnyValue::String("x\"y"), AnyValue::Int(1), AnyValue()});
  EXPECT_EQ(arr.type(), AnyValue::Type::kArray);
  EXPECT_EQ(arr.ToString(), R"(["x\"y",1,null])");
  AnyValue kv = AnyValue::KvList({{"k", AnyValue::Bool(false)}, {"n", std::move(arr)}});
  EXPECT_EQ(kv.ToString(), R"({"k":false,"n":["x\"y",1,null]})");
}

TEST(AnyValueTest, CopyIsDeepAndEqualityIsByValue) {
  AnyValue a = AnyValue::KvList({{"k", AnyValue::Array({AnyValue::Int(1)})}});
  AnyValue b = a;
  EXPECT_EQ(a, b);
  b.mutable_children(AnyValue::Type::kKvList)->push_back({"z", AnyValue::Int(2)});
  EXPECT_NE(a, b);
  EXPECT_EQ(a.children().size(), 1u);
  EXPECT_EQ(AnyValue::Double(std::nan("")), AnyValue::Double(std::nan("")));
  EXPECT_NE(AnyValue::String("a"), AnyValue::Bytes("a"));
}

TEST(AnyValueTest, SettersResetType) {
  AnyValue v = AnyValue::Array({AnyValue::Int(1)});
  v.set_int(7);
  EXPECT_EQ(v.type(), AnyValue::Type::kInt);
  EXPECT_TRUE(v.children().empty());
  *v.mutable_string(AnyValue::Type::kString) = "s";
  EXPECT_EQ(v.type(), AnyValue::Type::kString);
  EXPECT_EQ(v.int_value(), 0);
}

TEST(SpanTest, ServiceNameAndHelpers) {
  Span span;
  EXPECT_EQ(ServiceName(span), "");
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({"host.name", AnyValue::String("h")});
  resource->attributes.push_back({"service.name", AnyValue::String("checkout")});
  span.resource = resource;
  EXPECT_EQ(ServiceName(span), "checkout");
  EXPECT_TRUE(span.is_root());
  span.start_time_unix_nano = 10;
  span.end_time_unix_nano = 25;
  EXPECT_EQ(span.DurationNanos(), 15u);
  span.end_time_unix_nano = 5;
  EXPECT_EQ(span.DurationNanos(), 0u);
  EXPECT_EQ(SpanKindName(SpanKind::kConsumer), "consumer");
  EXPECT_EQ(SpanStatusCodeName(SpanStatusCode::kError), "error");
}

TEST(SpanTest, EqualityComparesResourceByContent) {
  Span a;
  a.name = "x";
  Span b = a;
  EXPECT_EQ(a, b);
  b.resource = std::make_shared<Resource>();  // empty == null
  EXPECT_EQ(a, b);
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({"service.name", AnyValue::String("s")});
  b.resource = r;
  EXPECT_FALSE(a == b);
  a.resource = std::make_shared<Resource>(*r);
  EXPECT_EQ(a, b);
  a.events.push_back(SpanEvent{1, "e", {}, 0});
  EXPECT_FALSE(a == b);
}

TEST(SpanTest, HeapBytesGrowsWithContent) {
  Span span;
  const size_t empty = SpanHeapBytes(span);
  span.attributes.push_back({std::string(100, 'k'), AnyValue::String(std::string(1000, 'v'))});
  EXPECT_GE(SpanHeapBytes(span), empty + 1100);
}

}  // namespace
}  // namespace vigil
