#include "wire/remote_write/decode.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"

namespace vigil::wire {
namespace {

using ::testing::HasSubstr;

std::string Compress(const prompb::WriteRequest& req) {
  std::string out;
  std::string raw = req.SerializeAsString();
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

prompb::TimeSeries Series(std::initializer_list<std::pair<std::string, std::string>> labels) {
  prompb::TimeSeries ts;
  for (const auto& [n, v] : labels) {
    prompb::Label* l = ts.add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  return ts;
}

TEST(DecodeWriteRequestTest, RoundTrip) {
  prompb::WriteRequest req;
  *req.add_timeseries() = Series({{"__name__", "up"}, {"job", "node"}});
  auto got = DecodeWriteRequest(Compress(req), 1 << 20);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->timeseries(0).labels(1).value(), "node");
}

TEST(DecodeWriteRequestTest, RejectsBadSnappyBadProtobufAndBombs) {
  auto bad_snappy = DecodeWriteRequest("definitely not snappy \xff\xff\xff\xff\xff", 1 << 20);
  EXPECT_EQ(bad_snappy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_snappy.status().message()), HasSubstr("snappy"));

  std::string garbage_proto;
  std::string raw = "\x0a\xff\xff\xff\x0f garbage";
  snappy::Compress(raw.data(), raw.size(), &garbage_proto);
  auto bad_proto = DecodeWriteRequest(garbage_proto, 1 << 20);
  EXPECT_EQ(bad_proto.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_proto.status().message()), HasSubstr("protobuf"));

  std::string big(100000, 'a');
  std::string bomb;
  snappy::Compress(big.data(), big.size(), &bomb);
  auto too_big = DecodeWriteRequest(bomb, 1000);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(too_big.status().message()), HasSubstr("exceeds the limit of 1000 bytes"));
}

TEST(ConvertLabelsTest, AcceptsSortedAndDropsEmptyValues) {
  auto l = ConvertLabels(Series({{"__name__", "up"}, {"empty", ""}, {"job", "x"}}));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->ToString(), "{__name__=\"up\", job=\"x\"}");
}

TEST(ConvertLabelsTest, RejectsWhatTheSpecForbids) {
  struct Case {
    prompb::TimeSeries ts;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {Series({{"job", "x"}, {"__name__", "up"}}), "labels must be sorted by name"},
           {Series({{"__name__", "up"}, {"a", "1"}, {"a", "2"}}), "duplicate label name \"a\""},
           {Series({{"", "x"}}), "empty name"},
           {Series({{"__name__", "up"}, {"bad-name", "x"}}), "invalid label name \"bad-name\""},
           {Series({{"__name__", "up"}, {"v", "\xff\xfe"}}), "not valid UTF-8"},
           {Series({}), "no labels"},
       }) {
    auto got = ConvertLabels(c.ts);
    ASSERT_FALSE(got.ok()) << c.want;
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(c.want));
  }
}

}  // namespace
}  // namespace vigil::wire
