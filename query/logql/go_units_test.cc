#include "query/logql/go_units.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

TEST(GoUnitsTest, Durations) {
  EXPECT_EQ(*ParseGoDuration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(*ParseGoDuration("-300ms"), -300'000'000);
  EXPECT_EQ(*ParseGoDuration("1us"), 1000);
  EXPECT_EQ(*ParseGoDuration("1µs"), 1000);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  EXPECT_EQ(ParseGoDuration("5").status().message(), "time: missing unit in duration \"5\"");
  EXPECT_EQ(ParseGoDuration("5x").status().message(), "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ParseGoDuration("abc").status().message(), "time: invalid duration \"abc\"");
  EXPECT_EQ(*ParseLokiDuration("1d"), 86'400'000'000'000);
  EXPECT_EQ(*ParseLokiDuration("1.5s"), 1'500'000'000);
}

TEST(GoUnitsTest, Bytes) {
  EXPECT_EQ(*ParseHumanizeBytes("42"), 42u);
  EXPECT_EQ(*ParseHumanizeBytes("1KB"), 1000u);
  EXPECT_EQ(*ParseHumanizeBytes("1kib"), 1024u);
  EXPECT_EQ(*ParseHumanizeBytes("1.5 MB"), 1500000u);
  EXPECT_EQ(*ParseHumanizeBytes("1,000"), 1000u);
  EXPECT_EQ(ParseHumanizeBytes("1XB").status().message(), "unhandled size name: xb");
  EXPECT_FALSE(ParseHumanizeBytes("abc").ok());
}

TEST(GoUnitsTest, Floats) {
  EXPECT_EQ(*ParseGoFloat("1.5e3"), 1500);
  EXPECT_EQ(*ParseGoFloat("-2"), -2);
  EXPECT_TRUE(std::isinf(*ParseGoFloat("+Inf")));
  EXPECT_EQ(ParseGoFloat("0x10").status().message(), "strconv.ParseFloat: parsing \"0x10\": invalid syntax");
  EXPECT_EQ(FormatGoFloat(1), "1");
  EXPECT_EQ(FormatGoFloat(0.5), "0.5");
  EXPECT_EQ(FormatGoFloat(123456), "123456");
  EXPECT_EQ(FormatGoFloat(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloat(-2.5), "-2.5");
}

}  // namespace
}  // namespace vigil::logql
