#include "query/lokiapi/params.h"

#include "gtest/gtest.h"

namespace vigil::lokiapi {
namespace {

TEST(ParamsTest, Times) {
  EXPECT_EQ(*ParseLokiTime("4"), 4000000000);
  EXPECT_EQ(*ParseLokiTime("4000000000"), int64_t{4000000000} * 1000000000);  // Loki: <= 1e10 is seconds
  EXPECT_EQ(*ParseLokiTime("10000000001"), 10000000001);
  EXPECT_EQ(*ParseLokiTime("1700000000"), 1700000000000000000);
  EXPECT_EQ(*ParseLokiTime("1700000000000000001"), 1700000000000000001);
  EXPECT_EQ(*ParseLokiTime("1700000000.5"), 1700000000500000000);
  EXPECT_EQ(*ParseLokiTime("2023-11-14T22:13:20Z"), 1700000000000000000);
  EXPECT_EQ(*ParseLokiTime("2023-11-14T22:13:20.000000001Z"), 1700000000000000001);
  EXPECT_EQ(ParseLokiTime("x").status().message(), "strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(*ParseLokiTime("1700000000000000000.9"), 1700000000000000000);
  EXPECT_FALSE(ParseLokiTime("").ok());
}

TEST(ParamsTest, StepsDirectionLimit) {
  EXPECT_EQ(*ParseLokiStep("15000ms"), absl::Seconds(15));
  EXPECT_EQ(*ParseLokiStep("15"), absl::Seconds(15));
  EXPECT_EQ(*ParseLokiStep("0.5"), absl::Milliseconds(500));
  EXPECT_FALSE(ParseLokiStep("soon").ok());
  EXPECT_EQ(*ParseDirection("FORWARD"), tsdb::logs::Direction::kForward);
  EXPECT_EQ(*ParseDirection(""), tsdb::logs::Direction::kBackward);
  EXPECT_FALSE(ParseDirection("up").ok());
  EXPECT_EQ(*ParseLokiLimit(""), kDefaultLimit);
  EXPECT_EQ(*ParseLokiLimit("1000"), 1000u);
  EXPECT_EQ(ParseLokiLimit("0").status().message(), "limit must be a positive value");
  EXPECT_FALSE(ParseLokiLimit("ten").ok());
  EXPECT_EQ(DefaultStep(0, int64_t{3600} * 1000000000), absl::Seconds(14));
  EXPECT_EQ(DefaultStep(0, 1000000000), absl::Seconds(1));
}

TEST(ParamsTest, TimeRangeDefaultsAndOrder) {
  http::Request req;
  absl::Time now = absl::FromUnixSeconds(7200);
  TimeRange r = *ParseTimeRange(req, now);
  EXPECT_EQ(r.end_ns, int64_t{7200} * 1000000000);
  EXPECT_EQ(r.start_ns, int64_t{3600} * 1000000000);
  req.params = {{"start", "x"}};
  EXPECT_EQ(ParseTimeRange(req, now).status().message(),
            "could not parse 'start' parameter: strconv.ParseInt: parsing \"x\": invalid syntax");
  req.params = {{"start", "10"}, {"end", "5"}};
  EXPECT_EQ(ParseTimeRange(req, now).status().message(), "end timestamp must not be before or equal to start time");
}

}  // namespace
}  // namespace vigil::lokiapi
