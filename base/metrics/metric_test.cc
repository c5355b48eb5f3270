#include "base/metrics/metric.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string CounterText(const Counter& c) {
  std::string out;
  c.AppendText(&out);
  return out;
}

TEST(CounterTest, IncAndAdd) {
  Counter c;
  EXPECT_EQ(c.Value(), 0);
  c.Inc();
  c.Add(2);
  c.Add(0.5);
  EXPECT_EQ(c.Value(), 3.5);
  EXPECT_EQ(CounterText(c), "3.5");
}

TEST(CounterTest, IgnoresNegativeZeroAndNaNAdds) {
  Counter c;
  c.Add(5);
  c.Add(-1);
  c.Add(-0.5);
  c.Add(0);
  c.Add(kNaN);
  c.Add(-kInf);
  EXPECT_EQ(c.Value(), 5);
}

TEST(CounterTest, InfinityIsSticky) {
  Counter c;
  c.Add(kInf);
  c.Inc();
  EXPECT_EQ(c.Value(), kInf);
  EXPECT_EQ(CounterText(c), "+Inf");
}

TEST(CounterTest, WholeCountsAreExactBeyondDoublePrecision) {
  Counter c;
  c.Add(9007199254740991.0);  // 2^53 - 1: still counted as a whole number.
  c.Inc();
  c.Inc();
  EXPECT_EQ(CounterText(c), "9007199254740993");
}

TEST(CounterTest, ConcurrentIncrementsSumExactly) {
  Counter c;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (t % 2 == 0) {
          c.Inc();
        } else {
          c.Add(0.5);  // Exact in binary, so the double sum is exact too.
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.Value(), kThreads / 2 * kPerThread * 1.5);
}

TEST(GaugeTest, SetAddSubIncDec) {
  Gauge g;
  EXPECT_EQ(g.Value(), 0);
  g.Set(10);
  g.Add(2.5);
  g.Sub(0.5);
  g.Inc();
  g.Dec();
  g.Dec();
  EXPECT_EQ(g.Value(), 11);
  g.Sub(20);
  EXPECT_EQ(g.Value(), -9);
  g.Set(kNaN);
  EXPECT_TRUE(std::isnan(g.Value()));
}

TEST(GaugeTest, SetToCurrentTime) {
  Gauge g;
  const double before = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  g.SetToCurrentTime();
  const double after = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_GE(g.Value(), before);
  EXPECT_LE(g.Value(), after);
}

TEST(GaugeTest, ConcurrentAddsSumExactly) {
  Gauge g;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&g, t] {
      for (int i = 0; i < 50000; ++i) {
        if (t == 0) {
          g.Dec();
        } else {
          g.Add(2);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(g.Value(), 3 * 50000 * 2 - 50000);
}

TEST(HistogramTest, BoundsAreInclusive) {
  Histogram h({0.1, 1, 10});
  h.Observe(0.1);  // le="0.1"
  h.Observe(1);    // le="1"
  h.Observe(1.0000001);
  h.Observe(10);  // le="10"
  h.Observe(-5);  // le="0.1"
  h.Observe(11);  // +Inf only
  HistogramSnapshot s = h.Snapshot();
  EXPECT_THAT(s.cumulative_counts, ElementsAre(2, 3, 5, 6));
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.sum, 0.1 + 1 + 1.0000001 + 10 - 5 + 11);
}

TEST(HistogramTest, NaNAndInfinities) {
  Histogram h({1});
  h.Observe(-kInf);
  h.Observe(kInf);
  EXPECT_THAT(h.Snapshot().cumulative_counts, ElementsAre(1, 2));
  h.Observe(kNaN);
  HistogramSnapshot s = h.Snapshot();
  EXPECT_THAT(s.cumulative_counts, ElementsAre(1, 3));
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(HistogramTest, DropsTrailingInfBound) {
  Histogram h({1, 2, kInf});
  EXPECT_THAT(h.upper_bounds(), ElementsAre(1, 2));
  h.Observe(3);
  EXPECT_THAT(h.Snapshot().cumulative_counts, ElementsAre(0, 0, 1));
}

TEST(HistogramTest, ConcurrentObservationsCountExactly) {
  Histogram h({1, 2, 3});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 50000; ++i) h.Observe(t);  // t in {0,1,2,3}.
    });
  }
  for (std::thread& t : threads) t.join();
  HistogramSnapshot s = h.Snapshot();
  EXPECT_THAT(s.cumulative_counts, ElementsAre(100000, 150000, 200000, 200000));
  EXPECT_EQ(s.count, 200000u);
  EXPECT_EQ(s.sum, 50000.0 * (0 + 1 + 2 + 3));
}

TEST(ValidateBucketsTest, AcceptsIncreasingFiniteBounds) {
  EXPECT_TRUE(ValidateBuckets(std::vector<double>{1}).ok());
  EXPECT_TRUE(ValidateBuckets(std::vector<double>{-1, 0, 0.5, 1e9}).ok());
  EXPECT_TRUE(ValidateBuckets(std::vector<double>{1, 2, kInf}).ok());
  EXPECT_TRUE(ValidateBuckets(DefaultBuckets()).ok());
}

TEST(ValidateBucketsTest, RejectsBadBounds) {
  EXPECT_THAT(ValidateBuckets({}).message(), HasSubstr("at least one finite bucket upper bound"));
  EXPECT_THAT(ValidateBuckets(std::vector<double>{kInf}).message(), HasSubstr("at least one finite"));
  EXPECT_THAT(ValidateBuckets(std::vector<double>{1, 1}).message(), HasSubstr("strictly increasing, but 1 follows 1"));
  EXPECT_THAT(ValidateBuckets(std::vector<double>{2, 0.5}).message(), HasSubstr("but 0.5 follows 2"));
  EXPECT_THAT(ValidateBuckets(std::vector<double>{1, kNaN, 3}).message(), HasSubstr("NaN"));
  EXPECT_THAT(ValidateBuckets(std::vector<double>{kInf, 1}).message(), HasSubstr("strictly increasing"));
}

TEST(BucketHelpersTest, LinearAndExponential) {
  EXPECT_THAT(DefaultBuckets(), ElementsAre(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10));
  EXPECT_THAT(LinearBuckets(1, 2, 4), ElementsAre(1, 3, 5, 7));
  EXPECT_THAT(ExponentialBuckets(1, 2, 5), ElementsAre(1, 2, 4, 8, 16));
  EXPECT_TRUE(LinearBuckets(1, 0, 3).empty());
  EXPECT_TRUE(LinearBuckets(1, 1, 0).empty());
  EXPECT_TRUE(ExponentialBuckets(0, 2, 3).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 1, 3).empty());
}

}  // namespace
}  // namespace vigil::metrics
