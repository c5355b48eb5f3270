#include "query/engine/engine.h"

#include <cmath>
#include <memory>
#include <variant>

#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "query/promql/ast.h"
#include "query/promql/functions.h"
#include "query/promql/parser.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query {
namespace {

constexpr int64_t kMin = 60'000;

class EngineTest : public ::testing::Test {
 protected:
  // Appends `values` every `step_ms` from 0 to the series `labels`.
  void Load(const Labels& labels, std::initializer_list<double> values, int64_t step_ms = kMin) {
    std::unique_ptr<tsdb::Appender> app = storage_.NewAppender();
    int64_t t = 0;
    for (double v : values) {
      ASSERT_TRUE(app->Append(0, labels, t, v).ok());
      t += step_ms;
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  Vector Instant(std::string_view q, TimestampMs t) {
    absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, q, t);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status();
    if (!r.ok() || !std::holds_alternative<Vector>(r->value)) return {};
    return std::get<Vector>(r->value);
  }

  tsdb::MemoryStorage storage_;
  Engine engine_{EngineOptions{}};
};

TEST_F(EngineTest, HandBuiltSelectorUsesLookbackAndStaleMarkers) {
  Load({{"__name__", "up"}, {"job", "a"}}, {1, 2, StaleNaN()});
  promql::VectorSelector sel;
  sel.name = "up";
  sel.matchers.push_back(*Matcher::Create(MatchType::kEqual, "__name__", "up"));
  absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, sel, 90'000);
  ASSERT_TRUE(r.ok()) << r.status();
  const Vector& v = std::get<Vector>(r->value);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].v, 2);
  EXPECT_EQ(v[0].t, 90'000);
  // The stale marker at 2m ends the series.
  r = engine_.InstantQuery(&storage_, sel, 150'000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::get<Vector>(r->value).empty());
  // Beyond the 5m lookback nothing is returned either (window (t-5m, t] is open on the left).
  Load({{"__name__", "old"}}, {7});
  EXPECT_TRUE(Instant("old", 5 * kMin).empty());
  EXPECT_EQ(Instant("old", 5 * kMin - 1).size(), 1u);
}

TEST_F(EngineTest, RateDropsNameAndExtrapolates) {
  Load({{"__name__", "req_total"}, {"job", "a"}}, {0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600});
  Vector v = Instant("rate(req_total[5m])", 10 * kMin);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].metric.ToString(), R"({job="a"})");
  EXPECT_DOUBLE_EQ(v[0].v, 1.0);
}

TEST_F(EngineTest, SumByGroupsAndKeepsOrderIndependentValues) {
  Load({{"__name__", "m"}, {"job", "a"}, {"i", "1"}}, {1});
  Load({{"__name__", "m"}, {"job", "a"}, {"i", "2"}}, {2});
  Load({{"__name__", "m"}, {"job", "b"}, {"i", "1"}}, {5});
  Vector v = Instant("sum by (job) (m)", 0);
  ASSERT_EQ(v.size(), 2u);
  double a = 0, b = 0;
  for (const VectorSample& s : v) (s.metric.Get("job") == "a" ? a : b) = s.v;
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, 5);
  v = Instant("topk(1, m)", 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].metric.Get("job"), "b");
}

TEST_F(EngineTest, VectorMatchingErrors) {
  Load({{"__name__", "l"}, {"job", "a"}, {"i", "1"}}, {1});
  Load({{"__name__", "l"}, {"job", "a"}, {"i", "2"}}, {2});
  Load({{"__name__", "r"}, {"job", "a"}}, {10});
  absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, "l + on(job) r", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
  r = engine_.InstantQuery(&storage_, "r + on(job) l", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("found duplicate series for the match group {job=\"a\"} on the right"),
            std::string_view::npos)
      << r.status();
  Vector v = Instant("l + on(job) group_left r", 0);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].v + v[1].v, 23);
  EXPECT_FALSE(v[0].metric.Has("__name__"));
}

TEST_F(EngineTest, RangeQueryIsSortedAndStepAligned) {
  Load({{"__name__", "x"}, {"k", "b"}}, {1, 2, 3, 4});
  Load({{"__name__", "x"}, {"k", "a"}}, {10, 20, 30, 40});
  absl::StatusOr<QueryResult> r = engine_.RangeQuery(&storage_, "x * 2", 0, 3 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].metric.ToString(), R"({k="a"})");
  ASSERT_EQ(m[0].points.size(), 4u);
  EXPECT_EQ(m[0].points[3].t, 3 * kMin);
  EXPECT_EQ(m[0].points[3].v, 80);
}

TEST_F(EngineTest, SubqueryStepsAreAbsoluteMultiples) {
  Load({{"__name__", "c"}}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  // [5m:2m] at 10m evaluates at 6m, 8m, 10m (multiples of 2m after 5m).
  Vector v = Instant("count_over_time(c[5m:2m])", 10 * kMin);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].v, 3);
}

TEST_F(EngineTest, RefusesTooManyPointsAndBadSteps) {
  absl::StatusOr<QueryResult> r = engine_.RangeQuery(&storage_, "1", 0, 11001 * 1000, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution "
            "(?step=XX)");
  r = engine_.RangeQuery(&storage_, "1", 0, 1000, 0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, MaxSamplesAndTimeout) {
  Load({{"__name__", "m"}, {"i", "1"}}, {1, 2, 3});
  Load({{"__name__", "m"}, {"i", "2"}}, {1, 2, 3});
  EngineOptions small;
  small.max_samples = 3;
  Engine limited(small);
  absl::StatusOr<QueryResult> r = limited.RangeQuery(&storage_, "m", 0, 2 * kMin, kMin);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "query processing would load too many samples into memory in query execution");

  FakeClock clock;
  EngineOptions timed;
  timed.clock = &clock;
  timed.timeout = absl::ZeroDuration();
  Engine expired(timed);
  r = expired.InstantQuery(&storage_, "m", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "query timed out in query execution");
}

TEST_F(EngineTest, DelayedNameRemovalAndDuplicateLabelsets) {
  Load({{"__name__", "a"}, {"x", "1"}}, {1});
  Load({{"__name__", "b"}, {"x", "1"}}, {2});
  // label_replace sees the name of rate's input even though rate drops it.
  absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, R"({__name__=~"a|b"} * 2)", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
  Vector v = Instant(R"q(label_replace(-a, "n", "$1", "__name__", "(.*)"))q", 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].metric.ToString(), R"({n="a", x="1"})");
  EXPECT_EQ(v[0].v, -1);
}

TEST_F(EngineTest, AnnotationsForNonCounters) {
  Load({{"__name__", "gauge"}}, {1, 2, 3});
  absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, "rate(gauge[5m])", 2 * kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->infos.size(), 1u);
  EXPECT_EQ(r->infos[0],
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"gauge\"");
}

TEST_F(EngineTest, StepInvariantSelectorRepeatsItsValue) {
  Load({{"__name__", "g"}}, {1, 2, 3, 4, 5});
  absl::StatusOr<QueryResult> r = engine_.RangeQuery(&storage_, "g @ 60 + 0 * g", 0, 4 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].points.size(), 5u);
  for (const Sample& p : m[0].points) EXPECT_EQ(p.v, 2) << p.t;
}

TEST_F(EngineTest, SortAndCountValues) {
  Load({{"__name__", "s"}, {"i", "1"}}, {3});
  Load({{"__name__", "s"}, {"i", "2"}}, {1});
  Load({{"__name__", "s"}, {"i", "3"}}, {2});
  Vector v = Instant("sort_desc(s)", 0);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].v, 3);
  EXPECT_EQ(v[2].v, 1);
  v = Instant(R"(count_values("value", s / 4))", 0);
  ASSERT_EQ(v.size(), 3u);
  bool found = false;
  for (const VectorSample& s : v) found |= s.metric.Get("value") == "0.25";
  EXPECT_TRUE(found);
  absl::StatusOr<QueryResult> r = engine_.RangeQuery(&storage_, "sort(s)", 0, kMin, kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "PromQL warning: sort is ineffective for range queries since results are always ordered by labels");
}

// Aggregations that combine values walk the input series by series over blocks of steps, the block shrinking as
// the number of groups grows: check the values at every step against a direct computation, with enough groups
// for several blocks, series that start late (first output at a later step) and gaps beyond the lookback.
TEST_F(EngineTest, CombiningAggregationsOverManyGroupsAndBlocks) {
  constexpr int kSeries = 3000;
  constexpr int kMinutes = 40;
  // Series i: value i*1000 + minute, every minute from minute (i % 4) * 5 on, except minutes 20..29 for odd i
  // (a gap longer than the 5m lookback).
  auto present = [](int i, int minute) { return minute >= (i % 4) * 5 && (i % 2 == 0 || minute < 20 || minute >= 30); };
  auto value = [](int i, int minute) { return i * 1000.0 + minute; };
  {
    std::unique_ptr<tsdb::Appender> app = storage_.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      const Labels labels{{"__name__", "m"}, {"g", std::to_string(i % 5)}, {"i", std::to_string(i)}};
      for (int minute = 0; minute < kMinutes; ++minute) {
        if (!present(i, minute)) continue;
        ASSERT_TRUE(app->Append(0, labels, minute * kMin, value(i, minute)).ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  // At a step the lookback finds a series when it has a sample within the last 5 minutes (exclusive).
  auto visible = [&](int i, int minute, double* v) {
    for (int back = 0; back < 5 && minute - back >= 0; ++back) {
      if (present(i, minute - back)) {
        *v = value(i, minute - back);
        return true;
      }
    }
    return false;
  };

  // One group per series: 3000 groups, so blocks of 10 steps.
  absl::StatusOr<QueryResult> r = engine_.RangeQuery(&storage_, "max by (i) (m)", 0, (kMinutes - 1) * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& by_i = std::get<Matrix>(r->value);
  ASSERT_EQ(by_i.size(), static_cast<size_t>(kSeries));
  int64_t checked = 0;
  for (const MatrixSeries& s : by_i) {
    ASSERT_EQ(s.metric.size(), 1u);
    const int i = std::stoi(std::string(s.metric.Get("i")));
    size_t p = 0;
    for (int minute = 0; minute < kMinutes; ++minute) {
      double want = 0;
      if (!visible(i, minute, &want)) continue;
      ASSERT_LT(p, s.points.size()) << i << " " << minute;
      EXPECT_EQ(s.points[p].t, minute * kMin);
      EXPECT_EQ(s.points[p].v, want) << i << " " << minute;
      ++p;
      ++checked;
    }
    EXPECT_EQ(p, s.points.size()) << i;
  }
  EXPECT_GT(checked, 80'000);

  // Five groups: count and sum per step.
  for (std::string_view q : {"count by (g) (m)", "sum by (g) (m)", "avg without (i) (m)"}) {
    r = engine_.RangeQuery(&storage_, q, 0, (kMinutes - 1) * kMin, kMin);
    ASSERT_TRUE(r.ok()) << q << ": " << r.status();
    const Matrix& by_g = std::get<Matrix>(r->value);
    ASSERT_EQ(by_g.size(), 5u) << q;
    for (const MatrixSeries& s : by_g) {
      const int g = std::stoi(std::string(s.metric.Get("g")));
      ASSERT_EQ(s.points.size(), static_cast<size_t>(kMinutes)) << q;
      for (int minute = 0; minute < kMinutes; ++minute) {
        double count = 0, sum = 0;
        for (int i = g; i < kSeries; i += 5) {
          double v = 0;
          if (visible(i, minute, &v)) {
            count += 1;
            sum += v;
          }
        }
        const double want = q[0] == 'c' ? count : q[0] == 's' ? sum : sum / count;
        EXPECT_DOUBLE_EQ(s.points[minute].v, want) << q << " g=" << g << " minute=" << minute;
      }
    }
  }

  // An instant query lists groups in the order of their first input series.
  Vector v = Instant("group by (g) (m)", 2 * kMin);
  ASSERT_EQ(v.size(), 5u);
  for (const VectorSample& s : v) EXPECT_EQ(s.v, 1);
  EXPECT_EQ(v[0].metric.Get("g"), "0");
}

TEST_F(EngineTest, ScalarAndStringResults) {
  absl::StatusOr<QueryResult> r = engine_.InstantQuery(&storage_, "1 + time()", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Scalar>(r->value).v, 6);
  r = engine_.InstantQuery(&storage_, R"("text")", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<StringValue>(r->value).v, "text");
  r = engine_.RangeQuery(&storage_, R"("text")", 0, 1000, 1000);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::query
