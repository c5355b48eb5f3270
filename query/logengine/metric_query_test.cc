// Metric queries: range aggregations and their windows, offset, grouping, vector aggregations, binary operators,
// literals and vector(), label_replace, result types, limits and errors.
#include <cmath>
#include <string>

#include "gtest/gtest.h"
#include "query/logengine/engine.h"
#include "query/logengine/test_data.h"
#include "query/logengine/test_store.h"

namespace vigil::logengine {
namespace {

class MetricQueryTest : public ::testing::Test {
 protected:
  MetricQueryTest() { FillTestStore(&store_); }

  // An instant query at S(at); vectors print as VectorString, scalars as "scalar v@t".
  std::string Instant(std::string query, int64_t at = 5, const Engine* engine = nullptr) {
    QueryParams p;
    p.query = std::move(query);
    p.start_ns = p.end_ns = S(at);
    p.instant = true;
    absl::StatusOr<QueryResult> r = (engine ? engine : &engine_)->Query(p);
    if (!r.ok()) return "error: " + std::string(r.status().message());
    if (const auto* v = std::get_if<Vector>(&r->value)) return VectorString(*v);
    if (const auto* s = std::get_if<ScalarValue>(&r->value)) return absl::StrCat("scalar ", s->value, "@", s->t_ms);
    return "unexpected type";
  }

  std::string Range(std::string query, int64_t from, int64_t to, int64_t step_s) {
    QueryParams p;
    p.query = std::move(query);
    p.start_ns = S(from);
    p.end_ns = S(to);
    p.step_ns = step_s * 1000000000;
    absl::StatusOr<QueryResult> r = engine_.Query(p);
    if (!r.ok()) return "error: " + std::string(r.status().message());
    if (const auto* m = std::get_if<Matrix>(&r->value)) return MatrixString(*m);
    return "unexpected type";
  }

  TestLogStore store_;
  Engine engine_{store_.store(), EngineOptions{}};
};

TEST_F(MetricQueryTest, WindowIsOpenOnTheLeftClosedOnTheRight) {
  // (S(2), S(3)]: only S(3).
  EXPECT_EQ(Instant(R"(count_over_time({app="x", env="prod"}[1s]))", 3), R"({app="x", env="prod"} 1)");
  // (S(2), S(4)]: prod S(3), S(4); dev S(4).
  EXPECT_EQ(Instant(R"(count_over_time({app="x"}[2s]))", 4), R"({app="x", env="dev"} 1; {app="x", env="prod"} 2)");
}

TEST_F(MetricQueryTest, CountRateBytes) {
  EXPECT_EQ(Instant(R"(count_over_time({app="x"}[5s]))"), R"({app="x", env="dev"} 2; {app="x", env="prod"} 5)");
  EXPECT_EQ(Instant(R"(rate({app="x", env="prod"}[5s]))"), R"({app="x", env="prod"} 1)");
  // Lines of 28, 31, 28, 31, 28 bytes.
  EXPECT_EQ(Instant(R"(bytes_over_time({app="x", env="prod"}[5s]))"), R"({app="x", env="prod"} 146)");
  EXPECT_EQ(Instant(R"(bytes_rate({app="x", env="prod"}[4s]))"), R"({app="x", env="prod"} 29.5)");
}

TEST_F(MetricQueryTest, Offset) {
  // (S(1), S(3)]: S(2), S(3).
  EXPECT_EQ(Instant(R"(count_over_time({app="x", env="prod"}[2s] offset 2s))"), R"({app="x", env="prod"} 2)");
}

TEST_F(MetricQueryTest, AbsentOverTime) {
  EXPECT_EQ(Instant(R"(absent_over_time({app="z", env=~"p.*"}[5s]))"), R"({app="z"} 1)");
  EXPECT_EQ(Instant(R"(absent_over_time({app="x"}[5s]))"), "");
}

TEST_F(MetricQueryTest, UnwrappedRangeAggregationsWithGrouping) {
  const std::string sel = R"(({app="x"} | logfmt | unwrap latency [5s]) by (env))";
  // Loki allows grouping on the range aggregations that do not sum (sum_over_time, rate: use sum by).
  EXPECT_EQ(Instant("sum_over_time" + sel).substr(0, 71),
            "error: parse error : grouping not allowed for sum_over_time aggregation");
  const std::string ungrouped = R"(({app="x"} | logfmt | unwrap latency [5s])))";
  EXPECT_EQ(Instant("sum by (env) (sum_over_time" + ungrouped), R"({env="dev"} 20; {env="prod"} 150)");
  EXPECT_EQ(Instant("sum by (env) (rate" + ungrouped), R"({env="dev"} 4; {env="prod"} 30)");
  EXPECT_EQ(Instant("avg_over_time" + sel), R"({env="dev"} 10; {env="prod"} 30)");
  EXPECT_EQ(Instant("min_over_time" + sel), R"({env="dev"} 5; {env="prod"} 10)");
  EXPECT_EQ(Instant("max_over_time" + sel), R"({env="dev"} 15; {env="prod"} 50)");
  EXPECT_EQ(Instant("first_over_time" + sel), R"({env="dev"} 5; {env="prod"} 10)");
  EXPECT_EQ(Instant("last_over_time" + sel), R"({env="dev"} 15; {env="prod"} 50)");
  EXPECT_EQ(Instant("stdvar_over_time" + sel), R"({env="dev"} 25; {env="prod"} 200)");
  EXPECT_EQ(Instant("stddev_over_time" + sel), absl::StrCat(R"({env="dev"} 5; {env="prod"} )", std::sqrt(200.0)));
  EXPECT_EQ(Instant("quantile_over_time(0.9, " + sel.substr(1)), R"({env="dev"} 14; {env="prod"} 46)");
  // Without grouping the unwrapped label is dropped and the parsed ones stay.
  EXPECT_EQ(Instant(R"(sum_over_time({app="x", env="dev"} | logfmt | unwrap latency [5s]))"),
            R"({app="x", env="dev", level="info", msg="ok"} 5; {app="x", env="dev", level="warn", msg="slow"} 15)");
  // Range-aggregation grouping merges the samples of several streams into one window.
  EXPECT_EQ(Instant(R"(max_over_time({app="x"} | logfmt | unwrap latency [5s]) by (app))"), R"({app="x"} 50)");
  EXPECT_EQ(Instant(R"(first_over_time({app="x"} | logfmt | unwrap latency [5s]) by (app))"), R"({app="x"} 10)");
}

TEST_F(MetricQueryTest, RateCounterAsLoki) {
  // Loki's extrapolatedRate with its units (ns times, ms range): 40 * (4e6 + 5) / 4e6 / 5.
  std::string r = Instant(R"(rate_counter({app="x", env="prod"} | logfmt latency | unwrap latency [5s]))");
  EXPECT_EQ(r, absl::StrCat(R"({app="x", env="prod"} )", 40 * (4e6 + 5) / 4e6 / 5));
}

TEST_F(MetricQueryTest, UnwrapConversionErrorsFailTheQueryUnlessFiltered) {
  std::string err = Instant(R"(sum_over_time({app="x"} | logfmt | unwrap msg [5s]))");
  EXPECT_EQ(err.substr(0, 44), "error: pipeline error: 'SampleExtractionErr'") << err;
  EXPECT_EQ(Instant(R"(sum_over_time({app="x"} | logfmt | unwrap msg | __error__="" [5s]))"), "");
}

TEST_F(MetricQueryTest, PipelineErrorsFailMetricQueries) {
  std::string err = Instant(R"(count_over_time({app="y"} | json [10s]))", 6);
  EXPECT_EQ(err.substr(0, 38), "error: pipeline error: 'JSONParserErr'") << err;
  EXPECT_EQ(Instant(R"(count_over_time({app="y"} | json | __error__="" [10s]))", 6),
            R"({app="y", level="error", status="500", trace_id="abc"} 1)");
}

TEST_F(MetricQueryTest, VectorAggregations) {
  const std::string in = R"((count_over_time({app="x"}[5s])))";  // prod 5, dev 2
  EXPECT_EQ(Instant("sum" + in), "{} 7");
  EXPECT_EQ(Instant("sum by (app)" + in), R"({app="x"} 7)");
  EXPECT_EQ(Instant("sum without (env)" + in), R"({app="x"} 7)");
  EXPECT_EQ(Instant("avg" + in), "{} 3.5");
  EXPECT_EQ(Instant("min" + in), "{} 2");
  EXPECT_EQ(Instant("max" + in), "{} 5");
  EXPECT_EQ(Instant("count" + in), "{} 2");
  EXPECT_EQ(Instant("stddev" + in), "{} 1.5");
  EXPECT_EQ(Instant("stdvar" + in), "{} 2.25");
  EXPECT_EQ(Instant("topk(1, " + in.substr(1)), R"({app="x", env="prod"} 5)");
  EXPECT_EQ(Instant("bottomk(1, " + in.substr(1)), R"({app="x", env="dev"} 2)");
  EXPECT_EQ(Instant("sort" + in), R"({app="x", env="dev"} 2; {app="x", env="prod"} 5)");
  EXPECT_EQ(Instant("sort_desc" + in), R"({app="x", env="prod"} 5; {app="x", env="dev"} 2)");
}

TEST_F(MetricQueryTest, LiteralsAndVector) {
  EXPECT_EQ(Instant("vector(1)+vector(1)", 4), "{} 2");
  EXPECT_EQ(Instant("1+1", 4), "scalar 2@1700000004000");
  EXPECT_EQ(Instant("2 * vector(3)", 4), "{} 6");
  EXPECT_EQ(Range("vector(1)+vector(1)", 0, 2, 1), "{}: 2@1700000000000 2@1700000001000 2@1700000002000");
  EXPECT_EQ(Range("3", 0, 1, 1), "{}: 3@1700000000000 3@1700000001000");
}

TEST_F(MetricQueryTest, ArithmeticAndComparisons) {
  const std::string c = R"(count_over_time({app="x"}[5s]))";
  EXPECT_EQ(Instant(c + " * 2"), R"({app="x", env="dev"} 4; {app="x", env="prod"} 10)");
  EXPECT_EQ(Instant(c + " > 3"), R"({app="x", env="prod"} 5)");
  EXPECT_EQ(Instant(c + " > bool 3"), R"({app="x", env="dev"} 0; {app="x", env="prod"} 1)");
  EXPECT_EQ(Instant("2 < " + c), R"({app="x", env="prod"} 5)");
  EXPECT_EQ(Instant(c + " / " + c), R"({app="x", env="dev"} 1; {app="x", env="prod"} 1)");
  EXPECT_EQ(Instant(c + " / on (env) " + c), R"({env="dev"} 1; {env="prod"} 1)");
  EXPECT_EQ(Instant(c + " - ignoring (app) " + c), R"({env="dev"} 0; {env="prod"} 0)");
  EXPECT_EQ(Instant(c + " % 3"), R"({app="x", env="dev"} 2; {app="x", env="prod"} 2)");
  EXPECT_EQ(Instant(c + " ^ 2"), R"({app="x", env="dev"} 4; {app="x", env="prod"} 25)");
}

TEST_F(MetricQueryTest, SetOperators) {
  const std::string all = R"(count_over_time({app="x"}[5s]))";
  const std::string prod = R"(count_over_time({app="x", env="prod"}[5s]))";
  const std::string y = R"(count_over_time({app="y"}[5s]))";
  EXPECT_EQ(Instant(all + " and " + prod), R"({app="x", env="prod"} 5)");
  EXPECT_EQ(Instant(all + " unless " + prod), R"({app="x", env="dev"} 2)");
  EXPECT_EQ(Instant(prod + " or " + y), R"({app="x", env="prod"} 5; {app="y", trace_id="abc"} 1)");
  EXPECT_EQ(Instant(all + " and on (app) " + prod), R"({app="x", env="dev"} 2; {app="x", env="prod"} 5)");
}

TEST_F(MetricQueryTest, GroupLeftAndMatchingErrors) {
  const std::string c = R"(count_over_time({app="x"}[5s]))";
  EXPECT_EQ(Instant(c + " / on (app) group_left sum by (app) (" + c + ")"),
            absl::StrCat(R"({app="x", env="dev"} )", 2.0 / 7, R"(; {app="x", env="prod"} )", 5.0 / 7));
  EXPECT_EQ(Instant("sum by (app) (" + c + ") / on (app) group_right " + c),
            absl::StrCat(R"({app="x", env="dev"} )", 7.0 / 2, R"(; {app="x", env="prod"} )", 7.0 / 5));
  EXPECT_EQ(Instant(c + " / on (app) " + c),
            R"(error: found duplicate series for the match group {app="x"} on the right hand-side of the )"
            "operation;many-to-many matching not allowed: matching labels must be unique on one side");
}

TEST_F(MetricQueryTest, LabelReplace) {
  EXPECT_EQ(Instant(R"x(label_replace(count_over_time({app="x"}[5s]), "e", "$1-z", "env", "(p.*)"))x"),
            R"({app="x", e="prod-z", env="prod"} 5; {app="x", env="dev"} 2)");
  EXPECT_EQ(Instant(R"x(label_replace(count_over_time({app="x"}[5s]), "e", "${1}", "env", "(["))x").substr(0, 50),
            "error: invalid regular expression in label_replace");
}

TEST_F(MetricQueryTest, RangeQueryIsAMatrixOverInclusiveSteps) {
  EXPECT_EQ(Range(R"(count_over_time({app="x", env="prod"}[1s]))", 1, 5, 2),
            R"({app="x", env="prod"}: 1@1700000001000 1@1700000003000 1@1700000005000)");
  EXPECT_EQ(Range(R"(sum(count_over_time({app="x"}[2s])))", 2, 6, 2),
            "{}: 3@1700000002000 3@1700000004000 1@1700000006000");
}

// The logs-volume query Grafana's Explore sends with every log query.
TEST_F(MetricQueryTest, GrafanaLogsVolumeQuery) {
  EXPECT_EQ(Range(R"(sum by (level, detected_level) (count_over_time({app="x"} | drop __error__ [2s])))", 2, 4, 2),
            "{}: 3@1700000002000 3@1700000004000");
  EXPECT_EQ(Range(R"(sum by (level) (count_over_time({app="x"} | logfmt | drop __error__ [5s])))", 5, 5, 1),
            R"({level="error"}: 2@1700000005000; {level="info"}: 4@1700000005000; {level="warn"}: 1@1700000005000)");
}

TEST_F(MetricQueryTest, Limits) {
  Engine small(store_.store(), EngineOptions{.max_series = 1});
  EXPECT_EQ(Instant(R"(count_over_time({app="x"}[5s]))", 5, &small),
            "error: maximum of series (1) reached for a single query");
  EXPECT_EQ(Instant(R"(sum(count_over_time({app="x"}[5s])))", 5, &small), "{} 7");
  EXPECT_EQ(Range(R"(count_over_time({app="x"}[5s]))", 0, 1, 0),
            "error: zero or negative query resolution step widths are not accepted. Try a positive integer");
  QueryParams p;
  p.query = "vector(1)";
  p.start_ns = 0;
  p.end_ns = int64_t{20000} * 1000000000;
  p.step_ns = 1000000000;
  absl::StatusOr<QueryResult> r = engine_.Query(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution "
            "(?step=XX)");
}

TEST_F(MetricQueryTest, StatsCountSamplesReturned) {
  QueryParams p;
  p.query = R"(count_over_time({app="x"}[5s]))";
  p.start_ns = p.end_ns = S(5);
  p.instant = true;
  absl::StatusOr<QueryResult> r = engine_.Query(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.lines_processed, 7u);
  EXPECT_EQ(r->stats.entries_returned, 2u);
}

}  // namespace
}  // namespace vigil::logengine
