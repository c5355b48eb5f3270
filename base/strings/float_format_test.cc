#include "base/strings/float_format.h"

#include <bit>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

std::string F(double v) {
  std::string out;
  AppendFloat(v, &out);
  return out;
}

TEST(FloatFormatTest, WritesPrometheusForms) {
  EXPECT_EQ(F(0.1), "0.1");
  EXPECT_EQ(F(1e-9), "1e-09");
  EXPECT_EQ(F(1.6e10), "16000000000");
  EXPECT_EQ(F(12345678), "12345678");
  EXPECT_EQ(F(1e21), "1e+21");
  EXPECT_EQ(F(-0.0), "-0");
  EXPECT_EQ(F(0.0), "0");
  EXPECT_EQ(F(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(F(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(F(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(FloatFormatTest, FiniteValuesRoundTripBitForBit) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v)) continue;
    std::string s = F(v);
    EXPECT_EQ(std::bit_cast<uint64_t>(std::strtod(s.c_str(), nullptr)), std::bit_cast<uint64_t>(v)) << s;
  }
}

}  // namespace
}  // namespace vigil
