#include "query/functions/range.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "model/sample.h"

namespace vigil::query::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr TimestampMs kMin = 60 * 1000;

// Samples at 0, step, 2*step, ... with the given values (the test files' `load <step>` lines).
std::vector<Sample> Load(TimestampMs step_ms, const std::vector<double>& values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) out.push_back({static_cast<TimestampMs>(i) * step_ms, values[i]});
  return out;
}

// The test files' "a+bxN" notation: N+1 values.
std::vector<double> Seq(double a, double b, int n) {
  std::vector<double> v;
  for (int i = 0; i <= n; ++i) v.push_back(a + b * i);
  return v;
}

std::vector<double> Concat(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The samples in the left-open window (start, end].
std::vector<Sample> Window(const std::vector<Sample>& s, TimestampMs start, TimestampMs end) {
  std::vector<Sample> out;
  for (const Sample& x : s) {
    if (x.t > start && x.t <= end) out.push_back(x);
  }
  return out;
}

std::optional<double> Rate(const std::vector<Sample>& s, TimestampMs at, TimestampMs range) {
  return ExtrapolatedRate(Window(s, at - range, at), at - range, at, true, true);
}
std::optional<double> Increase(const std::vector<Sample>& s, TimestampMs at, TimestampMs range) {
  return ExtrapolatedRate(Window(s, at - range, at), at - range, at, true, false);
}
std::optional<double> Delta(const std::vector<Sample>& s, TimestampMs at, TimestampMs range) {
  return ExtrapolatedRate(Window(s, at - range, at), at - range, at, false, false);
}

TEST(ExtrapolatedRateTest, IncreaseAsFunctionsTest) {
  const auto foo = Load(5 * kMin, Seq(0, 10, 10));
  const auto bar = Load(5 * kMin, Concat(Seq(0, 18, 5), Seq(0, 18, 5)));
  const auto dings = Load(5 * kMin, Seq(10, 10, 10));
  const auto bumms = Load(5 * kMin, Seq(1, 10, 10));
  EXPECT_DOUBLE_EQ(*Increase(foo, 50 * kMin, 50 * kMin), 100);
  EXPECT_DOUBLE_EQ(*Increase(bar, 50 * kMin, 50 * kMin), 160);
  EXPECT_DOUBLE_EQ(*Increase(dings, 50 * kMin, 50 * kMin), 100);
  EXPECT_DOUBLE_EQ(*Increase(bumms, 50 * kMin, 50 * kMin), 100);
  // Zero-point clamp: "dings" may extrapolate half an interval, "bumms" only 30s.
  EXPECT_DOUBLE_EQ(*Increase(foo, 50 * kMin, 100 * kMin), 100);
  EXPECT_DOUBLE_EQ(*Increase(bar, 50 * kMin, 100 * kMin), 162);
  EXPECT_DOUBLE_EQ(*Increase(dings, 50 * kMin, 100 * kMin), 105);
  EXPECT_DOUBLE_EQ(*Increase(bumms, 50 * kMin, 100 * kMin), 101);
}

TEST(ExtrapolatedRateTest, CounterResetAddsPreviousValue) {
  const auto s = Load(5 * kMin, {0, 1, 2, 3, 2, 3, 4});
  EXPECT_DOUBLE_EQ(*Increase(s, 30 * kMin, 30 * kMin), 7);
}

TEST(ExtrapolatedRateTest, RateAsFunctionsTest) {
  const auto middle = Load(5 * kMin, Concat(Seq(0, 27, 4), Seq(0, 27, 5)));
  const auto end = Load(5 * kMin, Concat(Seq(0, 10, 9), {0, 10}));
  EXPECT_DOUBLE_EQ(*Rate(middle, 50 * kMin, 50 * kMin), 0.08);
  EXPECT_FALSE(Rate(end, 50 * kMin, 5 * kMin).has_value());  // one sample
  EXPECT_DOUBLE_EQ(*Rate(end, 50 * kMin, 6 * kMin), 0);
  const auto window = Load(5 * kMin, Seq(0, 80, 10));
  EXPECT_DOUBLE_EQ(*Rate(window, 50 * kMin, 50 * kMin), 0.26666666666666666);
  // rate(x[10m] offset 5m) at 50m: the window is (35m, 45m], and the rate still divides by 10m.
  const auto a = Load(5 * kMin, Seq(0, 10, 10));
  EXPECT_EQ(*ExtrapolatedRate(Window(a, 35 * kMin, 45 * kMin), 35 * kMin, 45 * kMin, true, true), 0.03333333333333333);
}

TEST(ExtrapolatedRateTest, ZeroCutoff) {
  const double want_at_10m[] = {0.5, 0.55, 0.6, 0.6, 0.6, 0.6};
  for (int start = 0; start < 6; ++start) {
    const auto s = Load(4 * kMin, Seq(60.0 * start, 240, 10));
    EXPECT_NEAR(*Rate(s, 10 * kMin, 20 * kMin), want_at_10m[start], 1e-12) << start;
    EXPECT_NEAR(*Rate(s, 50 * kMin, 20 * kMin), 0.6, 1e-12) << start;
  }
}

TEST(ExtrapolatedRateTest, Delta) {
  EXPECT_DOUBLE_EQ(*Delta(Load(5 * kMin, {0, 50, 100, 150, 200}), 20 * kMin, 20 * kMin), 200);
  EXPECT_DOUBLE_EQ(*Delta(Load(5 * kMin, {200, 150, 100, 50, 0}), 20 * kMin, 20 * kMin), -200);
  // A gauge extrapolates below zero; a counter stops at its zero point (1s before the first sample here).
  const auto g = Load(10000, {1, 11, 21});
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(g, -9000, 20000, false, false), 29);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(g, -9000, 20000, true, false), 21);
  // Gaps beyond 1.1 intervals extrapolate by half an interval only: (20 + 5 + 10) / 20.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(g, -20000, 30000, false, false), 35);
}

TEST(ExtrapolatedRateTest, PartialSeriesExtrapolatesHalfAnInterval) {
  // Samples every 10s from 20s to 40s in (0, 60s]: both gaps exceed 1.1 intervals, so extrapolate 5s each way.
  const std::vector<Sample> s = {{20000, 2}, {30000, 3}, {40000, 4}};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 60000, false, false), 2 * 30.0 / 20);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 60000, false, true), 2 * 30.0 / 20 / 60);
}

TEST(ExtrapolatedRateTest, EmptyAndSingle) {
  EXPECT_FALSE(ExtrapolatedRate({}, 0, 60000, true, true).has_value());
  const std::vector<Sample> one = {{30000, 5}};
  EXPECT_FALSE(ExtrapolatedRate(one, 0, 60000, true, true).has_value());
}

TEST(ExtrapolatedRateTest, NaNAndInf) {
  const std::vector<Sample> nan = {{10000, 1}, {20000, std::nan("")}, {30000, 3}};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(nan, 0, 30000, false, false), 3);  // delta ignores the middle
  EXPECT_TRUE(std::isnan(*ExtrapolatedRate({nan.data() + 1, 2}, 10000, 30000, true, false)));
  const std::vector<Sample> inf = {{10000, 1}, {20000, kInf}};
  EXPECT_EQ(*ExtrapolatedRate(inf, 0, 20000, true, false), kInf);
}

TEST(ExtrapolatedRateTest, StartTimestampInsideWindowAllowsOneSample) {
  // One sample at 30s with value 6 and start time 20s: the increase is 6 over 10s, extrapolated to the window's
  // end only when a sample interval is known (it is not with one sample), so the increase is exactly 6.
  const std::vector<Sample> one = {{30000, 6}};
  const TimestampMs st[] = {20000};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(one, 0, 60000, true, false, st), 6);
  // A start time outside the window is ignored.
  const TimestampMs outside[] = {-5000};
  EXPECT_FALSE(ExtrapolatedRate(one, 0, 60000, true, false, outside).has_value());
  // Two samples, start time inside: no left extrapolation, the first value counts from zero.
  const std::vector<Sample> two = {{30000, 6}, {60000, 9}};
  const TimestampMs st2[] = {20000, 20000};
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(two, 0, 60000, true, false, st2), 9);
}

TEST(ExtrapolatedRateTest, StartTimestampResetAndOverlap) {
  // The counter restarts (ST moves past the previous sample) without its value dropping.
  const std::vector<Sample> s = {{10000, 5}, {20000, 7}, {30000, 9}};
  const TimestampMs st[] = {0, 0, 25000};
  // 9 - 5 + 7 = 11, extrapolated left to the zero point (20s * 5/11 before the first sample): 11 * (320/11) / 20.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 30000, true, false, st), 16);
  // Without start times there is no reset: 4, extrapolated by a whole interval to the left.
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(s, 0, 30000, true, false), 6);
  RangeAnnotations annos;
  const TimestampMs overlap[] = {1000, 1000, 15000};
  ExtrapolatedRate(s, 0, 30000, true, false, overlap, &annos);
  EXPECT_TRUE(annos.start_time_overlap);
  RangeAnnotations clean;
  ExtrapolatedRate(s, 0, 30000, true, false, st, &clean);
  EXPECT_FALSE(clean.start_time_overlap);
}

TEST(ExtendedRateTest, AnchoredAndSmoothedAsExtendedVectorsTest) {
  // load 15s: metric 1+1x4 9+1x4
  const auto s = Load(15000, Concat(Seq(1, 1, 4), Seq(9, 1, 4)));
  struct Case {
    TimestampMs at;
    double anchored;
    double smoothed;
  };
  const Case cases[] = {{5000, 0, 0.333333333},  {20000, 1, 1.333333333}, {35000, 2, 2.333333333},
                        {50000, 3, 3.333333333}, {65000, 4, 5},           {80000, 7, 7},
                        {95000, 7, 7},           {110000, 7, 7},          {125000, 7, 6}};
  for (const Case& c : cases) {
    const TimestampMs start = c.at - 60000;
    // The engine passes the window plus the samples around it (here: everything), as the kernel picks its own.
    std::vector<Sample> anchored;
    for (const Sample& x : s) {
      if (x.t <= c.at) anchored.push_back(x);
    }
    EXPECT_NEAR(*ExtendedRate(anchored, start, c.at, false, true, false), c.anchored, 1e-8) << c.at;
    EXPECT_NEAR(*ExtendedRate(s, start, c.at, true, true, false), c.smoothed, 1e-8) << c.at;
  }
  // rate divides by the window length.
  EXPECT_NEAR(*ExtendedRate(s, 5000, 65000, true, true, true), 5.0 / 60, 1e-12);
}

TEST(ExtendedRateTest, NothingAfterRangeStart) {
  const std::vector<Sample> s = {{0, 1}, {10000, 2}};
  EXPECT_FALSE(ExtendedRate(s, 10000, 70000, false, true, false).has_value());
  EXPECT_FALSE(ExtendedRate({}, 0, 60000, true, true, false).has_value());
}

TEST(ExtendWindowTest, AnchoredAndSmoothed) {
  // load 15s: metric 1+1x4 9+1x4; at 65s over [1m]: the window is (5s, 65s].
  const auto s = Load(15000, Concat(Seq(1, 1, 4), Seq(9, 1, 4)));
  std::vector<Sample> upto;
  for (const Sample& x : s) {
    if (x.t <= 65000) upto.push_back(x);
  }
  const std::vector<Sample> a = ExtendWindow(upto, 5000, 65000, false);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a.front().t, 5000);
  EXPECT_EQ(a.front().v, 1);  // the sample at 0s
  EXPECT_EQ(a[1].t, 15000);
  EXPECT_EQ(a[4].t, 60000);
  EXPECT_EQ(a.back().t, 65000);
  EXPECT_EQ(a.back().v, 5);  // the sample at 60s
  const std::vector<Sample> sm = ExtendWindow(s, 5000, 65000, true);
  ASSERT_EQ(sm.size(), 6u);
  EXPECT_NEAR(sm.front().v, 1 + 5.0 / 15, 1e-12);
  EXPECT_NEAR(sm.back().v, 5 + 4 * 5.0 / 15, 1e-12);  // between 5 at 60s and 9 at 75s
  EXPECT_TRUE(ExtendWindow(upto, 65000, 125000, false).empty());
  EXPECT_TRUE(ExtendWindow({}, 0, 1, true).empty());
}

TEST(InstantRateTest, AsFunctionsTest) {
  const auto foo = Load(5 * kMin, Seq(0, 10, 10));
  const auto bar = Load(5 * kMin, Concat(Seq(0, 10, 5), Seq(0, 10, 5)));
  EXPECT_EQ(*InstantRate(Window(foo, 0, 50 * kMin), true), 10.0 / 300);
  EXPECT_EQ(*InstantRate(Window(bar, -20 * kMin, 30 * kMin), true), 0);  // reset: 50 -> 0
  const auto nan = Load(5 * kMin, {1, std::nan(""), std::nan(""), 5, 11});
  EXPECT_TRUE(std::isnan(*InstantRate(Window(nan, 0, 15 * kMin), true)));
  EXPECT_DOUBLE_EQ(*InstantRate(Window(nan, 0, 20 * kMin), true), 0.02);
  EXPECT_DOUBLE_EQ(*InstantRate(Window(nan, 0, 20 * kMin), false), 6);
  EXPECT_EQ(*InstantRate(Load(5 * kMin, {0, 50, 100, 50}), false), -50);
  EXPECT_FALSE(InstantRate(Load(5 * kMin, {1}), true).has_value());
  const std::vector<Sample> same_t = {{1000, 1}, {1000, 2}};
  EXPECT_FALSE(InstantRate(same_t, true).has_value());
}

TEST(InstantRateTest, StartTimestampReset) {
  const std::vector<Sample> s = {{10000, 5}, {20000, 7}};
  const TimestampMs st[] = {1000, 15000};
  EXPECT_DOUBLE_EQ(*InstantRate(s, true, st), 0.7);  // 7 since the restart, over 10s
  EXPECT_DOUBLE_EQ(*InstantRate(s, true), 0.2);
}

TEST(ChangesResetsTest, AsFunctionsTest) {
  const auto foo = Load(5 * kMin, {1, 2, 3, 0, 1, 0, 0, 1, 2, 0});
  const auto bar = Load(5 * kMin, {1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
  const auto biz = Load(5 * kMin, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  const TimestampMs at = 50 * kMin;
  EXPECT_FALSE(Resets(Window(foo, at - 5 * kMin, at)).has_value());
  EXPECT_EQ(*Resets(Window(foo, at - 20 * kMin, at)), 1);
  EXPECT_EQ(*Resets(Window(foo, at - 32 * kMin, at)), 2);
  EXPECT_EQ(*Resets(Window(bar, at - 32 * kMin, at)), 1);
  EXPECT_EQ(*Resets(Window(foo, at - 50 * kMin, at)), 3);
  EXPECT_EQ(*Changes(Window(foo, at - 50 * kMin, at)), 7);
  EXPECT_EQ(*Changes(Window(bar, at - 50 * kMin, at)), 8);
  EXPECT_EQ(*Changes(Window(biz, at - 50 * kMin, at)), 1);
  EXPECT_EQ(*Changes(Window(foo, at - 20 * kMin, at)), 2);
  EXPECT_FALSE(Changes({}).has_value());
  const double nan = std::nan("");
  EXPECT_EQ(*Changes(Load(5 * kMin, {nan, nan, nan})), 0);
  EXPECT_EQ(*Changes(Load(5 * kMin, {0, nan, 0})), 2);
  EXPECT_EQ(*Changes(Load(1, {0.0, -0.0})), 0);  // -0 == 0
}

TEST(ChangesResetsTest, AnchoredFirstIndexAndStartTimestamps) {
  const auto s = Load(10000, {1, 2, 3});
  EXPECT_EQ(*AnchoredFirstIndex(s, 15000), 1u);
  EXPECT_EQ(*AnchoredFirstIndex(s, 10000), 1u);
  EXPECT_EQ(*AnchoredFirstIndex(s, -1), 0u);
  EXPECT_FALSE(AnchoredFirstIndex(s, 20000).has_value());
  const TimestampMs st[] = {0, 0, 15000};
  EXPECT_EQ(*Resets(s, st), 1);
}

TEST(LinearTest, DerivAndPredictLinearAsFunctionsTest) {
  const auto canary = Load(5 * kMin, Seq(0, 80, 10));
  EXPECT_DOUBLE_EQ(*Deriv(Window(canary, 0, 50 * kMin)), 0.26666666666666666);
  const auto middle = Load(5 * kMin, Concat(Seq(0, 10, 4), Seq(0, 10, 5)));
  EXPECT_DOUBLE_EQ(*Deriv(Window(middle, -50 * kMin, 50 * kMin)), 0.010606060606060607);
  EXPECT_NEAR(*PredictLinear(Window(middle, 0, 50 * kMin), 50 * kMin, 3600), 70, 1e-9);
  // [55m] @ 3000 evaluated at 50m, 10m and 70m: the window is fixed, the evaluation time moves.
  const auto w = Window(middle, -5 * kMin, 50 * kMin);
  EXPECT_NEAR(*PredictLinear(w, 50 * kMin, 3600), 76.81818181818181, 1e-9);
  EXPECT_NEAR(*PredictLinear(w, 10 * kMin, 3600), 51.36363636363637, 1e-9);
  EXPECT_NEAR(*PredictLinear(w, 70 * kMin, 3600), 89.54545454545455, 1e-9);
  std::vector<double> inf_values = {-kInf};
  for (double v : Seq(0, 80, 10)) inf_values.push_back(v);
  inf_values.push_back(kInf);
  const auto inf = Load(5 * kMin, inf_values);
  EXPECT_TRUE(std::isnan(*Deriv(Window(inf, 0, 100 * kMin))));
  EXPECT_TRUE(std::isnan(*PredictLinear(Window(inf, 0, 100 * kMin), 100 * kMin, 6000)));
  EXPECT_FALSE(Deriv(Load(1000, {1})).has_value());
}

TEST(LinearTest, ConstantSeries) {
  EXPECT_EQ(*Deriv(Load(1000, {3, 3, 3})), 0);
  EXPECT_EQ(*PredictLinear(Load(1000, {3, 3, 3}), 5000, 100), 3);
  EXPECT_TRUE(std::isnan(*Deriv(Load(1000, {kInf, kInf}))));
  EXPECT_TRUE(std::isnan(*Deriv(Load(1000, {std::nan(""), std::nan("")}))));
}

TEST(DoubleExponentialSmoothingTest, LinearTrends) {
  // load 10s: 0+10x1000 ..., evaluated at 8000s over [1m]: the samples in (7940s, 8000s].
  struct Case {
    std::vector<double> values;
    double want;
  };
  const Case cases[] = {{Seq(0, 10, 1000), 8000},
                        {Seq(0, 20, 1000), 16000},
                        {Seq(0, 40, 2000), 32000},
                        {Seq(8000, -10, 1000), 0},
                        {Seq(0, -20, 1000), -16000}};
  for (const Case& c : cases) {
    const auto s = Load(10000, c.values);
    auto r = DoubleExponentialSmoothing(Window(s, 7940000, 8000000), 0.01, 0.1);
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(**r, c.want, 1e-6);
  }
}

TEST(DoubleExponentialSmoothingTest, FactorsAndShortInput) {
  const auto s = Load(1000, {1, 2});
  EXPECT_FALSE(DoubleExponentialSmoothing(s, 0, 0.5).ok());
  EXPECT_FALSE(DoubleExponentialSmoothing(s, 0.5, 1).ok());
  EXPECT_EQ(DoubleExponentialSmoothing({}, 1, 0.5).status().message(),
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000");
  EXPECT_EQ(DoubleExponentialSmoothing(s, 0.5, kInf).status().message(),
            "invalid trend factor. Expected: 0 < tf < 1, got: +Inf");
  EXPECT_TRUE(DoubleExponentialSmoothing(s, std::nan(""), 0.5).ok());  // NaN passes, as in Prometheus
  auto one = DoubleExponentialSmoothing(Load(1000, {1}), 0.5, 0.5);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->has_value());
  // Two samples: s1 = sf*v1 + (1-sf)*(v0 + (v1-v0)) = v1.
  auto two = DoubleExponentialSmoothing(Load(1000, {1, 3}), 0.3, 0.6);
  ASSERT_TRUE(two.ok());
  EXPECT_DOUBLE_EQ(**two, 3);
  // Three samples by hand: s=[1, 3], b1 = 0.6*(3-1) + 0.4*2 = 2, s2 = 0.3*4 + 0.7*(3+2) = 4.7.
  auto three = DoubleExponentialSmoothing(Load(1000, {1, 3, 4}), 0.3, 0.6);
  ASSERT_TRUE(three.ok());
  EXPECT_DOUBLE_EQ(**three, 4.7);
}

}  // namespace
}  // namespace vigil::query::functions
