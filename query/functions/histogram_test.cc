#include "query/functions/histogram.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::query::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double Q(double q, std::vector<Bucket> b) { return BucketQuantile(q, b).value; }
double F(double lower, double upper, std::vector<Bucket> b) { return BucketFraction(lower, upper, b); }

// histograms.test's testhistogram at 50m (counts 0+Nx10), deliberately unsorted as label order would give.
const std::vector<Bucket> kPositive = {{1, 110}, {0.1, 50}, {kInf, 120}, {0.2, 70}};
const std::vector<Bucket> kNegative = {{-0.2, 10}, {-0.1, 20}, {0.3, 20}, {kInf, 30}};
// testhistogram3 at 50m.
const std::vector<Bucket> kPositive3 = {{0, 0}, {0.1, 50}, {0.2, 70}, {1, 110}, {kInf, 110}};
const std::vector<Bucket> kNegative3 = {{-0.25, 0}, {-0.2, 10}, {-0.1, 20}, {0, 20}, {kInf, 20}};

TEST(BucketQuantileTest, AsHistogramsTest) {
  EXPECT_DOUBLE_EQ(Q(0, kPositive), 0);
  EXPECT_DOUBLE_EQ(Q(0, kNegative), -0.2);
  EXPECT_DOUBLE_EQ(Q(1, kPositive), 1);
  EXPECT_DOUBLE_EQ(Q(1, kNegative), 0.3);
  EXPECT_DOUBLE_EQ(Q(0.2, kPositive), 0.048);
  EXPECT_DOUBLE_EQ(Q(0.2, kNegative), -0.2);
  EXPECT_DOUBLE_EQ(Q(0.5, kPositive), 0.15);
  EXPECT_DOUBLE_EQ(Q(0.5, kNegative), -0.15);
  EXPECT_DOUBLE_EQ(Q(0.8, kPositive), 0.72);
  EXPECT_DOUBLE_EQ(Q(0.8, kNegative), 0.3);

  EXPECT_DOUBLE_EQ(Q(0, kPositive3), 0);
  EXPECT_DOUBLE_EQ(Q(0, kNegative3), -0.25);
  EXPECT_DOUBLE_EQ(Q(0.25, kPositive3), 0.055);
  EXPECT_DOUBLE_EQ(Q(0.25, kNegative3), -0.225);
  EXPECT_DOUBLE_EQ(Q(0.75, kPositive3), 0.45);
  EXPECT_DOUBLE_EQ(Q(0.75, kNegative3), -0.15);
  EXPECT_DOUBLE_EQ(Q(1, kNegative3), -0.1);

  // testhistogram2 at 7m: q(1/6), q(1/2), q(5/6) sit in the middle of buckets.
  const std::vector<Bucket> two = {{0, 0}, {2, 1}, {4, 2}, {6, 3}, {kInf, 3}};
  EXPECT_DOUBLE_EQ(Q(1. / 6., two), 1);
  EXPECT_DOUBLE_EQ(Q(0.5, two), 3);
  EXPECT_DOUBLE_EQ(Q(5. / 6., two), 5);
}

TEST(BucketQuantileTest, OutOfRangeQuantiles) {
  EXPECT_EQ(Q(-0.1, kPositive), -kInf);
  EXPECT_EQ(Q(1.01, kPositive), kInf);
  EXPECT_TRUE(std::isnan(Q(std::nan(""), kPositive)));
  // q is checked before the buckets, so even an invalid histogram gives ±Inf.
  EXPECT_EQ(Q(-1, {}), -kInf);
}

TEST(BucketQuantileTest, InvalidHistograms) {
  EXPECT_TRUE(std::isnan(Q(0.5, {})));
  EXPECT_TRUE(std::isnan(Q(0.5, {{1, 1}, {2, 2}})));        // no +Inf bucket
  EXPECT_TRUE(std::isnan(Q(0.5, {{kInf, 5}})));             // one bucket
  EXPECT_TRUE(std::isnan(Q(0.5, {{1, 0}, {kInf, 0}})));     // no observations
  EXPECT_TRUE(std::isnan(Q(0.5, {{kInf, 0}, {kInf, 0}})));  // "+inf" and "+Inf" merge into one
  EXPECT_TRUE(std::isnan(Q(0.5, {{1, 1}, {-kInf, 2}})));    // -Inf is not +Inf
}

TEST(BucketQuantileTest, EqualBoundsAreMerged) {
  // mixed_bucket: le 0.1, 0.2, 2e-1, 2.0e-1, +Inf after rate(): 0.1->x, 0.2 three times, +Inf 4x.
  const double r = 1.0 / 300;
  EXPECT_DOUBLE_EQ(Q(0.5, {{0.1, r}, {0.2, r}, {0.2, r}, {0.2, r}, {kInf, 4 * r}}), 0.15);
  EXPECT_DOUBLE_EQ(Q(0.75, {{0.1, r}, {0.2, r}, {0.2, r}, {0.2, r}, {kInf, 4 * r}}), 0.2);
}

TEST(BucketQuantileTest, ForcedMonotonicity) {
  // nonmonotonic_bucket at 50m.
  const std::vector<Bucket> b = {{0.1, 20}, {1, 10}, {10, 50}, {100, 40}, {1000, 90}, {kInf, 80}};
  std::vector<Bucket> copy = b;
  const BucketQuantileResult r = BucketQuantile(0.01, copy);
  EXPECT_DOUBLE_EQ(r.value, 0.0045);
  EXPECT_TRUE(r.forced_monotonicity);
  EXPECT_EQ(r.min_bucket, 1);
  EXPECT_EQ(r.max_bucket, kInf);
  EXPECT_EQ(r.max_diff, 10);
  EXPECT_DOUBLE_EQ(Q(0.5, b), 8.5);
  EXPECT_DOUBLE_EQ(Q(0.99, b), 979.75);
  EXPECT_FALSE(BucketQuantile(0.5, copy = kPositive).forced_monotonicity);
}

TEST(BucketQuantileTest, SmallDifferencesAreIgnoredSilently) {
  std::vector<Bucket> b = {{1, 100}, {2, 100 - 1e-11}, {kInf, 200}};
  const BucketQuantileResult r = BucketQuantile(0.25, b);
  EXPECT_FALSE(r.forced_monotonicity);
  EXPECT_TRUE(r.fixed_precision);
  EXPECT_DOUBLE_EQ(r.value, 0.5);
}

TEST(BucketQuantileTest, NaNCountsDoNotCrash) {
  const double nan = std::nan("");
  // A NaN total makes the rank NaN, so the search ends in the +Inf bucket (as in Prometheus).
  EXPECT_EQ(Q(0.5, {{1, nan}, {kInf, nan}}), 1);
  // The rank lands in the bucket after the NaN one, whose width in observations is then NaN.
  EXPECT_TRUE(std::isnan(Q(0.5, {{1, nan}, {2, 5}, {kInf, 10}})));
  EXPECT_EQ(Q(0.9, {{1, nan}, {2, 5}, {kInf, 10}}), 2);
  EXPECT_TRUE(std::isnan(Q(0.5, {{nan, 1}, {kInf, 10}})));  // a NaN bound sorts last
}

TEST(BucketFractionTest, AsHistogramsTest) {
  const std::vector<Bucket> two = {{0, 0}, {2, 10}, {4, 20}, {6, 30}, {kInf, 30}};
  EXPECT_DOUBLE_EQ(F(0, 4, two), 0.6666666666666666);
  EXPECT_DOUBLE_EQ(F(0, 6, two), 1);
  EXPECT_DOUBLE_EQ(F(0, 3.5, two), 0.5833333333333334);
  EXPECT_DOUBLE_EQ(F(0, 0.2, kPositive3), 0.6363636363636364);
  EXPECT_DOUBLE_EQ(F(0, 0.2, kNegative3), 0);
  const std::vector<Bucket> pos = {{1, 1}, {2, 3}, {3, 6}, {kInf, 100}};
  const std::vector<Bucket> neg = {{-3, 10}, {-2, 12}, {-1, 15}, {kInf, 100}};
  EXPECT_DOUBLE_EQ(F(0, 1.5, pos), 0.02);
  EXPECT_DOUBLE_EQ(F(-4, -2, neg), 0.02);
  EXPECT_DOUBLE_EQ(F(-kInf, -1.5, neg), 0.135);
  EXPECT_DOUBLE_EQ(F(-kInf, kInf, pos), 1);
  EXPECT_DOUBLE_EQ(F(-kInf, kInf, neg), 1);
  EXPECT_DOUBLE_EQ(F(4, 5, pos), 0);
  EXPECT_DOUBLE_EQ(F(0, 1, neg), 0);
  EXPECT_DOUBLE_EQ(F(2, 5, pos), 0.03);
}

TEST(BucketFractionTest, SpecialCases) {
  const std::vector<Bucket> pos = {{1, 1}, {2, 3}, {kInf, 4}};
  EXPECT_EQ(F(2, 1, pos), 0);
  EXPECT_EQ(F(1, 1, pos), 0);
  EXPECT_TRUE(std::isnan(F(std::nan(""), 1, pos)));
  EXPECT_TRUE(std::isnan(F(0, 1, {})));
  EXPECT_TRUE(std::isnan(F(0, 1, {{1, 1}, {2, 3}})));
  EXPECT_TRUE(std::isnan(F(0, 1, {{1, 0}, {kInf, 0}})));
}

}  // namespace
}  // namespace vigil::query::functions
