#include "query/functions/over_time.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "model/sample.h"

namespace vigil::query::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

std::vector<Sample> Load(TimestampMs step_ms, const std::vector<double>& values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) out.push_back({static_cast<TimestampMs>(i) * step_ms, values[i]});
  return out;
}

double Avg(const std::vector<double>& v) { return *AvgOverTime(Load(10000, v)); }
double Sum(const std::vector<double>& v) { return *SumOverTime(Load(10000, v)); }

TEST(OverTimeTest, EmptyWindowHasNoOutput) {
  const std::span<const Sample> none;
  EXPECT_FALSE(AvgOverTime(none).has_value());
  EXPECT_FALSE(SumOverTime(none).has_value());
  EXPECT_FALSE(CountOverTime(none).has_value());
  EXPECT_FALSE(MinOverTime(none).has_value());
  EXPECT_FALSE(MaxOverTime(none).has_value());
  EXPECT_FALSE(FirstOverTime(none).has_value());
  EXPECT_FALSE(LastOverTime(none).has_value());
  EXPECT_FALSE(PresentOverTime(none).has_value());
  EXPECT_FALSE(StddevOverTime(none).has_value());
  EXPECT_FALSE(StdvarOverTime(none).has_value());
  EXPECT_FALSE(QuantileOverTime(0.5, none).has_value());
  EXPECT_FALSE(MadOverTime(none).has_value());
  EXPECT_FALSE(TsOfMinOverTime(none).has_value());
  EXPECT_FALSE(TsOfMaxOverTime(none).has_value());
  EXPECT_FALSE(TsOfFirstOverTime(none).has_value());
  EXPECT_FALSE(TsOfLastOverTime(none).has_value());
}

TEST(OverTimeTest, AvgAsFunctionsTest) {
  EXPECT_EQ(Avg({5}), 5);
  EXPECT_EQ(Avg({1, 2, 3, 4, 5}), 3);
  EXPECT_EQ(Avg({1, 2, 3, 4, kInf}), kInf);
  EXPECT_EQ(Avg({1, 2, 3, 4, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(Avg({1, 2, 3, kInf, -kInf})));
  EXPECT_EQ(Avg({kInf, 0, kInf}), kInf);
  EXPECT_TRUE(std::isnan(Avg({kInf, kInf, kInf, -kInf})));
  EXPECT_EQ(Avg({1, 2, 3, -kInf, -kInf}), -kInf);
  EXPECT_EQ(Avg({-kInf, 0, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(Avg({1, 2, -kInf, -kInf, kInf})));
  EXPECT_EQ(Avg({9.988465674311579e+307, 9.988465674311579e+307}), 9.988465674311579e+307);
  EXPECT_EQ(Avg({-9.988465674311579e+307, -9.988465674311579e+307, -9.988465674311579e+307}), -9.988465674311579e+307);
  EXPECT_EQ(Avg({-9.988465674311579e+307, 9.988465674311579e+307}), 0);
  EXPECT_EQ(Avg({1, 2, 3}), 2);
  EXPECT_TRUE(std::isnan(Avg({1, 2, 3, kNaN})));
  EXPECT_EQ(Avg({1, 1e100, 1, -1e100}), 0.5);
}

TEST(OverTimeTest, AvgExtremeValuesAsFunctionsTest) {
  EXPECT_DOUBLE_EQ(Avg({1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6}), 1.6666666666666675e+09);
  EXPECT_NEAR(Avg({5.30921651659898, 0.961118537914768, 1.62091361305318, 0.865089463758091, 0.323055185914577,
                   0.951811357687154}),
              1.67186744582113, 1e-12);
  EXPECT_NEAR(Avg({1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154}), 3.56528E+49, 1e37);
  EXPECT_NEAR(Avg({1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 458.90154}), 3.76333333333333E+219,
              1e206);
  EXPECT_DOUBLE_EQ(Avg({-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 1.78264E+215, -458.90154}),
                   3.225714285714286e+219);
  EXPECT_DOUBLE_EQ(Avg({-1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220, 7.69805412,
                        1.78264E+219, -458.90154}),
                   2.5088888888888888e+219);
  EXPECT_EQ(Avg({-2.258E+220, -1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220,
                 7.69805412, 1.78264E+219, -458.90154}),
            0);
  // 52+0x100: exact equality must hold for any window length.
  for (int n = 10; n <= 13; ++n) EXPECT_EQ(Avg(std::vector<double>(n, 52)), 52) << n;
}

TEST(OverTimeTest, Sum) {
  EXPECT_EQ(Sum({1, 1e100, 1, -1e100}), 2);
  EXPECT_EQ(Sum({9.988465674311579e+307, 9.988465674311579e+307}), kInf);
  EXPECT_TRUE(std::isnan(Sum({kInf, -kInf})));
  EXPECT_EQ(Sum(std::vector<double>(1003, 1)), 1003);
  EXPECT_FALSE(std::signbit(Sum({-0.0})));  // starts from +0, as Prometheus' sum_over_time
  EXPECT_TRUE(std::isnan(Sum({1, kNaN})));
}

TEST(OverTimeTest, CountPresentFirstLast) {
  const auto s = Load(1000, {3, kNaN, 7});
  EXPECT_EQ(*CountOverTime(s), 3);
  EXPECT_EQ(*PresentOverTime(s), 1);
  EXPECT_EQ(*FirstOverTime(s), 3);
  EXPECT_EQ(*LastOverTime(s), 7);
  EXPECT_EQ(*TsOfFirstOverTime(s), 0);
  EXPECT_EQ(*TsOfLastOverTime(s), 2);
}

TEST(OverTimeTest, MinMaxWithNaN) {
  EXPECT_EQ(*MaxOverTime(Load(1000, {kNaN, 1, 3, 2})), 3);
  EXPECT_EQ(*MinOverTime(Load(1000, {kNaN, 1, 3, 2})), 1);
  EXPECT_EQ(*MaxOverTime(Load(1000, {1, kNaN, 0})), 1);
  EXPECT_EQ(*MinOverTime(Load(1000, {1, kNaN, 0})), 0);
  EXPECT_TRUE(std::isnan(*MaxOverTime(Load(1000, {kNaN, kNaN}))));
  EXPECT_EQ(*MaxOverTime(Load(1000, {-kInf, kInf})), kInf);
  EXPECT_EQ(*MinOverTime(Load(1000, {-kInf, kInf})), -kInf);
  // -0 and 0 compare equal, so the first one stays.
  EXPECT_TRUE(std::signbit(*MaxOverTime(Load(1000, {-0.0, 0.0}))));
  EXPECT_FALSE(std::signbit(*MinOverTime(Load(1000, {0.0, -0.0}))));
}

TEST(OverTimeTest, TsOfMinMaxAsFunctionsTest) {
  // load 10s53ms: metric 1 2 3 0 5 6 2 1 4, window (0, 90s].
  std::vector<Sample> s;
  const double v[] = {1, 2, 3, 0, 5, 6, 2, 1, 4};
  for (int i = 0; i < 9; ++i) s.push_back({i * 10053, v[i]});
  std::span<const Sample> w(s.data() + 1, 8);
  EXPECT_DOUBLE_EQ(*TsOfMinOverTime(w), 30.159);
  EXPECT_DOUBLE_EQ(*TsOfMaxOverTime(w), 50.265);
  EXPECT_DOUBLE_EQ(*TsOfLastOverTime(std::span<const Sample>(s.data() + 1, 2)), 20.106);
  // Ties: the newest extreme wins.
  EXPECT_EQ(*TsOfMaxOverTime(Load(1000, {5, 1, 5})), 2);
  EXPECT_EQ(*TsOfMinOverTime(Load(1000, {1, 5, 1})), 2);
  EXPECT_EQ(*TsOfMaxOverTime(Load(1000, {kNaN, 1, kNaN})), 1);
}

TEST(OverTimeTest, StddevStdvar) {
  const auto s = Load(10000, {0, 8, 8, 2, 3});
  EXPECT_NEAR(*StdvarOverTime(s), 10.56, 1e-12);
  EXPECT_NEAR(*StddevOverTime(s), 3.249615, 1e-6);
  const auto same = Load(10000, {1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_EQ(*StdvarOverTime(same), 0);
  EXPECT_EQ(*StddevOverTime(same), 0);
  EXPECT_EQ(*StddevOverTime(Load(1, {1, 1, 1})), 0);
  EXPECT_EQ(*StdvarOverTime(Load(1, {42})), 0);
  EXPECT_TRUE(std::isnan(*StdvarOverTime(Load(1, {1, kInf}))));
  EXPECT_TRUE(std::isnan(*StdvarOverTime(Load(1, {1, kNaN, 2}))));
}

TEST(OverTimeTest, QuantileAsFunctionsTest) {
  const auto two = Load(10000, {0, 1});
  const auto three = Load(10000, {0, 1, 2});
  const auto uneven = Load(10000, {0, 1, 4});
  EXPECT_EQ(*QuantileOverTime(0, uneven), 0);
  EXPECT_EQ(*QuantileOverTime(0.5, two), 0.5);
  EXPECT_EQ(*QuantileOverTime(0.5, three), 1);
  EXPECT_EQ(*QuantileOverTime(0.75, uneven), 2.5);
  EXPECT_DOUBLE_EQ(*QuantileOverTime(0.8, two), 0.8);
  EXPECT_DOUBLE_EQ(*QuantileOverTime(0.8, three), 1.6);
  EXPECT_DOUBLE_EQ(*QuantileOverTime(0.8, uneven), 2.8);
  EXPECT_EQ(*QuantileOverTime(1, uneven), 4);
  EXPECT_EQ(*QuantileOverTime(-1, uneven), -kInf);
  EXPECT_EQ(*QuantileOverTime(2, uneven), kInf);
  EXPECT_TRUE(std::isnan(*QuantileOverTime(kNaN, uneven)));
  // Unsorted input and a reused scratch buffer; NaN sorts first.
  std::vector<double> scratch;
  EXPECT_EQ(*QuantileOverTime(0.5, Load(1, {9, 1, 5}), &scratch), 5);
  EXPECT_EQ(*QuantileOverTime(1, Load(1, {kNaN, 1, 5}), &scratch), 5);
  EXPECT_TRUE(std::isnan(*QuantileOverTime(0, Load(1, {2, kNaN, 1}), &scratch)));
}

TEST(OverTimeTest, MadAsFunctionsTest) {
  EXPECT_EQ(*MadOverTime(Load(10000, {4, 6, 2, 1, 999, 1, 2})), 1);
  EXPECT_EQ(*MadOverTime(Load(10000, {1, 2, 3, 4, 5})), 1);
  EXPECT_EQ(*MadOverTime(Load(10000, {7, 7, 7, 7, 7})), 0);
  EXPECT_EQ(*MadOverTime(Load(10000, {5})), 0);
  EXPECT_TRUE(std::isnan(*MadOverTime(Load(10000, {1, 2, kNaN, 4}))));
}

}  // namespace
}  // namespace vigil::query::functions
