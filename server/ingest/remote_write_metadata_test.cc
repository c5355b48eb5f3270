#include "server/ingest/remote_write_metadata.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wire/prompb/remote.pb.h"

namespace vigil::server {
namespace {

struct Seen {
  std::string family, help, unit;
  exposition::MetricType type;
};

absl::Status Collect(std::string_view raw, std::vector<Seen>* out) {
  return ForEachMetadata(raw, [&](const MetadataView& m) {
    out->push_back({std::string(m.family), std::string(m.help), std::string(m.unit), m.type});
  });
}

TEST(RemoteWriteMetadataTest, ReadsMetadataAndSkipsSeries) {
  prompb::WriteRequest wr;
  prompb::TimeSeries* ts = wr.add_timeseries();
  prompb::Label* l = ts->add_labels();
  l->set_name("__name__");
  l->set_value("up");
  ts->add_samples()->set_value(1);
  prompb::MetricMetadata* m = wr.add_metadata();
  m->set_type(prompb::MetricMetadata::COUNTER);
  m->set_metric_family_name("http_requests_total");
  m->set_help("Requests.");
  m->set_unit("requests");
  m = wr.add_metadata();
  m->set_type(prompb::MetricMetadata::STATESET);
  m->set_metric_family_name("feature");
  std::vector<Seen> seen;
  ASSERT_TRUE(Collect(wr.SerializeAsString(), &seen).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].family, "http_requests_total");
  EXPECT_EQ(seen[0].type, exposition::MetricType::kCounter);
  EXPECT_EQ(seen[0].help, "Requests.");
  EXPECT_EQ(seen[0].unit, "requests");
  EXPECT_EQ(seen[1].family, "feature");
  EXPECT_EQ(seen[1].type, exposition::MetricType::kStateSet);
  EXPECT_EQ(seen[1].help, "");
}

TEST(RemoteWriteMetadataTest, NoMetadataAndUnknownType) {
  std::vector<Seen> seen;
  ASSERT_TRUE(Collect("", &seen).ok());
  EXPECT_TRUE(seen.empty());
  prompb::WriteRequest wr;
  wr.add_metadata()->set_metric_family_name("x");
  std::string raw = wr.SerializeAsString();
  ASSERT_TRUE(Collect(raw, &seen).ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].type, exposition::MetricType::kUnknown);
}

TEST(RemoteWriteMetadataTest, MalformedIsInvalidArgumentWithOffset) {
  prompb::WriteRequest wr;
  prompb::MetricMetadata* m = wr.add_metadata();
  m->set_metric_family_name("some_family_name");
  m->set_help("help text");
  std::string raw = wr.SerializeAsString();
  std::vector<Seen> seen;
  absl::Status s = Collect(raw.substr(0, raw.size() - 3), &seen);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(std::string(s.message()).find("byte"), std::string::npos) << s;
  // A length-delimited metadata whose inner string overruns it.
  std::string bad =
      "\x1a\x04\x12\x09"
      "abc";
  EXPECT_FALSE(Collect(bad, &seen).ok());
  EXPECT_FALSE(Collect("\xff\xff\xff", &seen).ok());
}

}  // namespace
}  // namespace vigil::server
