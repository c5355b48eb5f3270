#include "wire/loki/push_encode.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wire/loki/label_string.h"
#include "wire/loki/push.pb.h"
#include "wire/loki/push_decode.h"

namespace vigil::wire::loki {
namespace {

TEST(FormatLabelStringTest, RendersSortedQuotedAndParsesBack) {
  Labels l{{"pod", "api-1"}, {"namespace", "prod"}, {"odd", "a\"b\\c\nd\te\x01"}};
  std::string s = FormatLabelString(l);
  EXPECT_EQ(s, R"({namespace="prod", odd="a\"b\\c\nd\te\x01", pod="api-1"})");
  absl::StatusOr<Labels> back = ParseLabelString(s);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, l);
  EXPECT_EQ(FormatLabelString(Labels{}), "{}");
}

TEST(PushEncodeTest, RoundTripsThroughDecoder) {
  std::string invalid_utf8 = "bad \xff\xfe bytes";
  std::vector<PushEntryRef> a = {{1700000000123456789, "first"}, {1700000001000000000, invalid_utf8}, {5, ""}};
  std::vector<PushEntryRef> b = {{-1500000000, "before the epoch"}};
  std::string la = FormatLabelString(Labels{{"namespace", "prod"}, {"stream", "stdout"}});
  std::string lb = FormatLabelString(Labels{{"namespace", "dev"}});
  std::vector<PushStreamRef> streams = {{la, a}, {lb, b}};
  std::string body;
  std::string scratch;
  EncodePushRequestSnappy(streams, &body, &scratch);
  absl::StatusOr<DecodedPush> got = DecodeProtobufPush(body, 1 << 20);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->streams.size(), 2u);
  EXPECT_EQ(got->streams[0].labels, (Labels{{"namespace", "prod"}, {"stream", "stdout"}}));
  ASSERT_EQ(got->streams[0].entries.size(), 3u);
  EXPECT_EQ(got->streams[0].entries[0].timestamp_ns, 1700000000123456789);
  EXPECT_EQ(got->streams[0].entries[0].line, "first");
  EXPECT_EQ(got->streams[0].entries[1].line, invalid_utf8);
  EXPECT_EQ(got->streams[0].entries[2].timestamp_ns, 5);
  EXPECT_EQ(got->streams[0].entries[2].line, "");
  ASSERT_EQ(got->streams[1].entries.size(), 1u);
  EXPECT_EQ(got->streams[1].entries[0].timestamp_ns, -1500000000);
  EXPECT_EQ(got->streams[1].entries[0].line, "before the epoch");
}

TEST(PushEncodeTest, BytesEqualProtobufSerializer) {
  std::vector<PushEntryRef> a = {{1700000000123456789, "x"}, {0, ""}, {-7, "neg"}, {3000000000, "whole second"}};
  std::vector<PushStreamRef> streams = {{R"({a="b"})", a}, {"", {}}};
  std::string mine;
  EncodePushRequest(streams, &mine);

  logproto::PushRequest req;
  for (const PushStreamRef& s : streams) {
    logproto::StreamAdapter* ps = req.add_streams();
    ps->set_labels(std::string(s.labels));
    for (const PushEntryRef& e : s.entries) {
      logproto::EntryAdapter* pe = ps->add_entries();
      int64_t sec = e.timestamp_ns / 1000000000;
      int64_t nanos = e.timestamp_ns % 1000000000;
      if (nanos < 0) {
        nanos += 1000000000;
        sec -= 1;
      }
      pe->mutable_timestamp()->set_seconds(sec);
      pe->mutable_timestamp()->set_nanos(static_cast<int32_t>(nanos));
      pe->set_line(std::string(e.line));
    }
  }
  std::string theirs;
  ASSERT_TRUE(req.SerializeToString(&theirs));
  EXPECT_EQ(mine, theirs);
}

}  // namespace
}  // namespace vigil::wire::loki
