#include "query/api/params.h"

#include "gtest/gtest.h"

namespace vigil::query::api {
namespace {

TEST(ParamsTest, TimeAsFloatSeconds) {
  EXPECT_EQ(*ParseTime("1700000000"), 1700000000000);
  EXPECT_EQ(*ParseTime("1700000000.5"), 1700000000500);
  EXPECT_EQ(*ParseTime("1700000000.1234"), 1700000000123);
  EXPECT_EQ(*ParseTime("1700000000.9996"), 1700000001000);
  EXPECT_EQ(*ParseTime("+4"), 4000);
  EXPECT_EQ(*ParseTime("-1.5"), -1500);
  EXPECT_EQ(*ParseTime("1.7e9"), 1700000000000);
  EXPECT_EQ(*ParseTime("0"), 0);
  // Grafana's exemplar probe sends milliseconds as seconds: far future, but valid.
  EXPECT_EQ(*ParseTime("1700000000000"), 1700000000000000);
}

TEST(ParamsTest, TimeAsRfc3339) {
  EXPECT_EQ(*ParseTime("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseTime("2023-11-14T22:13:20.5Z"), 1700000000500);
  EXPECT_EQ(*ParseTime("2023-11-14T23:13:20.123456789+01:00"), 1700000000123);
}

TEST(ParamsTest, BadTimes) {
  for (const char* s : {"", "abc", "1700000000x", "NaN", "Inf", "2023-11-14", " 1", "1e400", "--1"}) {
    absl::StatusOr<TimestampMs> t = ParseTime(s);
    EXPECT_FALSE(t.ok()) << s;
  }
  EXPECT_EQ(ParseTime("abc").status().message(), "cannot parse \"abc\" to a valid timestamp");
  EXPECT_EQ(ParseTimeParam("start", "x", 0).status().message(),
            "invalid time value for 'start': cannot parse \"x\" to a valid timestamp");
  EXPECT_EQ(*ParseTimeParam("start", "", 42), 42);
}

TEST(ParamsTest, Durations) {
  EXPECT_EQ(*ParseDuration("15"), absl::Seconds(15));
  EXPECT_EQ(*ParseDuration("0.5"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDuration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(*ParseDuration("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDuration("-5"), absl::Seconds(-5));
  EXPECT_EQ(*ParseDuration("0"), absl::ZeroDuration());
  EXPECT_EQ(ParseDuration("5x").status().message(), "cannot parse \"5x\" to a valid duration");
  EXPECT_EQ(ParseDuration("1e300").status().message(),
            "cannot parse \"1e300\" to a valid duration. It overflows int64");
  EXPECT_FALSE(ParseDuration("").ok());
}

TEST(ParamsTest, Limits) {
  EXPECT_EQ(*ParseLimit(""), 0);
  EXPECT_EQ(*ParseLimit("40000"), 40000);
  EXPECT_EQ(ParseLimit("-1").status().message(), "limit must be non-negative");
  EXPECT_EQ(ParseLimit("abc").status().message(), "strconv.Atoi: parsing \"abc\": invalid syntax");
  EXPECT_EQ(ParseLimit("99999999999999999999").status().message(),
            "strconv.Atoi: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(*Atoi("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(Atoi("9223372036854775808").ok());
  EXPECT_FALSE(Atoi("1.5").ok());
  EXPECT_FALSE(Atoi("+").ok());
}

TEST(ParamsTest, UnescapeLabelName) {
  EXPECT_EQ(UnescapeLabelName("job"), "job");
  EXPECT_EQ(UnescapeLabelName("U__a_2e_b"), "a.b");
  EXPECT_EQ(UnescapeLabelName("U__my__label"), "my_label");
  EXPECT_EQ(UnescapeLabelName("U__caf_e9_"), "caf\xc3\xa9");
  EXPECT_EQ(UnescapeLabelName("U___1f600_"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(UnescapeLabelName("U__A_2E_B"), "A.B");
  // Malformed escapes leave the name as it is.
  EXPECT_EQ(UnescapeLabelName("U__a_2e"), "U__a_2e");
  EXPECT_EQ(UnescapeLabelName("U__a_"), "U__a_");
  EXPECT_EQ(UnescapeLabelName("U__a_zz_"), "U__a_zz_");
  EXPECT_EQ(UnescapeLabelName("U__a_d800_"), "U__a_d800_");
  EXPECT_EQ(UnescapeLabelName("U__a_10ffff_"), "U__a_10ffff_");  // six digits: too many, as Prometheus
  EXPECT_EQ(UnescapeLabelName("U__a_fffff_"), "a\xf3\xbf\xbf\xbf");
}

}  // namespace
}  // namespace vigil::query::api
