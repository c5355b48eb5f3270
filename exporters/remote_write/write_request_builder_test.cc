#include "exporters/remote_write/write_request_builder.h"

#include <bit>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "model/sample.h"
#include "snappy.h"
#include "wire/prompb/remote.pb.h"
#include "wire/remote_write/decode.h"

namespace vigil::remote_write {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using LabelList = std::vector<std::pair<std::string, std::string>>;

struct DecodedSeries {
  LabelList labels;
  std::vector<std::pair<int64_t, uint64_t>> samples;  // timestamp, value bits
};

// Decodes a body with the store's decoder (wire/remote_write/decode.h).
std::vector<DecodedSeries> Decode(const EncodedRequest& r) {
  absl::StatusOr<std::string> raw = wire::UncompressSnappy(r.body, 64 << 20);
  EXPECT_TRUE(raw.ok()) << raw.status();
  if (!raw.ok()) return {};
  EXPECT_EQ(raw->size(), r.uncompressed_bytes);
  std::vector<DecodedSeries> out;
  absl::Status s = wire::ForEachTimeSeries(*raw, [&](const wire::TimeSeriesView& ts) {
    DecodedSeries& d = out.emplace_back();
    for (const auto& [n, v] : ts.labels) d.labels.emplace_back(n, v);
    for (const Sample& x : ts.samples) d.samples.emplace_back(x.t, std::bit_cast<uint64_t>(x.v));
    return wire::ValidateLabels(ts.labels);
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

WriteRequestBuilder Builder(LabelList external = {}, size_t max_samples = kDefaultMaxSamplesPerSend) {
  WriteRequestBuilderOptions o;
  o.external_labels = std::move(external);
  o.max_samples_per_send = max_samples;
  absl::StatusOr<WriteRequestBuilder> b = WriteRequestBuilder::Create(std::move(o));
  EXPECT_TRUE(b.ok()) << b.status();
  return std::move(*b);
}

TEST(WriteRequestBuilderTest, SortsLabelsAndAddsExternalLabels) {
  WriteRequestBuilder b = Builder({{"node", "n1"}, {"cluster", "prod"}});
  Label labels[] = {{"job", "node"}, {"__name__", "up"}, {"instance", "a:9100"}};
  ASSERT_TRUE(b.Add(labels, 1700000000123, 1.0).ok());
  std::vector<EncodedRequest> reqs = b.Finish();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].samples, 1u);
  EXPECT_EQ(reqs[0].max_timestamp, 1700000000123);
  std::vector<DecodedSeries> d = Decode(reqs[0]);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(
      d[0].labels,
      (LabelList{{"__name__", "up"}, {"cluster", "prod"}, {"instance", "a:9100"}, {"job", "node"}, {"node", "n1"}}));
  EXPECT_THAT(d[0].samples, ElementsAre(std::make_pair(int64_t{1700000000123}, std::bit_cast<uint64_t>(1.0))));
}

TEST(WriteRequestBuilderTest, SeriesLabelWinsOverExternalLabel) {
  WriteRequestBuilder b = Builder({{"node", "external"}, {"zone", "z1"}});
  Label labels[] = {{"__name__", "m"}, {"node", "own"}};
  ASSERT_TRUE(b.Add(labels, 1, 2).ok());
  std::vector<DecodedSeries> d = Decode(b.Finish()[0]);
  EXPECT_EQ(d[0].labels, (LabelList{{"__name__", "m"}, {"node", "own"}, {"zone", "z1"}}));
}

TEST(WriteRequestBuilderTest, BytesMatchTheGeneratedProtobufClasses) {
  WriteRequestBuilder b = Builder({{"cluster", "c"}});
  prompb::WriteRequest expected;
  for (int i = 0; i < 50; ++i) {
    const std::string name = absl::StrCat("metric_", i % 7);
    const std::string value(static_cast<size_t>(i * 7), 'v');  // Long values need multi-byte lengths.
    Label labels[] = {{"__name__", name}, {"a", "x"}, {"zz", value}};
    const int64_t t = i == 0 ? 0 : (i % 2 ? 1700000000000 + i : -i);
    const double v = i == 1 ? 0.0 : i * 0.5;
    ASSERT_TRUE(b.Add(labels, t, v).ok());
    prompb::TimeSeries* ts = expected.add_timeseries();
    for (const auto& [n, val] : LabelList{{"__name__", name}, {"a", "x"}, {"cluster", "c"}, {"zz", value}}) {
      if (val.empty()) continue;
      prompb::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(val);
    }
    prompb::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  std::vector<EncodedRequest> reqs = b.Finish();
  ASSERT_EQ(reqs.size(), 1u);
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(reqs[0].body.data(), reqs[0].body.size(), &raw));
  prompb::WriteRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(raw));
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(raw, expected.SerializeAsString());
}

TEST(WriteRequestBuilderTest, SplitsAtMaxSamplesPerSendKeepingOrder) {
  WriteRequestBuilder b = Builder({}, 2000);
  for (int i = 0; i < 4500; ++i) {
    const std::string index = absl::StrCat(i);
    Label labels[] = {{"__name__", "m"}, {"i", index}};
    ASSERT_TRUE(b.Add(labels, 1000 + i, i).ok());
  }
  EXPECT_EQ(b.pending_samples(), 4500u);
  std::vector<EncodedRequest> reqs = b.Finish();
  EXPECT_EQ(b.pending_samples(), 0u);
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].samples, 2000u);
  EXPECT_EQ(reqs[1].samples, 2000u);
  EXPECT_EQ(reqs[2].samples, 500u);
  EXPECT_EQ(reqs[2].max_timestamp, 1000 + 4499);
  int next = 0;
  for (const EncodedRequest& r : reqs) {
    std::vector<DecodedSeries> d = Decode(r);
    ASSERT_EQ(d.size(), r.samples);
    for (const DecodedSeries& s : d) {
      ASSERT_EQ(s.labels[1].second, absl::StrCat(next));
      ASSERT_EQ(s.samples[0].first, 1000 + next);
      ++next;
    }
  }
  EXPECT_EQ(next, 4500);
  EXPECT_TRUE(b.Finish().empty());
}

TEST(WriteRequestBuilderTest, KeepsStaleMarkersAndSpecialValuesBitForBit) {
  WriteRequestBuilder b = Builder();
  const double values[] = {StaleNaN(), std::nan(""), -0.0, INFINITY, -INFINITY, 5e-324};
  for (double v : values) {
    Label labels[] = {{"__name__", "m"}};
    ASSERT_TRUE(b.Add(labels, -5, v).ok());
  }
  std::vector<DecodedSeries> d = Decode(b.Finish()[0]);
  ASSERT_EQ(d.size(), std::size(values));
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i].samples[0].second, std::bit_cast<uint64_t>(values[i])) << i;
    EXPECT_EQ(d[i].samples[0].first, -5);
  }
}

TEST(WriteRequestBuilderTest, AddWithNameAndLabelsValueAgreeWithAdd) {
  WriteRequestBuilder b = Builder({{"node", "n1"}});
  Label rest[] = {{"mode", "idle"}, {"cpu", "0"}, {"empty", ""}};
  ASSERT_TRUE(b.AddWithName("node_cpu_seconds_total", rest, 10, 1.5).ok());
  ASSERT_TRUE(b.Add(Labels{{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}}, 10, 1.5).ok());
  Label all[] = {{"mode", "idle"}, {"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"empty", ""}};
  ASSERT_TRUE(b.Add(all, 10, 1.5).ok());
  std::vector<DecodedSeries> d = Decode(b.Finish()[0]);
  ASSERT_EQ(d.size(), 3u);
  const LabelList want = {{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}, {"node", "n1"}};
  for (const DecodedSeries& s : d) EXPECT_EQ(s.labels, want);
}

TEST(WriteRequestBuilderTest, RefusesInvalidSamplesWithoutChangingTheRequest) {
  WriteRequestBuilder b = Builder();
  Label dup[] = {{"__name__", "m"}, {"a", "1"}, {"a", "2"}};
  EXPECT_THAT(b.Add(dup, 1, 1).message(), HasSubstr("duplicate label name \"a\""));
  Label bad_name[] = {{"__name__", "m"}, {"1a", "x"}};
  EXPECT_THAT(b.Add(bad_name, 1, 1).message(), HasSubstr("invalid label name \"1a\""));
  Label no_name[] = {{"a", "x"}};
  EXPECT_THAT(b.Add(no_name, 1, 1).message(), HasSubstr("__name__"));
  Label bad_utf8[] = {{"__name__", "m"}, {"a", "\xff"}};
  EXPECT_THAT(b.Add(bad_utf8, 1, 1).message(), HasSubstr("UTF-8"));
  Label name_twice[] = {{"__name__", "other"}};
  EXPECT_EQ(b.AddWithName("m", name_twice, 1, 1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.pending_samples(), 0u);
  EXPECT_TRUE(b.Finish().empty());
}

TEST(WriteRequestBuilderTest, RefusesBadOptions) {
  WriteRequestBuilderOptions o;
  o.max_samples_per_send = 0;
  EXPECT_EQ(WriteRequestBuilder::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = {};
  o.external_labels = {{"bad-name", "x"}};
  EXPECT_THAT(WriteRequestBuilder::Create(o).status().message(), HasSubstr("bad-name"));
  o.external_labels = {{"a", "1"}, {"a", "2"}};
  EXPECT_THAT(WriteRequestBuilder::Create(o).status().message(), HasSubstr("duplicate"));
  o.external_labels = {{"__name__", "x"}};
  EXPECT_EQ(WriteRequestBuilder::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.external_labels = {{"a", ""}};
  EXPECT_EQ(WriteRequestBuilder::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WriteRequestBuilderTest, SurvivesAMove) {
  WriteRequestBuilder a = Builder({{"cluster", "a-fairly-long-cluster-name-beyond-sso"}, {"n", "x"}});
  WriteRequestBuilder b = std::move(a);
  Label labels[] = {{"__name__", "m"}};
  ASSERT_TRUE(b.Add(labels, 1, 1).ok());
  EXPECT_EQ(Decode(b.Finish()[0])[0].labels,
            (LabelList{{"__name__", "m"}, {"cluster", "a-fairly-long-cluster-name-beyond-sso"}, {"n", "x"}}));
}

}  // namespace
}  // namespace vigil::remote_write
