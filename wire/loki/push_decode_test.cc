#include "wire/loki/push_decode.h"

#include <string>

#include "base/http/gzip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "wire/loki/push.pb.h"

namespace vigil::wire::loki {
namespace {

using ::testing::HasSubstr;

constexpr size_t kMax = 1 << 20;

std::string SnappyProto(const logproto::PushRequest& req) {
  std::string raw = req.SerializeAsString();
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

logproto::PushRequest SampleRequest() {
  logproto::PushRequest req;
  logproto::StreamAdapter* s = req.add_streams();
  s->set_labels(R"({app="api", namespace="prod"})");
  logproto::EntryAdapter* e = s->add_entries();
  e->mutable_timestamp()->set_seconds(1700000000);
  e->mutable_timestamp()->set_nanos(123);
  e->set_line("GET /health 200");
  logproto::LabelPairAdapter* md = e->add_structuredmetadata();
  md->set_name("trace_id");
  md->set_value("abc");
  e = s->add_entries();
  e->mutable_timestamp()->set_seconds(1700000001);
  e->set_line(std::string("bin\xff\0ary", 8));
  return req;
}

TEST(DecodeProtobufPushTest, DecodesStreamsEntriesAndMetadata) {
  absl::StatusOr<DecodedPush> p = DecodeProtobufPush(SnappyProto(SampleRequest()), kMax);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->streams.size(), 1u);
  EXPECT_EQ(p->streams[0].labels, (Labels{{"app", "api"}, {"namespace", "prod"}}));
  ASSERT_EQ(p->streams[0].entries.size(), 2u);
  EXPECT_EQ(p->streams[0].entries[0].timestamp_ns, 1700000000000000123);
  EXPECT_EQ(p->streams[0].entries[0].line, "GET /health 200");
  EXPECT_EQ(p->streams[0].entries[0].structured_metadata, (Labels{{"trace_id", "abc"}}));
  EXPECT_EQ(p->streams[0].entries[1].line, std::string("bin\xff\0ary", 8));  // bytes kept as sent
  EXPECT_EQ(p->entries, 2u);
  EXPECT_EQ(p->line_bytes, 15u + 8u);
}

TEST(DecodeProtobufPushTest, Errors) {
  EXPECT_THAT(DecodeProtobufPush("not snappy at all", kMax).status().code(), absl::StatusCode::kInvalidArgument);

  std::string garbage = "\x0a\xff\xff\xff\x0f";  // field 1, length far past the end
  std::string snappy_garbage;
  snappy::Compress(garbage.data(), garbage.size(), &snappy_garbage);
  absl::StatusOr<DecodedPush> p = DecodeProtobufPush(snappy_garbage, kMax);
  EXPECT_THAT(p.status().message(), HasSubstr("not a valid protobuf PushRequest"));

  logproto::PushRequest req = SampleRequest();
  req.mutable_streams(0)->set_labels("{app=\"x\"");
  p = DecodeProtobufPush(SnappyProto(req), kMax);
  EXPECT_THAT(p.status().message(), HasSubstr("stream 0: invalid label string"));

  req = SampleRequest();
  req.mutable_streams(0)->set_labels("{}");
  p = DecodeProtobufPush(SnappyProto(req), kMax);
  EXPECT_THAT(p.status().message(), HasSubstr("at least one label"));

  req = SampleRequest();
  req.mutable_streams(0)->mutable_entries(1)->mutable_timestamp()->set_nanos(-1);
  p = DecodeProtobufPush(SnappyProto(req), kMax);
  EXPECT_THAT(p.status().message(), HasSubstr("stream 0 entry 1: timestamp nanos -1"));

  req = SampleRequest();
  req.mutable_streams(0)->mutable_entries(0)->mutable_structuredmetadata(0)->set_name("bad-name");
  p = DecodeProtobufPush(SnappyProto(req), kMax);
  EXPECT_THAT(p.status().message(), HasSubstr("invalid structured metadata name"));

  p = DecodeProtobufPush(SnappyProto(SampleRequest()), 10);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(DecodeJsonPushTest, DecodesValuesWithAndWithoutMetadata) {
  absl::StatusOr<DecodedPush> p = DecodeJsonPush(R"({"streams":[
      {"stream":{"app":"x","env":"dev"},"values":[["1700000000000000001","hello"],
                                                   ["1700000000000000002","world",{"trace_id":"abc"}]]},
      {"stream":{"app":"y"},"values":[]}]})");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->streams.size(), 2u);
  EXPECT_EQ(p->streams[0].labels, (Labels{{"app", "x"}, {"env", "dev"}}));
  ASSERT_EQ(p->streams[0].entries.size(), 2u);
  EXPECT_EQ(p->streams[0].entries[0].timestamp_ns, 1700000000000000001);
  EXPECT_EQ(p->streams[0].entries[0].line, "hello");
  EXPECT_TRUE(p->streams[0].entries[0].structured_metadata.empty());
  EXPECT_EQ(p->streams[0].entries[1].structured_metadata, (Labels{{"trace_id", "abc"}}));
  EXPECT_EQ(p->entries, 2u);
}

TEST(DecodeJsonPushTest, NumericTimestampIsRefused) {
  absl::StatusOr<DecodedPush> p =
      DecodeJsonPush(R"({"streams":[{"stream":{"app":"x"},"values":[[1700000000000000000,"hello"]]}]})");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("stream 0 entry 0: timestamp must be a string"));
  EXPECT_THAT(p.status().message(), HasSubstr("got a number"));
}

TEST(DecodeJsonPushTest, Errors) {
  struct Case {
    const char* body;
    const char* want;
  } cases[] = {
      {"{", "invalid JSON at byte 1"},
      {"[]", "must be an object"},
      {"{}", "no \"streams\" array"},
      {R"({"streams":[1]})", "stream 0 is not an object"},
      {R"({"streams":[{"values":[]}]})", "no \"stream\" object"},
      {R"({"streams":[{"stream":{"a":1},"values":[]}]})", "label a must have a string value"},
      {R"({"streams":[{"stream":{},"values":[]}]})", "at least one label"},
      {R"({"streams":[{"stream":{"a-b":"x"},"values":[]}]})", "invalid label name"},
      {R"({"streams":[{"stream":{"a":"x"}}]})", "no \"values\" array"},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["1"]]}]})", "stream 0 entry 0: want"},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["1.5","l"]]}]})", "invalid timestamp \"1.5\""},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["99999999999999999999","l"]]}]})", "out of range"},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["1",2]]}]})", "line must be a string"},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["1","l",[]]]}]})", "third element must be an object"},
      {R"({"streams":[{"stream":{"a":"x"},"values":[["1","l",{"k":1}]]}]})", "structured metadata k must have"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DecodedPush> p = DecodeJsonPush(c.body);
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(p.status().message(), HasSubstr(c.want)) << c.body;
  }
}

TEST(ParseNanosStringTest, Range) {
  EXPECT_EQ(*ParseNanosString("0"), 0);
  EXPECT_EQ(*ParseNanosString("-5"), -5);
  EXPECT_EQ(*ParseNanosString("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(*ParseNanosString("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseNanosString("9223372036854775808").ok());
  EXPECT_FALSE(ParseNanosString("").ok());
  EXPECT_FALSE(ParseNanosString("-").ok());
  EXPECT_FALSE(ParseNanosString(" 1").ok());
  EXPECT_FALSE(ParseNanosString("1e9").ok());
}

TEST(DecodePushBodyTest, DispatchesOnContentTypeAndEncoding) {
  const std::string json = R"({"streams":[{"stream":{"app":"x"},"values":[["1","a"]]}]})";
  absl::StatusOr<DecodedPush> p = DecodePushBody("application/json; charset=utf-8", "", json, kMax);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->entries, 1u);

  p = DecodePushBody("Application/JSON", "gzip", *http::GzipCompress(json), kMax);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->entries, 1u);

  // Protobuf for application/x-protobuf, a missing type and anything else; snappy encoding ignored.
  for (const char* type : {"application/x-protobuf", "", "text/plain"}) {
    p = DecodePushBody(type, "snappy", SnappyProto(SampleRequest()), kMax);
    ASSERT_TRUE(p.ok()) << type << ": " << p.status();
    EXPECT_EQ(p->entries, 2u);
  }

  EXPECT_EQ(DecodePushBody("application/json", "br", json, kMax).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DecodePushBody("application/x-protobuf", "gzip", "x", kMax).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DecodePushBody("application/json", "gzip", "not gzip", kMax).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePushBody("application/json", "", json, 10).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodePushBody("application/json", "gzip", *http::GzipCompress(json), 10).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace vigil::wire::loki
