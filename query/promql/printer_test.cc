#include "query/promql/printer.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "query/promql/parser.h"

namespace vigil::promql {
namespace {

ExprPtr MustParse(std::string_view q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  if (!e.ok()) return nullptr;
  return *std::move(e);
}

// Queries covering every construct; each must print canonically and parse back to the same text.
const std::vector<std::string>& Corpus() {
  static const std::vector<std::string>* const corpus = new std::vector<std::string>{
      "1",
      "-1.5e-7",
      "+Inf",
      "NaN",
      "5m",
      "\"str\\ning\"",
      "foo",
      "foo:bar",
      "{__name__=~\"a.+\",job=\"x\"}",
      "{\"my.metric\",\"some.label\"=~\"v\"}",
      "foo{a=\"b\",c!=\"d\",e=~\"f\",g!~\"h\"}",
      "foo offset 5m",
      "foo offset -1h",
      "foo @ 100",
      "foo @ start() offset 1d",
      "foo[5m]",
      "foo[1h30m] offset 1w @ end()",
      "foo[300]",
      "rate(foo[5m])[30m:1m]",
      "max_over_time(deriv(rate(x[1m])[5m:])[10m:] offset 1m)",
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
      "sum without (instance) (x)",
      "sum by (\"a.b\", c) (x)",
      "topk(3, x) by (job)",
      "count_values(\"value\", x)",
      "quantile without () (0.99, x)",
      "limitk(1, x)",
      "limit_ratio(-0.5, x)",
      "a + b * c ^ d",
      "(a + b) * c",
      "a - (b - c)",
      "2 ^ (3 ^ 2)",
      "(2 ^ 3) ^ 2",
      "-(a + b)",
      "-a ^ 2",
      "a == bool b",
      "a > on (job) group_left (instance) b",
      "a * ignoring (x) group_right () b",
      "a and on () b",
      "a or b unless c",
      "a atan2 b",
      "h </ 1.5",
      "h >/ -Inf",
      "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")",
      "label_join(up, \"dst\", \",\", \"a\", \"b\")",
      "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
      "clamp(x, 0, 1)",
      "vector(time()) + scalar(x)",
      "round(x, 0.1)",
      "absent(nonexistent{job=\"x\"})",
      "sort_by_label_desc(x, \"a\", \"b\")",
      "info(x, {k8s_cluster=~\".+\"})",
      "1 + 2 * 3 > bool 4",
      "start() + end()",
  };
  return *corpus;
}

TEST(PrinterTest, RoundTrip) {
  for (const std::string& q : Corpus()) {
    ExprPtr e = MustParse(q);
    if (e == nullptr) continue;
    const std::string once = ToString(*e);
    ExprPtr again = MustParse(once);
    if (again == nullptr) continue;
    EXPECT_EQ(ToString(*again), once) << q;
    // Pretty output is also valid PromQL with the same meaning.
    ExprPtr pretty = MustParse(PrettyWithWidth(*e, 10));
    if (pretty == nullptr) continue;
    EXPECT_EQ(ToString(*pretty), once) << q;
  }
}

TEST(PrinterTest, Canonical) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sum by() (x)", "sum(x)"},
      {"sum(x) by(code)", "sum by (code) (x)"},
      {"sum without() (x)", "sum without () (x)"},
      {"a - on() c", "a - on () c"},
      {"a - ignoring(b) group_left c", "a - ignoring (b) group_left () c"},
      {"a - on(b) group_right(x,y) c", "a - on (b) group_right (x, y) c"},
      {"a + on(\"b.c\") d", "a + on (\"b.c\") d"},
      {"foo{c=\"d\", a=\"b\"}", "foo{a=\"b\",c=\"d\"}"},
      {"{__name__=\"foo\"}", "{__name__=\"foo\"}"},
      {"foo @ 1.2345", "foo @ 1.235"},
      {"foo @ 1.2344", "foo @ 1.234"},
      {"foo @ 1.2355", "foo @ 1.236"},
      {"foo offset 90000ms", "foo offset 1m30s"},
      {"foo[1d1h]", "foo[1d1h]"},
      {"foo[7d]", "foo[1w]"},
      {"foo[365d]", "foo[1y]"},
      {"foo[90d]", "foo[90d]"},
      {"1e21", "1000000000000000000000"},
      {"1e-7", "0.0000001"},
      {"-0", "-0"},
      {"0.1 + 0.2", "0.1 + 0.2"},
      {"'a\\'b'", "\"a'b\""},
      {"\"\\xff\"", "\"\\xff\""},
      {"-1h", "-1h"},
  };
  for (const auto& [in, want] : cases) {
    ExprPtr e = MustParse(in);
    if (e == nullptr) continue;
    EXPECT_EQ(ToString(*e), want) << in;
  }
}

TEST(PrinterTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1ms");
  EXPECT_EQ(FormatDuration(90000), "1m30s");
  EXPECT_EQ(FormatDuration(3600000 + 1), "1h1ms");
  EXPECT_EQ(FormatDuration(14LL * 86400000), "2w");
  EXPECT_EQ(FormatDuration(15LL * 86400000), "15d");
  EXPECT_EQ(FormatDuration(365LL * 86400000), "1y");
  EXPECT_EQ(FormatDuration(366LL * 86400000), "366d");
  EXPECT_EQ(FormatDuration(-60000), "-1m");
}

TEST(PrinterTest, PrettyShortQueriesStayOnOneLine) {
  ExprPtr e = MustParse("sum by (job) (rate(x[5m]))");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Pretty(*e), "sum by (job) (rate(x[5m]))");
}

TEST(PrettyTest, SplitsLongLines) {
  const std::string q =
      "sum by (job, instance) (rate(http_requests_total{job=\"api-server\",handler=~\"/api/v1/.*\"}[5m])) / "
      "ignoring (code) group_left sum by (job, instance) (rate(http_requests_total[5m]))";
  ExprPtr e = MustParse(q);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Pretty(*e),
            "  sum by (job, instance) (rate(http_requests_total{handler=~\"/api/v1/.*\",job=\"api-server\"}[5m]))\n"
            "/ ignoring (code) group_left ()\n"
            "  sum by (job, instance) (rate(http_requests_total[5m]))");
}

TEST(PrettyTest, SplitsNestedNodesThatAreStillTooLong) {
  const std::string q =
      "sum by (job, instance) (rate(http_requests_total{job=\"api-server\",handler=~\"/api/v1/query_range.*\"}[5m]))";
  ExprPtr e = MustParse(q);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Pretty(*e),
            "sum by (job, instance) (\n"
            "  rate(http_requests_total{handler=~\"/api/v1/query_range.*\",job=\"api-server\"}[5m])\n"
            ")");
}

TEST(PrettyTest, NarrowWidth) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sum(foo)", "sum(foo)"},
      {"sum by (a) (foo_bar)", "sum by (a) (\n  foo_bar\n)"},
      {"topk(5, foo_bar)", "topk(\n  5,\n  foo_bar\n)"},
      {"a + b + c", "a + b + c"},
      {"aaaa + bbbb + cccc", "    aaaa\n  +\n    bbbb\n+\n  cccc"},
      {"aaaa > bool bbbbbb", "  aaaa\n> bool\n  bbbbbb"},
      {"rate(foo_bar[5m])", "rate(\n  foo_bar[5m]\n)"},
      {"(foo_bar_baz)", "(\n  foo_bar_baz\n)"},
      {"-rate(foo_bar[5m])", "-rate(\n  foo_bar[5m]\n)"},
      {"rate(foo[5m])[10m:]", "rate(\n  foo[5m]\n)[10m:]"},
      {"label_replace(a, \"b\", \"c\", \"d\", \"e\")",
       "label_replace(\n  a,\n  \"b\",\n  \"c\",\n  \"d\",\n  \"e\"\n)"},
      {"sum(x)[5m:]", "sum(x)[5m:]"},
  };
  for (const auto& [in, want] : cases) {
    ExprPtr e = MustParse(in);
    if (e == nullptr) continue;
    EXPECT_EQ(PrettyWithWidth(*e, 10), want) << in;
  }
}

}  // namespace
}  // namespace vigil::promql
