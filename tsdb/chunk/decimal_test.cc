#include "tsdb/chunk/decimal.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace vigil::tsdb::chunk_internal {
namespace {

double Parse(const char* s) { return std::strtod(s, nullptr); }

TEST(DecimalTest, ExporterValuesHaveTheirPrintedResolution) {
  EXPECT_EQ(MinDecimalExponent(Parse("6547589.29"), 0), 2);
  EXPECT_EQ(MinDecimalExponent(Parse("0.000268484"), 0), 9);
  EXPECT_EQ(MinDecimalExponent(Parse("1626582.296328633"), 0), 9);
  EXPECT_EQ(MinDecimalExponent(Parse("1795298417.9572868"), 0), 7);
  EXPECT_EQ(MinDecimalExponent(Parse("2.3937e-05"), 0), 9);
  EXPECT_EQ(MinDecimalExponent(Parse("68548558848"), 0), 0);
  EXPECT_EQ(MinDecimalExponent(Parse("-125000"), 0), 0);
  EXPECT_EQ(MinDecimalExponent(0.0, 5), 0);
}

TEST(DecimalTest, ConversionIsBitExact) {
  int64_t m;
  ASSERT_TRUE(ToDecimal(Parse("6547589.29"), 2, &m));
  EXPECT_EQ(m, 654758929);
  EXPECT_EQ(std::bit_cast<uint64_t>(FromDecimal(m, 2)), std::bit_cast<uint64_t>(Parse("6547589.29")));
  ASSERT_TRUE(ToDecimal(0.1, 1, &m));
  EXPECT_EQ(m, 1);
  ASSERT_TRUE(ToDecimal(0.1, 5, &m));  // Larger exponents work too.
  EXPECT_EQ(m, 10000);
}

TEST(DecimalTest, FloatArithmeticNoiseNeedsAHighExponent) {
  const double v = 0.1 + 0.2;  // 0.30000000000000004
  const int e = MinDecimalExponent(v, 0);
  EXPECT_EQ(e, 17);
  int64_t m;
  ASSERT_TRUE(ToDecimal(v, e, &m));
  EXPECT_EQ(std::bit_cast<uint64_t>(FromDecimal(m, e)), std::bit_cast<uint64_t>(v));
}

TEST(DecimalTest, SpecialValuesAreNotDecimals) {
  EXPECT_EQ(MinDecimalExponent(-0.0, 0), -1);  // m = 0 would decode as +0.0.
  EXPECT_EQ(MinDecimalExponent(std::numeric_limits<double>::quiet_NaN(), 0), -1);
  EXPECT_EQ(MinDecimalExponent(std::bit_cast<double>(uint64_t{0x7ff0000000000002}), 0), -1);  // Stale marker.
  EXPECT_EQ(MinDecimalExponent(std::numeric_limits<double>::infinity(), 0), -1);
  EXPECT_EQ(MinDecimalExponent(-std::numeric_limits<double>::infinity(), 0), -1);
  EXPECT_EQ(MinDecimalExponent(std::numeric_limits<double>::denorm_min(), 0), -1);
  EXPECT_EQ(MinDecimalExponent(1e300, 0), -1);
  EXPECT_EQ(MinDecimalExponent(18446744073709551616.0, 0), -1);  // 2^64 does not fit an int64 mantissa.
  EXPECT_EQ(MinDecimalExponent(1e-5 / 3.0, 0), -1);              // 17 significant digits after 5 zeros: e would be 21.
  // Every double has a decimal form of at most 17 significant digits, so 1/3 is 0.3333333333333333 (16 digits).
  EXPECT_EQ(MinDecimalExponent(1.0 / 3.0, 0), 16);
}

TEST(DecimalTest, LargeIntegersNearTheLimitsOfDouble) {
  const double two53 = 9007199254740992.0;
  EXPECT_EQ(MinDecimalExponent(two53, 0), 0);
  EXPECT_EQ(MinDecimalExponent(two53 + 2, 0), 0);
  EXPECT_EQ(MinDecimalExponent(-two53 - 2, 9), 0);  // The hint is above the answer and overflows.
  EXPECT_EQ(MinDecimalExponent(9.2e18, 0), 0);
  EXPECT_EQ(MinDecimalExponent(9223372036854775808.0, 0), -1);  // 2^63.
}

TEST(DecimalTest, HintDoesNotChangeTheAnswer) {
  std::mt19937_64 rng(7);
  char buf[64];
  for (int i = 0; i < 20000; ++i) {
    const int digits = static_cast<int>(rng() % 10);
    const int64_t m = static_cast<int64_t>(rng() % 100000000000ULL) * (rng() % 2 ? 1 : -1);
    std::snprintf(buf, sizeof buf, "%.*f", digits, static_cast<double>(m) / std::pow(10.0, digits));
    const double v = Parse(buf);
    const int expected = MinDecimalExponent(v, 0);
    ASSERT_GE(expected, 0) << buf;
    ASSERT_LE(expected, digits) << buf;
    for (int hint = 0; hint <= kMaxDecimalExponent; hint += 3) ASSERT_EQ(MinDecimalExponent(v, hint), expected);
    int64_t got;
    ASSERT_TRUE(ToDecimal(v, expected, &got));
    ASSERT_EQ(std::bit_cast<uint64_t>(FromDecimal(got, expected)), std::bit_cast<uint64_t>(v)) << buf;
  }
}

TEST(DecimalTest, RandomBitPatternsNeverConvertWrongly) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::bit_cast<double>(rng());
    const int e = static_cast<int>(rng() % (kMaxDecimalExponent + 1));
    int64_t m;
    if (ToDecimal(v, e, &m)) {
      ASSERT_EQ(std::bit_cast<uint64_t>(FromDecimal(m, e)), std::bit_cast<uint64_t>(v));
    }
  }
}

}  // namespace
}  // namespace vigil::tsdb::chunk_internal
