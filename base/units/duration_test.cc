#include "base/units/duration.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::units {
namespace {

using ::testing::HasSubstr;

absl::Duration MustParse(std::string_view text) {
  absl::StatusOr<absl::Duration> d = ParsePrometheusDuration(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : absl::ZeroDuration();
}

TEST(ParsePrometheusDurationTest, AcceptsEveryUnitAndCombination) {
  EXPECT_EQ(MustParse("0"), absl::ZeroDuration());
  EXPECT_EQ(MustParse("0s"), absl::ZeroDuration());
  EXPECT_EQ(MustParse("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(MustParse("15s"), absl::Seconds(15));
  EXPECT_EQ(MustParse("5m"), absl::Minutes(5));
  EXPECT_EQ(MustParse("2h"), absl::Hours(2));
  EXPECT_EQ(MustParse("1d"), absl::Hours(24));
  EXPECT_EQ(MustParse("1w"), absl::Hours(24 * 7));
  EXPECT_EQ(MustParse("1y"), absl::Hours(24 * 365));
  EXPECT_EQ(MustParse("1h30m"), absl::Minutes(90));
  EXPECT_EQ(MustParse("2d12h"), absl::Hours(60));
  EXPECT_EQ(MustParse("1y2w3d4h5m6s7ms"), absl::Hours(24 * 365) + absl::Hours(24 * 14) + absl::Hours(24 * 3) +
                                              absl::Hours(4) + absl::Minutes(5) + absl::Seconds(6) +
                                              absl::Milliseconds(7));
  EXPECT_EQ(MustParse("1m500ms"), absl::Milliseconds(60500));
  EXPECT_EQ(MustParse("90m"), absl::Minutes(90));  // Terms need not be normalised.
  EXPECT_EQ(MustParse("007s"), absl::Seconds(7));
}

TEST(ParsePrometheusDurationTest, AcceptsTheLargestValue) {
  EXPECT_EQ(MustParse("9223372036854775807ms"), absl::Milliseconds(9223372036854775807LL));
}

struct RejectCase {
  std::string input;
  std::string reason;
};

class ParsePrometheusDurationRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ParsePrometheusDurationRejectTest, RejectsWithQuotedInputAndReason) {
  const RejectCase& c = GetParam();
  absl::StatusOr<absl::Duration> d = ParsePrometheusDuration(c.input);
  ASSERT_FALSE(d.ok()) << "accepted \"" << c.input << "\" as " << *d;
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("invalid duration \"" + c.input + "\": " + c.reason));
  EXPECT_THAT(d.status().message(), HasSubstr("e.g. \"15s\", \"1h30m\""));
}

INSTANTIATE_TEST_SUITE_P(
    Rejects, ParsePrometheusDurationRejectTest,
    ::testing::Values(RejectCase{"", "empty string"}, RejectCase{"1.5h", "fractions are not allowed"},
                      RejectCase{"1h1h", "unit \"h\" appears more than once"},
                      RejectCase{"30m1h", "unit \"h\" comes after the smaller unit \"m\""},
                      RejectCase{"1ms1s", "unit \"s\" comes after the smaller unit \"ms\""},
                      RejectCase{"-5m", "negative durations are not allowed"},
                      RejectCase{"+5m", "unexpected \"+\" at offset 0"}, RejectCase{"5", "missing unit after \"5\""},
                      RejectCase{"00", "missing unit after \"00\""}, RejectCase{"1h30", "missing unit after \"30\""},
                      RejectCase{"10x", "unknown unit \"x\""}, RejectCase{"5M", "unknown unit \"M\""},
                      RejectCase{"1us", "unknown unit \"us\""}, RejectCase{"h", "unexpected \"h\" at offset 0"},
                      RejectCase{" 5m", "unexpected \" \" at offset 0"},
                      RejectCase{"5m ", "unexpected \" \" at offset 2"},
                      RejectCase{"1h 30m", "unexpected \" \" at offset 2"},
                      RejectCase{"9223372036854775808ms", "out of range"}, RejectCase{"300000000y", "out of range"},
                      RejectCase{"99999999999999999999999s", "out of range"},
                      RejectCase{"292471208y1000d", "out of range"}, RejectCase{"292471209y", "out of range"}));

TEST(FormatPrometheusDurationTest, Canonical) {
  EXPECT_EQ(FormatPrometheusDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(FormatPrometheusDuration(absl::Milliseconds(1)), "1ms");
  EXPECT_EQ(FormatPrometheusDuration(absl::Seconds(15)), "15s");
  EXPECT_EQ(FormatPrometheusDuration(absl::Minutes(90)), "1h30m");
  EXPECT_EQ(FormatPrometheusDuration(absl::Milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(60)), "2d12h");
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(24 * 14)), "2w");
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(24 * 90)), "90d");  // Not "12w6d".
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(24 * 365)), "1y");
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(24 * 366)), "366d");
  EXPECT_EQ(FormatPrometheusDuration(absl::Hours(24 * 7) + absl::Seconds(1)), "7d1s");
}

TEST(FormatPrometheusDurationTest, EdgeCases) {
  EXPECT_EQ(FormatPrometheusDuration(absl::Microseconds(999)), "0s");
  EXPECT_EQ(FormatPrometheusDuration(absl::Microseconds(1999)), "1ms");
  EXPECT_EQ(FormatPrometheusDuration(-absl::Minutes(90)), "-1h30m");
  EXPECT_EQ(FormatPrometheusDuration(absl::InfiniteDuration()), "inf");
  EXPECT_EQ(FormatPrometheusDuration(-absl::InfiniteDuration()), "-inf");
  EXPECT_EQ(FormatPrometheusDuration(absl::Milliseconds(9223372036854775807LL)), "106751991167d7h12m55s807ms");
  EXPECT_EQ(FormatPrometheusDuration(absl::Seconds(9223372036854775807LL)), "106751991167d7h12m55s807ms");
  EXPECT_EQ(FormatPrometheusDuration(absl::Milliseconds(-9223372036854775807LL - 1)), "-106751991167d7h12m55s808ms");
}

TEST(FormatPrometheusDurationTest, RoundTripsThroughTheParser) {
  for (absl::Duration d :
       {absl::ZeroDuration(), absl::Milliseconds(1), absl::Milliseconds(999), absl::Seconds(59), absl::Minutes(61),
        absl::Hours(25), absl::Hours(24 * 7), absl::Hours(24 * 8), absl::Hours(24 * 365 * 3),
        absl::Hours(24 * 365) + absl::Milliseconds(1), absl::Milliseconds(123456789012345)}) {
    const std::string text = FormatPrometheusDuration(d);
    EXPECT_EQ(MustParse(text), d) << text;
  }
  for (std::string_view text : {"1h30m", "2w", "15s", "1y", "90d", "1d1ms"}) {
    EXPECT_EQ(FormatPrometheusDuration(MustParse(text)), text);
  }
}

}  // namespace
}  // namespace vigil::units
