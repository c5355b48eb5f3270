// Checks the generated remote_write messages against bytes fixed by the specification, so a wrong field number
// or type in the .proto files fails here rather than against a real Prometheus.
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "snappy.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::prompb {
namespace {

TEST(RemoteProtoTest, WriteRequestEncodesWithSpecFieldNumbers) {
  WriteRequest req;
  TimeSeries* ts = req.add_timeseries();
  Label* l = ts->add_labels();
  l->set_name("a");
  l->set_value("b");
  Sample* s = ts->add_samples();
  s->set_value(1.0);
  s->set_timestamp(2);
  std::string bytes = req.SerializeAsString();
  // timeseries(1, LEN 21) { labels(1, LEN 6) { name(1)="a" value(2)="b" }
  //                         samples(2, LEN 11) { value(1, fixed64 1.0) timestamp(2, varint 2) } }
  const std::string expected(
      "\x0a\x15"
      "\x0a\x06\x0a\x01"
      "a\x12\x01"
      "b"
      "\x12\x0b\x09\x00\x00\x00\x00\x00\x00\xf0\x3f\x10\x02",
      23);
  EXPECT_EQ(bytes, expected);
}

TEST(RemoteProtoTest, SnappyBlockRoundTripKeepsStaleMarkerBits) {
  WriteRequest req;
  TimeSeries* ts = req.add_timeseries();
  Label* l = ts->add_labels();
  l->set_name("__name__");
  l->set_value("up");
  uint64_t stale_bits = 0x7ff0000000000002ULL;
  double stale;
  static_assert(sizeof(stale) == sizeof(stale_bits));
  std::memcpy(&stale, &stale_bits, sizeof(stale));
  Sample* s = ts->add_samples();
  s->set_value(stale);
  s->set_timestamp(1700000000000);
  MetricMetadata* md = req.add_metadata();
  md->set_type(MetricMetadata::COUNTER);
  md->set_metric_family_name("http_requests_total");
  md->set_help("Requests.");

  std::string compressed;
  snappy::Compress(req.SerializeAsString().data(), req.ByteSizeLong(), &compressed);
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(compressed.data(), compressed.size(), &raw));
  WriteRequest back;
  ASSERT_TRUE(back.ParseFromString(raw));
  ASSERT_EQ(back.timeseries_size(), 1);
  double got = back.timeseries(0).samples(0).value();
  uint64_t got_bits;
  std::memcpy(&got_bits, &got, sizeof(got));
  EXPECT_EQ(got_bits, stale_bits);
  EXPECT_EQ(back.metadata(0).type(), MetricMetadata::COUNTER);
  EXPECT_EQ(back.metadata(0).metric_family_name(), "http_requests_total");
}

TEST(RemoteProtoTest, TruncatedMessageFailsToParse) {
  WriteRequest req;
  req.add_timeseries()->add_labels()->set_name("job");
  std::string bytes = req.SerializeAsString();
  WriteRequest back;
  EXPECT_FALSE(back.ParseFromString(bytes.substr(0, bytes.size() - 1)));
}

}  // namespace
}  // namespace vigil::prompb
