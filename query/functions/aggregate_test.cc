#include "query/functions/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::query::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

double Mean(const std::vector<double>& v) {
  MeanAccumulator m(v[0]);
  for (size_t i = 1; i < v.size(); ++i) m.Add(v[i]);
  return m.Mean();
}

double Stdvar(const std::vector<double>& v) {
  VarianceAccumulator a(v[0]);
  for (size_t i = 1; i < v.size(); ++i) a.Add(v[i]);
  return a.Variance();
}

TEST(KahanSumTest, CompensatesCancellation) {
  KahanSum s;
  for (double v : {1.0, 1e100, 1.0, -1e100}) s.Add(v);
  EXPECT_EQ(s.Value(), 2);
  double naive = 0;
  for (double v : {1.0, 1e100, 1.0, -1e100}) naive += v;
  EXPECT_EQ(naive, 0);  // what the compensation fixes
}

TEST(KahanSumTest, InfinityResetsCompensation) {
  const KahanState st = KahanSumInc(kInf, 1, 0.5);
  EXPECT_EQ(st.sum, kInf);
  EXPECT_EQ(st.c, 0);
  KahanSum s(1e308);
  s.Add(1e308);
  EXPECT_EQ(s.Value(), kInf);
  KahanSum n;
  n.Add(kInf);
  n.Add(-kInf);
  EXPECT_TRUE(std::isnan(n.Value()));
}

TEST(KahanSumTest, NegativeZero) {
  // Prometheus adds the (zero) compensation at the end, so even sum(-0) is +0.
  EXPECT_FALSE(std::signbit(KahanSum(-0.0).Value()));
  KahanSum from_zero;
  from_zero.Add(-0.0);
  EXPECT_FALSE(std::signbit(from_zero.Value()));
}

TEST(MeanAccumulatorTest, AsAggregatorsTest) {
  EXPECT_EQ(Mean({10}), 10);
  EXPECT_EQ(Mean({0, kInf}), kInf);
  EXPECT_TRUE(std::isnan(Mean({kInf, kInf, kInf, -kInf})));
  EXPECT_EQ(Mean({0, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(Mean({-kInf, 0, kInf})));
  const double big = 9.988465674311579e+307;
  EXPECT_EQ(Mean({big, big, big, big}), big);
  EXPECT_EQ(Mean({-big, -big, -big, -big}), -big);
  EXPECT_EQ(Mean({-big, -big, big, big}), 0);
  EXPECT_EQ(Mean({1, 2, 3, 4}), 2.5);
  EXPECT_TRUE(std::isnan(Mean({1, kNaN, 3})));
  MeanAccumulator m(1);
  m.Add(2);
  EXPECT_EQ(m.count(), 2);
}

TEST(VarianceAccumulatorTest, AsAggregatorsTest) {
  EXPECT_EQ(Stdvar({100, 200, 300, 400, 500, 600, 700, 800}), 52500);
  EXPECT_EQ(Stdvar({100, 300, 500, 700}), 50000);
  VarianceAccumulator a(100);
  for (double v : {200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0}) a.Add(v);
  EXPECT_NEAR(a.Stddev(), 229.12878474779, 1e-9);
  EXPECT_EQ(Stdvar({13.3, 13.3, 13.3}), 0);
  EXPECT_EQ(Stdvar({0, 1}), 0.25);
  EXPECT_EQ(Stdvar({5}), 0);
  EXPECT_TRUE(std::isnan(Stdvar({kNaN, 1})));
  EXPECT_TRUE(std::isnan(Stdvar({kInf})));
  EXPECT_TRUE(std::isnan(Stdvar({1, kInf})));
}

TEST(QuantileTest, Interpolation) {
  std::vector<double> v = {0, 1, 2};
  EXPECT_DOUBLE_EQ(Quantile(0.8, v), 1.6);
  v = {1, 0};
  EXPECT_DOUBLE_EQ(Quantile(0.8, v), 0.8);
  v = {4, 1, 0};
  EXPECT_EQ(Quantile(0.75, v), 2.5);
  EXPECT_TRUE(std::isnan(Quantile(0.5, {})));
  v = {1, 2};
  EXPECT_TRUE(std::isnan(Quantile(kNaN, v)));
  EXPECT_EQ(Quantile(-0.5, v), -kInf);
  EXPECT_EQ(Quantile(1.5, v), kInf);
  v = {3, kNaN, 1, kNaN};
  EXPECT_TRUE(std::isnan(Quantile(0.25, v)));
  EXPECT_EQ(Quantile(1, v), 3);
  // Inf * 0 weight gives NaN, as in Prometheus.
  v = {1, kInf};
  EXPECT_TRUE(std::isnan(Quantile(0, v)));
}

TEST(QuantileTest, SelectMatchesSort) {
  // A deterministic pseudo-random mix with duplicates, NaN and infinities.
  std::vector<double> base;
  uint32_t x = 12345;
  for (int i = 0; i < 257; ++i) {
    x = x * 1103515245 + 12345;
    const uint32_t r = (x >> 8) % 100;
    base.push_back(r == 0 ? kNaN : r == 1 ? kInf : r == 2 ? -kInf : static_cast<double>(r % 37) - 18.5);
  }
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{10}, size_t{257}}) {
    for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 1.0, -1.0, 2.0, kNaN}) {
      std::vector<double> a(base.begin(), base.begin() + n);
      std::vector<double> b = a;
      const double want = Quantile(q, a);
      const double got = QuantileSelect(q, b);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << n << " " << q;
      } else {
        EXPECT_EQ(got, want) << n << " " << q;
      }
    }
  }
  EXPECT_TRUE(std::isnan(QuantileSelect(0.5, {})));
}

TEST(QuantileTest, ValidQuantile) {
  EXPECT_TRUE(IsValidQuantile(0));
  EXPECT_TRUE(IsValidQuantile(1));
  EXPECT_FALSE(IsValidQuantile(-0.1));
  EXPECT_FALSE(IsValidQuantile(1.01));
  EXPECT_FALSE(IsValidQuantile(kNaN));
}

TEST(OrderingTest, SortNaNFirst) {
  std::vector<double> v = {3, kNaN, -kInf, 1, kNaN, kInf, -0.0};
  SortNaNFirst(v);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_EQ(v[2], -kInf);
  EXPECT_EQ(v[3], 0);
  EXPECT_EQ(v[4], 1);
  EXPECT_EQ(v[6], kInf);
}

TEST(OrderingTest, TopkBottomk) {
  EXPECT_TRUE(TopkReplaces(1, 2));
  EXPECT_FALSE(TopkReplaces(2, 1));
  EXPECT_TRUE(TopkReplaces(kNaN, -kInf));
  EXPECT_FALSE(TopkReplaces(1, kNaN));
  EXPECT_FALSE(TopkReplaces(kNaN, kNaN));
  EXPECT_TRUE(BottomkReplaces(2, 1));
  EXPECT_TRUE(BottomkReplaces(kNaN, kInf));
  EXPECT_FALSE(BottomkReplaces(1, kNaN));

  std::vector<double> v = {1, kNaN, 3, 2};
  std::sort(v.begin(), v.end(), TopkBefore);
  EXPECT_EQ(v[0], 3);
  EXPECT_EQ(v[2], 1);
  EXPECT_TRUE(std::isnan(v[3]));
  std::sort(v.begin(), v.end(), BottomkBefore);
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[2], 3);
  EXPECT_TRUE(std::isnan(v[3]));
}

TEST(OrderingTest, MinMaxSteps) {
  EXPECT_EQ(MaxStep(kNaN, 1), 1);
  EXPECT_EQ(MaxStep(1, kNaN), 1);
  EXPECT_EQ(MaxStep(1, 2), 2);
  EXPECT_EQ(MinStep(kNaN, 1), 1);
  EXPECT_EQ(MinStep(1, kNaN), 1);
  EXPECT_EQ(MinStep(1, -kInf), -kInf);
  EXPECT_TRUE(std::signbit(MaxStep(-0.0, 0.0)));  // equal, the running value stays
}

}  // namespace
}  // namespace vigil::query::functions
