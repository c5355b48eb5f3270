// Parser tests: every construct, precedence, and Loki's error texts with positions.
#include "query/logql/parser.h"

#include <string>

#include "gtest/gtest.h"
#include "query/logql/printer.h"

namespace vigil::logql {
namespace {

ExprPtr MustParse(std::string_view q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

std::string Err(std::string_view q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  if (e.ok()) return "OK: " + ToString(**e);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(e.status().message());
}

std::string Print(std::string_view q) {
  ExprPtr e = MustParse(q);
  return e ? ToString(*e) : "";
}

TEST(ParserTest, StreamSelector) {
  ExprPtr e = MustParse(R"({app="api", env!="dev", ns=~"prod-.*", pod!~"x.*"})");
  ASSERT_EQ(e->kind, ExprKind::kLogSelector);
  const auto& s = As<LogSelectorExpr>(*e);
  ASSERT_EQ(s.matchers.size(), 4u);
  EXPECT_EQ(s.matchers[0].type(), MatchType::kEqual);
  EXPECT_EQ(s.matchers[1].type(), MatchType::kNotEqual);
  EXPECT_EQ(s.matchers[2].type(), MatchType::kRegexMatch);
  EXPECT_EQ(s.matchers[3].type(), MatchType::kRegexNoMatch);
  EXPECT_EQ(s.matchers[2].value(), "prod-.*");
  EXPECT_TRUE(s.stages.empty());
}

TEST(ParserTest, SelectorNeedsANonEmptyMatcher) {
  const std::string want =
      "parse error : queries require at least one regexp or equality matcher that does not have an "
      "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";
  EXPECT_EQ(Err(R"({app=~".*"})"), want);
  EXPECT_EQ(Err(R"({})"), want);
  EXPECT_EQ(Err(R"({app!="x"})"), want);
  EXPECT_EQ(Err(R"(count_over_time({app=""}[5m]))"), want);
  EXPECT_EQ(Err(R"({app=~".+"})"), R"(OK: {app=~".+"})");
}

TEST(ParserTest, LineFilters) {
  ExprPtr e = MustParse(R"({app="a"} |= "x" != `y` |~ "err|fatal" !~ "debug" |= "a" or "b" != "c" or "d")");
  const auto& s = As<LogSelectorExpr>(*e);
  ASSERT_EQ(s.stages.size(), 7u);
  const auto& f0 = std::get<LineFilterStage>(s.stages[0]);
  EXPECT_EQ(f0.type, LineMatchType::kContains);
  EXPECT_EQ(f0.values, std::vector<std::string>{"x"});
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[1]).values[0], "y");
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[2]).type, LineMatchType::kRegex);
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[3]).type, LineMatchType::kNotRegex);
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[4]).values, (std::vector<std::string>{"a", "b"}));
  // != "c" or "d" is != "c" != "d".
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[5]).values, std::vector<std::string>{"c"});
  EXPECT_EQ(std::get<LineFilterStage>(s.stages[6]).values, std::vector<std::string>{"d"});
  EXPECT_EQ(ToString(*e), R"({app="a"} |= "x" != "y" |~ "err|fatal" !~ "debug" |= "a" or "b" != "c" != "d")");
}

TEST(ParserTest, Parsers) {
  EXPECT_EQ(Print(R"({a="b"} | json)"), R"({a="b"} | json)");
  EXPECT_EQ(Print(R"({a="b"} | json first="servers[0]", ua="request.headers[\"User-Agent\"]", level)"),
            R"({a="b"} | json first="servers[0]",ua="request.headers[\"User-Agent\"]",level="level")");
  EXPECT_EQ(Print(R"({a="b"} | logfmt)"), R"({a="b"} | logfmt)");
  EXPECT_EQ(Print(R"({a="b"} | logfmt --strict --keep-empty)"), R"({a="b"} | logfmt --strict --keep-empty)");
  EXPECT_EQ(Print(R"({a="b"} | logfmt --strict msg, lvl="level")"),
            R"({a="b"} | logfmt --strict msg="msg",lvl="level")");
  EXPECT_EQ(Print(R"q({a="b"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q"),
            R"q({a="b"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q");
  EXPECT_EQ(Print(R"({a="b"} | pattern "<ip> - <_> \"<method> <path>\"")"),
            R"({a="b"} | pattern "<ip> - <_> \"<method> <path>\"")");
  EXPECT_EQ(Print(R"({a="b"} | unpack | decolorize)"), R"({a="b"} | unpack | decolorize)");
}

TEST(ParserTest, ParserErrors) {
  EXPECT_EQ(Err(R"q({a="b"} | regexp "(.*)")q"),
            "parse error : invalid regexp parser: at least one named capture must be supplied");
  EXPECT_EQ(Err(R"({a="b"} | pattern "<_> foo")"),
            "parse error : invalid pattern parser: at least one capture is required");
  EXPECT_EQ(Err(R"({a="b"} | pattern "<a><b>")"),
            "parse error : invalid pattern parser: found consecutive capture '<a><b>': invalid expression");
  EXPECT_EQ(Err(R"({a="b"} |~ "(")").substr(0, 40), "parse error : invalid regex in line filt");
}

TEST(ParserTest, LabelFilters) {
  ExprPtr e = MustParse(
      R"({a="b"} | json | level="error" | status >= 500 | latency > 250ms | size <= 1KiB | x != 3 | y == -1.5)");
  const auto& s = As<LogSelectorExpr>(*e);
  ASSERT_EQ(s.stages.size(), 7u);
  const LabelFilterExpr& f1 = *std::get<LabelFilterStage>(s.stages[1]).filter;
  EXPECT_EQ(f1.kind, LabelFilterExpr::Kind::kString);
  const LabelFilterExpr& f2 = *std::get<LabelFilterStage>(s.stages[2]).filter;
  EXPECT_EQ(f2.kind, LabelFilterExpr::Kind::kNumber);
  EXPECT_EQ(f2.op, CompareOp::kGe);
  EXPECT_EQ(f2.number, 500);
  const LabelFilterExpr& f3 = *std::get<LabelFilterStage>(s.stages[3]).filter;
  EXPECT_EQ(f3.kind, LabelFilterExpr::Kind::kDuration);
  EXPECT_EQ(f3.duration_ns, 250000000);
  const LabelFilterExpr& f4 = *std::get<LabelFilterStage>(s.stages[4]).filter;
  EXPECT_EQ(f4.kind, LabelFilterExpr::Kind::kBytes);
  EXPECT_EQ(f4.bytes, 1024u);
  EXPECT_EQ(std::get<LabelFilterStage>(s.stages[6]).filter->number, -1.5);
  EXPECT_EQ(ToString(*e),
            R"({a="b"} | json | level="error" | status>=500 | latency>250ms | size<=1KiB | x!=3 | y==-1.5)");
}

TEST(ParserTest, LabelFilterPrecedence) {
  // and binds tighter than or; ',' and juxtaposition take everything to their right, as Loki's yacc grammar.
  EXPECT_EQ(Print(R"({a="b"} | x="1" and y="2" or z="3")"), R"({a="b"} | ( ( x="1" , y="2" ) or z="3" ))");
  EXPECT_EQ(Print(R"({a="b"} | x="1" or y="2" and z="3")"), R"({a="b"} | ( x="1" or ( y="2" , z="3" ) ))");
  EXPECT_EQ(Print(R"({a="b"} | x="1", y="2" or z="3")"), R"({a="b"} | ( x="1" , ( y="2" or z="3" ) ))");
  EXPECT_EQ(Print(R"({a="b"} | x="1" y="2")"), R"({a="b"} | ( x="1" , y="2" ))");
  EXPECT_EQ(Print(R"({a="b"} | (x="1" or y="2") and z>1)"), R"({a="b"} | ( ( x="1" or y="2" ) , z>1 ))");
}

TEST(ParserTest, FormattersDropKeep) {
  EXPECT_EQ(Print(R"({a="b"} | line_format "{{.msg}} {{ .level | ToUpper }}")"),
            R"({a="b"} | line_format "{{.msg}} {{ .level | ToUpper }}")");
  EXPECT_EQ(Print(R"({a="b"} | label_format dst=src, lvl="{{.level}}")"),
            R"({a="b"} | label_format dst=src,lvl="{{.level}}")");
  EXPECT_EQ(Print(R"({a="b"} | drop a, b="x", __error__)"), R"({a="b"} | drop a,b="x",__error__)");
  EXPECT_EQ(Print(R"({a="b"} | keep a, b=~"x.*")"), R"({a="b"} | keep a,b=~"x.*")");
}

TEST(ParserTest, RangeAggregations) {
  EXPECT_EQ(Print(R"(count_over_time({app="x"}[5m]))"), R"(count_over_time({app="x"}[5m]))");
  EXPECT_EQ(Print(R"(rate({app="x"} |= "err" [1m]))"), R"(rate({app="x"} |= "err"[1m]))");
  EXPECT_EQ(Print(R"(bytes_rate({app="x"}[30s] offset 1h))"), R"(bytes_rate({app="x"}[30s] offset 1h))");
  EXPECT_EQ(Print(R"(bytes_over_time(({app="x"})[1h]))"), R"(bytes_over_time({app="x"}[1h]))");
  EXPECT_EQ(Print(R"(absent_over_time({app="x"}[5m]))"), R"(absent_over_time({app="x"}[5m]))");
  EXPECT_EQ(Print(R"(sum_over_time({app="x"} | logfmt | unwrap bytes(size) | __error__="" [5m]))"),
            R"(sum_over_time({app="x"} | logfmt | unwrap bytes(size) | __error__=""[5m]))");
  EXPECT_EQ(Print(R"(quantile_over_time(0.99, {app="x"} | json | unwrap duration(latency) [5m]) by (path))"),
            R"(quantile_over_time(0.99,{app="x"} | json | unwrap duration(latency)[5m]) by (path))");
  EXPECT_EQ(Print(R"(avg_over_time({app="x"}[5m] | json | unwrap latency))"),
            R"(avg_over_time({app="x"} | json | unwrap latency[5m]))");
  for (const char* op : {"avg", "sum", "min", "max", "stddev", "stdvar", "first", "last"}) {
    const std::string q = std::string(op) + R"(_over_time({a="b"} | unwrap x [1m]))";
    EXPECT_EQ(Print(q), std::string(op) + R"(_over_time({a="b"} | unwrap x[1m]))");
  }
  EXPECT_EQ(Print(R"(rate_counter({a="b"} | unwrap x [1m]))"), R"(rate_counter({a="b"} | unwrap x[1m]))");
  ExprPtr e = MustParse(R"(quantile_over_time(0.5, {a="b"} | unwrap x [2m] offset 30s) without (y))");
  const auto& r = As<RangeAggregationExpr>(*e);
  EXPECT_EQ(r.op, RangeOp::kQuantileOverTime);
  EXPECT_EQ(*r.param, 0.5);
  EXPECT_EQ(r.range_ns, 120'000'000'000);
  EXPECT_EQ(r.offset_ns, 30'000'000'000);
  EXPECT_TRUE(r.grouping->without);
}

TEST(ParserTest, RangeAggregationErrors) {
  EXPECT_EQ(Err(R"(sum_over_time({a="b"}[5m]))"), "parse error : invalid aggregation sum_over_time without unwrap");
  EXPECT_EQ(Err(R"(count_over_time({a="b"} | unwrap x [5m]))"),
            "parse error : invalid aggregation count_over_time with unwrap");
  EXPECT_EQ(Err(R"(rate({a="b"}[5m]) by (x))"), "parse error : grouping not allowed for rate aggregation");
  EXPECT_EQ(Err(R"(quantile_over_time({a="b"} | unwrap x [5m]))"),
            "parse error : parameter required for operation quantile_over_time");
  EXPECT_EQ(Err(R"(sum_over_time(50, {a="b"} | unwrap x [5m]))"),
            "parse error : parameter 50 not supported for operation sum_over_time");
  EXPECT_EQ(Err(R"(rate({ foo = "bar" }[5minutes]))"),
            R"(parse error at line 1, col 21: unknown unit "minutes" in duration "5minutes")");
  EXPECT_EQ(Err(R"(rate({ foo = "bar" }[5)"), "parse error at line 1, col 21: missing closing ']' in duration");
  EXPECT_EQ(Err(R"(quantile_over_time(foo,{namespace="tns"} | unwrap latency [5m]))"),
            "parse error at line 1, col 20: syntax error: unexpected IDENTIFIER, expecting NUMBER or { or (");
  EXPECT_EQ(Err(R"({a="b"} | unwrap x)"), "parse error at line 1, col 11: syntax error: unexpected unwrap");
}

TEST(ParserTest, VectorAggregations) {
  EXPECT_EQ(Print(R"(sum by (level) (count_over_time({a="b"}[5m])))"),
            R"(sum by (level)(count_over_time({a="b"}[5m])))");
  EXPECT_EQ(Print(R"(sum(count_over_time({a="b"}[5m])) without (x, y))"),
            R"(sum without (x,y)(count_over_time({a="b"}[5m])))");
  EXPECT_EQ(Print(R"(topk(10, sum by (p) (rate({a="b"}[1m]))))"), R"(topk(10,sum by (p)(rate({a="b"}[1m]))))");
  EXPECT_EQ(Print(R"(bottomk by (x) (3, rate({a="b"}[1m])))"), R"(bottomk by (x)(3,rate({a="b"}[1m])))");
  for (const char* op : {"avg", "min", "max", "count", "stddev", "stdvar", "sort", "sort_desc"}) {
    EXPECT_EQ(Print(std::string(op) + R"((rate({a="b"}[1m])))"), std::string(op) + R"((rate({a="b"}[1m])))");
  }
  EXPECT_EQ(Print(R"(SUM BY (x) (RATE({a="b"}[1m])))"), R"(sum by (x)(rate({a="b"}[1m])))");
  // The Grafana logs-volume query.
  EXPECT_EQ(Print(R"(sum by (level, detected_level) (count_over_time({app="x"} | drop __error__ [15s])))"),
            R"(sum by (level,detected_level)(count_over_time({app="x"} | drop __error__[15s])))");
}

TEST(ParserTest, VectorAggregationErrors) {
  EXPECT_EQ(Err(R"(topk(rate({a="b"}[1m])))"), "parse error : parameter required for operation topk");
  EXPECT_EQ(Err(R"(topk(1.2, rate({a="b"}[1m])))"), "parse error : invalid parameter topk(1.2,");
  EXPECT_EQ(Err(R"(topk(0, rate({a="b"}[1m])))"), "parse error : invalid parameter (must be greater than 0) topk(0");
  EXPECT_EQ(Err(R"(sum(3, rate({a="b"}[1m])))"), "parse error : unsupported parameter for operation sum(3,");
  EXPECT_EQ(Err(R"(sort by (x) (rate({a="b"}[1m])))"), "parse error : sort and sort_desc doesn't allow grouping by ");
  EXPECT_EQ(Err(R"(stddev({ foo = "bar" }))"), "parse error at line 1, col 23: syntax error: unexpected )");
  EXPECT_EQ(Err(R"(min({ foo = "bar" }[5m]))"), "parse error at line 1, col 20: syntax error: unexpected RANGE");
  EXPECT_EQ(Err(R"(bottomk(he,count_over_time({ foo = "bar" }[5h])))"),
            "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER");
  EXPECT_EQ(Err(R"(count without (rate({namespace="apps"}[15s])))"),
            "parse error at line 1, col 16: syntax error: unexpected RATE, expecting IDENTIFIER or )");
}

TEST(ParserTest, BinaryOperationsAndPrecedence) {
  EXPECT_EQ(Print(R"(rate({a="b"}[1m]) + rate({a="c"}[1m]) * 2)"), R"((rate({a="b"}[1m]) + (rate({a="c"}[1m]) * 2)))");
  EXPECT_EQ(Print(R"(rate({a="b"}[1m]) / rate({a="c"}[1m]) > bool 0.5)"),
            R"(((rate({a="b"}[1m]) / rate({a="c"}[1m])) > bool 0.5))");
  EXPECT_EQ(Print(R"(vector(2) ^ vector(3) ^ vector(2))"),
            "(vector(2.000000) ^ (vector(3.000000) ^ vector(2.000000)))");
  EXPECT_EQ(Print(R"(rate({a="b"}[1m]) or rate({a="c"}[1m]) and rate({a="d"}[1m]))"),
            R"((rate({a="b"}[1m]) or (rate({a="c"}[1m]) and rate({a="d"}[1m]))))");
  EXPECT_EQ(Print(R"(sum by (job) (rate({a="b"}[1m])) / on (job) group_left (x) sum by (job) (rate({a="c"}[1m])))"),
            R"((sum by (job)(rate({a="b"}[1m])) / on (job) group_left (x) sum by (job)(rate({a="c"}[1m]))))");
  EXPECT_EQ(Print(R"(rate({a="b"}[1m]) - ignoring (x) rate({a="c"}[1m]))"),
            R"((rate({a="b"}[1m]) - ignoring (x) rate({a="c"}[1m])))");
  EXPECT_EQ(Print(R"(vector(1)+vector(1))"), "(vector(1.000000) + vector(1.000000))");
  EXPECT_EQ(Print(R"(1 + 1)"), "2");
  EXPECT_EQ(Print(R"(2 * 3 + 4 ^ 0.5)"), "8");
  EXPECT_EQ(Print(R"(1 > 2)"), "0");
  EXPECT_EQ(Print(R"(-1 + 3)"), "2");
  EXPECT_EQ(Print(R"((1 + 2) * 3)"), "9");
  EXPECT_EQ(Print(R"(1e6)"), "1e+06");
  EXPECT_EQ(Print(R"q(label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(.*)"))q"),
            R"q(label_replace(rate({a="b"}[1m]),"dst","$1","src","(.*)"))q");
}

TEST(ParserTest, BinaryOperationErrors) {
  EXPECT_EQ(Err(R"({a="b"} + rate({a="b"}[1m]))"),
            "parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr");
  EXPECT_EQ(Err(R"(rate({a="b"}[1m]) - {a="b"} |= "x")"),
            "parse error : unexpected type for right leg of binary operation (-): *syntax.PipelineExpr");
  EXPECT_EQ(Err(R"(rate({a="b"}[1m]) or 1)"),
            "parse error : unexpected literal for right leg of logical/set binary operation (or): 1.000000");
  EXPECT_EQ(Err(R"(1 unless rate({a="b"}[1m]))"),
            "parse error : unexpected literal for left leg of logical/set binary operation (unless): 1.000000");
  EXPECT_EQ(Err("bool 1 > 1"), "parse error at line 1, col 1: syntax error: unexpected bool");
  EXPECT_EQ(Err("vector(abc)"), "parse error at line 1, col 8: syntax error: unexpected IDENTIFIER, expecting NUMBER");
  EXPECT_EQ(Err("0x10 + 1"),
            R"(parse error : unable to parse literal as a float: strconv.ParseFloat: parsing "0x10": invalid syntax)");
}

TEST(ParserTest, SyntaxErrorsWithPositions) {
  EXPECT_EQ(Err(R"({foo="bar})"), "parse error at line 1, col 6: literal not terminated");
  EXPECT_EQ(Err(R"({foo="bar")"), "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,");
  EXPECT_EQ(Err(R"({foo="bar"} |~)"),
            "parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip");
  EXPECT_EQ(Err(R"({foo="bar"} "foo")"), "parse error at line 1, col 13: syntax error: unexpected STRING");
  EXPECT_EQ(Err(R"({foo="bar"} foo)"), "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER");
  EXPECT_EQ(Err("{app=~\"\xa0\xa1\"}"), "parse error at line 1, col 7: invalid UTF-8 encoding");
  EXPECT_EQ(Err(R"(#{app="foo"} | json)"), "parse error at line 1, col 20: syntax error: unexpected $end");
  EXPECT_EQ(Err("{a=\"b\"}\n  | json\n  | foo bar"),
            "parse error at line 3, col 9: syntax error: unexpected IDENTIFIER");
  EXPECT_EQ(Err(R"({a "b"})"),
            "parse error at line 1, col 4: syntax error: unexpected STRING, expecting = or =~ or !~ or !=");
  EXPECT_EQ(Err(std::string(kMaxQueryBytes, ' ')), "parse error : input size too long (131072 > 131072)");
}

TEST(ParserTest, CommentsAndWhitespace) {
  EXPECT_EQ(Print("{app=\"x\"} # a comment\n |= \"y\""), R"({app="x"} |= "y")");
  EXPECT_EQ(Print("{app=\"x\"}\n\t| json\n\t| level=\"error\""), R"({app="x"} | json | level="error")");
}

TEST(ParserTest, FunctionNamesAreIdentifiersWithoutParens) {
  EXPECT_EQ(Print(R"({rate="x", bytes="1"} | count="2" | sum > 3)"), R"({rate="x", bytes="1"} | count="2" | sum>3)");
}

TEST(ParserTest, ParseLogSelectorAndMatchers) {
  EXPECT_TRUE(ParseLogSelector(R"({a="b"} | json)").ok());
  EXPECT_EQ(ParseLogSelector(R"(rate({a="b"}[1m]))").status().message(), "only log selector is supported");
  absl::StatusOr<std::vector<Matcher>> ms = ParseMatchers(R"({a="b", c=~"d.*"})", true);
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(ms->size(), 2u);
  EXPECT_TRUE(ParseMatchers(R"({a=~".*"})", false).ok());
  EXPECT_FALSE(ParseMatchers(R"({a=~".*"})", true).ok());
  EXPECT_EQ(ParseMatchers(R"({a="b"} |= "x")", true).status().message(), "only label matchers are supported");
}

}  // namespace
}  // namespace vigil::logql
