#include "query/promqltest/series_desc.h"

#include <cmath>

#include "gtest/gtest.h"
#include "model/sample.h"
#include "query/promqltest/compare.h"
#include "query/promqltest/runner.h"

namespace vigil::promqltest {
namespace {

TEST(SeriesDescTest, ExpandsValueItems) {
  absl::StatusOr<SeriesDesc> d =
      ParseSeriesDesc(R"(http_requests{job="api", instance="0"} 0+10x2 _ _x2 1-1x1 stale NaN 3x1)");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->labels.ToString(), R"({__name__="http_requests", instance="0", job="api"})");
  ASSERT_EQ(d->values.size(), 12u);
  EXPECT_EQ(d->values[0].v, 0);
  EXPECT_EQ(d->values[2].v, 20);
  EXPECT_TRUE(d->values[3].omitted);
  EXPECT_TRUE(d->values[4].omitted);
  EXPECT_TRUE(d->values[5].omitted);
  EXPECT_EQ(d->values[6].v, 1);
  EXPECT_EQ(d->values[7].v, 0);
  EXPECT_TRUE(IsStaleNaN(d->values[8].v));
  EXPECT_TRUE(std::isnan(d->values[9].v) && !IsStaleNaN(d->values[9].v));
  EXPECT_EQ(d->values[11].v, 3);
}

TEST(SeriesDescTest, LabelForms) {
  EXPECT_EQ(ParseSeriesDesc("{} 1")->labels.ToString(), "{}");
  EXPECT_EQ(ParseSeriesDesc(R"({"my.metric", a='x'} 1)")->labels.ToString(), R"({__name__="my.metric", a="x"})");
  EXPECT_TRUE(ParseSeriesDesc("m {{schema:0 sum:1}}")->has_histograms);
  EXPECT_FALSE(ParseSeriesDesc("m 0+1.5x").ok());
}

TEST(SeriesDescTest, Durations) {
  EXPECT_EQ(ParseDuration("1h30m"), 5'400'000);
  EXPECT_EQ(ParseDuration("100ms"), 100);
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_FALSE(ParseDuration("1.5m").has_value());
}

TEST(CompareTest, AlmostEqual) {
  EXPECT_TRUE(AlmostEqual(1.0, 1.0 + 1e-9));
  EXPECT_FALSE(AlmostEqual(1.0, 1.001));
  EXPECT_FALSE(AlmostEqual(0.0, 1e-300));
  EXPECT_TRUE(AlmostEqual(std::nan(""), std::nan("")));
  EXPECT_FALSE(AlmostEqual(std::nan(""), StaleNaN()));
}

TEST(RunnerTest, RunsAScript) {
  const char* script = R"(
load 1m
  req_total{job="a"}  0+60x10
  req_total{job="b"}  0 _ 120 stale

eval instant at 10m rate(req_total[5m])
  expect no_warn
  {job="a"} 1

eval range from 0 to 3m step 1m req_total
  req_total{job="a"} 0 60 120 180
  req_total{job="b"} 0 0 120 _

eval instant at 10m req_total
  req_total{job="a"} 7
)";
  FileResult r = RunScript("example.test", script);
  EXPECT_EQ(r.passed, 2) << (r.evals.empty() ? "" : r.evals[0].message);
  EXPECT_EQ(r.failed, 1);
  EXPECT_TRUE(r.errors.empty());
}

}  // namespace
}  // namespace vigil::promqltest
