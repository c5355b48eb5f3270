#include "agent/collector/testing/recording_sink.h"

#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

TEST(RecordingSinkTest, KeepsFamiliesAndSamplesInBothViews) {
  RecordingSink sink;
  sink.Family("m_total", exposition::MetricType::kCounter, "Help.", "seconds");
  Label a[] = {{"id", "/a"}, {"mode", "idle"}, {"empty", ""}};
  sink.Sample(a, 1.5);
  Label b[] = {{"id", "/b"}, {"mode", "idle"}};
  sink.Sample(b, 2);

  ASSERT_EQ(sink.families().count("m_total"), 1u);
  const RecordingSink::RecordedFamily& f = sink.families().at("m_total");
  EXPECT_EQ(f.type, exposition::MetricType::kCounter);
  EXPECT_EQ(f.help, "Help.");
  EXPECT_EQ(f.unit, "seconds");
  EXPECT_EQ(f.starts, 1);
  EXPECT_EQ(f.samples.size(), 2u);
  EXPECT_EQ(sink.Value("m_total", "{id=\"/a\", mode=\"idle\"}"), 1.5);
  EXPECT_EQ(sink.Value("m_total", ""), std::nullopt);

  EXPECT_EQ(sink.Find("m_total", {{"id", "/b"}}), 2);
  EXPECT_EQ(sink.Find("m_total", {{"mode", "idle"}}), std::nullopt);  // two match
  EXPECT_EQ(sink.Count("m_total", {{"mode", "idle"}}), 2);
  EXPECT_EQ(sink.LabelsOf("m_total", "/a"), (RecordingSink::LabelMap{{"id", "/a"}, {"mode", "idle"}}));
  EXPECT_TRUE(sink.errors().empty());
}

TEST(RecordingSinkTest, ReportsMisuse) {
  RecordingSink sink;
  sink.Sample({}, 1);
  sink.Family("g", exposition::MetricType::kGauge, "");
  sink.Sample({}, 1);
  sink.Sample({}, 2);
  sink.Family("g", exposition::MetricType::kCounter, "");
  ASSERT_EQ(sink.errors().size(), 3u);
  EXPECT_EQ(sink.errors()[0], "sample before any family");
  EXPECT_EQ(sink.errors()[1], "g{}: duplicate series");
  EXPECT_EQ(sink.errors()[2], "g: restarted with another type");
  EXPECT_EQ(sink.Value("g", ""), 1);
  EXPECT_EQ(sink.families().at("g").starts, 2);

  sink.Clear();
  EXPECT_TRUE(sink.families().empty());
  EXPECT_TRUE(sink.samples().empty());
  EXPECT_TRUE(sink.errors().empty());
}

}  // namespace
}  // namespace vigil::agent
