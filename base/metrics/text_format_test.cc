#include "base/metrics/text_format.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace vigil::metrics {
namespace {

TEST(FormatValueTest, SpecialValues) {
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(FormatValueTest, IntegersWithoutExponentWhereExact) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-0.0), "-0");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(-1), "-1");
  EXPECT_EQ(FormatValue(100), "100");
  EXPECT_EQ(FormatValue(12345678), "12345678");
  EXPECT_EQ(FormatValue(1e15), "1000000000000000");
  EXPECT_EQ(FormatValue(9007199254740992.0), "9007199254740992");  // 2^53
  EXPECT_EQ(FormatValue(-9007199254740992.0), "-9007199254740992");
}

TEST(FormatValueTest, ShortestRoundTripOtherwise) {
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(-0.25), "-0.25");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(1234.5678), "1234.5678");
  EXPECT_EQ(FormatValue(1e-9), "1e-09");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(9007199254740994.0), "9007199254740994");  // Shortest form is still all digits.
  EXPECT_EQ(FormatValue(1e16), "1e+16");
  EXPECT_EQ(FormatValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::min()), "-2.2250738585072014e-308");
}

TEST(FormatValueTest, RoundTrips) {
  for (double v : {0.1, 1e-9, 1e21, 12345678.0, 3.141592653589793, 1.0 / 3, 6.02214076e23, -1e-300}) {
    EXPECT_EQ(std::stod(FormatValue(v)), v) << FormatValue(v);
  }
}

TEST(FormatValueTest, Appends) {
  std::string out = "x ";
  AppendValue(0.5, &out);
  EXPECT_EQ(out, "x 0.5");
}

TEST(EscapeTest, HelpEscapesBackslashAndNewlineOnly) {
  std::string out;
  AppendEscapedHelp("a\\b\nc \"quoted\"\t", &out);
  EXPECT_EQ(out, "a\\\\b\\nc \"quoted\"\t");
}

TEST(EscapeTest, LabelValueEscapesBackslashQuoteAndNewline) {
  std::string out;
  AppendEscapedLabelValue("C:\\dir \"x\"\nnext\u00e9", &out);
  EXPECT_EQ(out, "C:\\\\dir \\\"x\\\"\\nnext\u00e9");
}

}  // namespace
}  // namespace vigil::metrics
