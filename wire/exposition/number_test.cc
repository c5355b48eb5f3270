#include "wire/exposition/number.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace vigil::exposition {
namespace {

double Value(std::string_view text) {
  double v = -12345;
  EXPECT_EQ(ParseValue(text, &v), NumberError::kOk) << text;
  return v;
}

TEST(ParseValueTest, GoFloatSyntax) {
  EXPECT_EQ(Value("0"), 0);
  EXPECT_EQ(Value("42"), 42);
  EXPECT_EQ(Value("-42"), -42);
  EXPECT_EQ(Value("+42"), 42);
  EXPECT_EQ(Value("277.64"), 277.64);
  EXPECT_EQ(Value("1.445497e+06"), 1445497);
  EXPECT_EQ(Value("1e-09"), 1e-09);
  EXPECT_EQ(Value("1E3"), 1000);
  EXPECT_EQ(Value(".5"), 0.5);
  EXPECT_EQ(Value("5."), 5);
  EXPECT_EQ(Value("-0.0"), 0);
  EXPECT_TRUE(std::signbit(Value("-0")));
  EXPECT_EQ(Value("123456789012345678901234567890"), 123456789012345678901234567890.0);
  EXPECT_EQ(Value("9007199254740993"), 9007199254740992.0);  // rounds to nearest even, as Go does
  EXPECT_EQ(Value("1e-400"), 0);                             // underflow is not an error in Go
  EXPECT_EQ(Value("4.9e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(Value("1.7976931348623157e308"), std::numeric_limits<double>::max());
}

TEST(ParseValueTest, Specials) {
  EXPECT_TRUE(std::isnan(Value("NaN")));
  EXPECT_TRUE(std::isnan(Value("nan")));
  EXPECT_EQ(Value("+Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("-Inf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("-infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Value("+INF"), std::numeric_limits<double>::infinity());
}

TEST(ParseValueTest, Rejects) {
  double v = 0;
  for (std::string_view bad : {"",      "+",     "-",   ".",    "e5",   "1e", "1e+", "abc", "1_000",   "0x10",
                               "0x1p3", "1.2.3", "--1", "+NaN", "-NaN", "1 ", " 1",  "1,5", "Infinit", "∞"}) {
    EXPECT_EQ(ParseValue(bad, &v), NumberError::kSyntax) << bad;
  }
  EXPECT_EQ(ParseValue("1e400", &v), NumberError::kRange);
  EXPECT_EQ(ParseValue("-1.8e308", &v), NumberError::kRange);
}

TEST(ParseTimestampTest, Milliseconds) {
  int64_t ms = 0;
  EXPECT_EQ(ParseTimestampMs("1700000000123", &ms), NumberError::kOk);
  EXPECT_EQ(ms, 1700000000123);
  EXPECT_EQ(ParseTimestampMs("-5", &ms), NumberError::kOk);
  EXPECT_EQ(ms, -5);
  EXPECT_EQ(ParseTimestampMs("9223372036854775807", &ms), NumberError::kOk);
  EXPECT_EQ(ms, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseTimestampMs("-9223372036854775808", &ms), NumberError::kOk);
  EXPECT_EQ(ms, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseTimestampMs("9223372036854775808", &ms), NumberError::kRange);
  for (std::string_view bad : {"", "-", "1.5", "1e3", "abc", "0x10", "1 "}) {
    EXPECT_EQ(ParseTimestampMs(bad, &ms), NumberError::kSyntax) << bad;
  }
}

TEST(ParseTimestampTest, Seconds) {
  int64_t ms = 0;
  const auto parse = [&](std::string_view s) {
    ms = -1;
    EXPECT_EQ(ParseTimestampSeconds(s, &ms), NumberError::kOk) << s;
    return ms;
  };
  EXPECT_EQ(parse("1700000000"), 1700000000000);
  EXPECT_EQ(parse("1700000000.1"), 1700000000100);
  EXPECT_EQ(parse("1700000000.123"), 1700000000123);
  EXPECT_EQ(parse("1700000000.1239999"), 1700000000123);
  EXPECT_EQ(parse("1700000000.123001"), 1700000000123);
  EXPECT_EQ(parse("-1.5"), -1500);
  EXPECT_EQ(parse("-0.0009"), 0);
  EXPECT_EQ(parse(".25"), 250);
  EXPECT_EQ(parse("7."), 7000);
  EXPECT_EQ(parse("1.7e9"), 1700000000000);
  EXPECT_EQ(parse("1.7E+09"), 1700000000000);
  EXPECT_EQ(parse("9223372036854775.807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseTimestampSeconds("9223372036854775.808", &ms), NumberError::kRange);
  EXPECT_EQ(ParseTimestampSeconds("99999999999999999999999", &ms), NumberError::kRange);
  EXPECT_EQ(ParseTimestampSeconds("1e300", &ms), NumberError::kRange);
  EXPECT_EQ(ParseTimestampSeconds("NaN", &ms), NumberError::kNotFinite);
  EXPECT_EQ(ParseTimestampSeconds("+Inf", &ms), NumberError::kNotFinite);
  for (std::string_view bad : {"", ".", "-", "abc", "1.2.3", "1_0"}) {
    EXPECT_EQ(ParseTimestampSeconds(bad, &ms), NumberError::kSyntax) << bad;
  }
}

std::string Format(double v) {
  std::string s;
  AppendValue(v, &s);
  return s;
}

TEST(AppendValueTest, Spellings) {
  EXPECT_EQ(Format(0), "0");
  EXPECT_EQ(Format(-0.0), "-0");
  EXPECT_EQ(Format(1), "1");
  EXPECT_EQ(Format(-3), "-3");
  EXPECT_EQ(Format(16000000000), "16000000000");
  EXPECT_EQ(Format(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(Format(1e16), "1e+16");
  EXPECT_EQ(Format(0.1), "0.1");
  EXPECT_EQ(Format(277.64), "277.64");
  EXPECT_EQ(Format(1e-09), "1e-09");
  EXPECT_EQ(Format(0.000592077), "0.000592077");
  EXPECT_EQ(Format(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(Format(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Format(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(AppendValueTest, RoundTripsEveryBitPattern) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (std::isnan(v)) continue;
    const std::string s = Format(v);
    double back = 0;
    ASSERT_EQ(ParseValue(s, &back), NumberError::kOk) << s;
    ASSERT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(v)) << s;
  }
}

// What Prometheus' OpenMetrics parser computes from a timestamp: int64(ParseFloat(s) * 1000).
int64_t PrometheusMs(const std::string& s) { return static_cast<int64_t>(std::strtod(s.c_str(), nullptr) * 1000.0); }

TEST(AppendTimestampSecondsTest, Spellings) {
  const auto format = [](int64_t ms) {
    std::string s;
    AppendTimestampSeconds(ms, &s);
    return s;
  };
  EXPECT_EQ(format(1700000000000), "1700000000");
  EXPECT_EQ(format(1700000000500), "1700000000.5");
  EXPECT_EQ(format(1700000000120), "1700000000.12");
  EXPECT_EQ(format(0), "0");
  EXPECT_EQ(format(-1), "-0.001");
  EXPECT_EQ(format(-1500), "-1.5");
  // Where Prometheus' float conversion would truncate the shortest spelling to the millisecond below (1.001 * 1000
  // is 1000.9999999999999), a sub-millisecond "001" keeps it above.
  EXPECT_EQ(format(1001), "1.001001");
  EXPECT_EQ(PrometheusMs("1.001"), 1000);
  EXPECT_EQ(PrometheusMs("1.001001"), 1001);
  int found = 0;
  for (int64_t ms = 0; ms < 20000; ++ms) found += format(ms).ends_with("001") && ms % 1000 != 1;
  EXPECT_GT(found, 0);
}

TEST(AppendTimestampSecondsTest, ReadsBackExactlyBothWays) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> recent(1000000000000, 4102444800000);  // 2001..2100
  std::uniform_int_distribution<int64_t> wide(-8000000000000, 8000000000000);
  for (int i = 0; i < 300000; ++i) {
    const int64_t ms = (i % 2 == 0) ? recent(rng) : wide(rng);
    std::string s;
    AppendTimestampSeconds(ms, &s);
    int64_t back = 0;
    ASSERT_EQ(ParseTimestampSeconds(s, &back), NumberError::kOk) << s;
    ASSERT_EQ(back, ms) << s;
    ASSERT_EQ(PrometheusMs(s), ms) << s;
  }
}

}  // namespace
}  // namespace vigil::exposition
