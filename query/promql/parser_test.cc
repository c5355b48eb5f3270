#include "query/promql/parser.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "query/promql/functions.h"
#include "query/promql/printer.h"

namespace vigil::promql {
namespace {

// A fully parenthesised rendering of the tree's structure, so precedence and associativity are visible.
std::string Sexp(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumberLiteral:
    case ExprKind::kStringLiteral:
    case ExprKind::kVectorSelector:
    case ExprKind::kMatrixSelector:
      return ToString(e);
    case ExprKind::kSubquery: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      return absl::StrCat("(subquery ", Sexp(*s.expr), " ", s.range_ms, " ", s.step_ms, ")");
    }
    case ExprKind::kParen:
      return absl::StrCat("(paren ", Sexp(*static_cast<const ParenExpr&>(e).expr), ")");
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return absl::StrCat("(u", std::string(BinaryOpString(u.op)), " ", Sexp(*u.expr), ")");
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return absl::StrCat("(", std::string(BinaryOpString(b.op)), " ", Sexp(*b.lhs), " ", Sexp(*b.rhs), ")");
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      return absl::StrCat("(", std::string(AggregateOpString(a.op)), a.param ? " " + Sexp(*a.param) : "", " ",
                          Sexp(*a.expr), ")");
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::vector<std::string> args;
      for (const ExprPtr& a : c.args) args.push_back(Sexp(*a));
      return absl::StrCat("(", std::string(c.func->name), args.empty() ? "" : " ", absl::StrJoin(args, " "), ")");
    }
    case ExprKind::kStepInvariant:
      return Sexp(*static_cast<const StepInvariantExpr&>(e).expr);
  }
  return "?";
}

std::string SexpOf(std::string_view q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  if (!e.ok()) return absl::StrCat("ERROR ", e.status().message());
  return Sexp(**e);
}

std::string ErrorOf(std::string_view q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  if (e.ok()) return absl::StrCat("OK ", ToString(**e));
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << q;
  return std::string(e.status().message());
}

template <typename T>
const T& As(const ExprPtr& e) {
  return static_cast<const T&>(*e);
}

TEST(ParserTest, Precedence) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"1 * 2 + 3", "(+ (* 1 2) 3)"},
      {"1 - 2 - 3", "(- (- 1 2) 3)"},
      {"1 / 2 / 3", "(/ (/ 1 2) 3)"},
      {"2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"},
      {"2 * 3 ^ 2", "(* 2 (^ 3 2))"},
      {"-1 ^ 2", "(u- (^ 1 2))"},
      {"-2 * 3", "(* -2 3)"},
      {"-a * b", "(* (u- a) b)"},
      {"-a ^ b", "(u- (^ a b))"},
      {"- - 1", "1"},
      {"+1", "1"},
      {"-(1)", "(u- (paren 1))"},
      {"2 ^ -3 ^ 2", "(^ 2 (u- (^ 3 2)))"},
      {"a + -b * c", "(+ a (* (u- b) c))"},
      {"a or b and c", "(or a (and b c))"},
      {"a and b or c", "(or (and a b) c)"},
      {"a unless b and c", "(and (unless a b) c)"},
      {"a == b + c", "(== a (+ b c))"},
      {"a + b > bool c * d", "(> (+ a b) (* c d))"},
      {"a or b > c", "(or a (> b c))"},
      {"a atan2 b * c", "(* (atan2 a b) c)"},
      {"a % b ^ c", "(% a (^ b c))"},
      {"a </ 1 + 2", "(</ a (+ 1 2))"},
      {"a >/ 1 or b", "(or (>/ a 1) b)"},
      {"(1 + 2) * 3", "(* (paren (+ 1 2)) 3)"},
      {"a + b offset 5m", "(+ a b offset 5m)"},
      {"-foo offset 5m", "(u- foo offset 5m)"},
      {"a * b offset 1m", "(* a b offset 1m)"},
      {"sum(a) + sum(b)", "(+ (sum a) (sum b))"},
      {"topk(3, a) > 1", "(> (topk 3 a) 1)"},
      {"rate(x[5m])[10m:]", "(subquery (rate x[5m]) 600000 0)"},
      {"max_over_time(x[5m:])[10m:1m]", "(subquery (max_over_time (subquery x 300000 0)) 600000 60000)"},
      {"x[5m:][10m:1m]", "ERROR 1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"1 + 2 / 3 - 4", "(- (+ 1 (/ 2 3)) 4)"},
      {"a == bool b == bool c", "(== (== a b) c)"},
  };
  for (const auto& [q, want] : cases) EXPECT_EQ(SexpOf(q), want) << q;
}

TEST(ParserTest, CanonicalForms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "1"},
      {"+1", "1"},
      {"-1", "-1"},
      {".5", "0.5"},
      {"5.", "5"},
      {"1e3", "1000"},
      {"1E-3", "0.001"},
      {"0x1F", "31"},
      {"0X1f", "31"},
      {"017", "15"},
      {"089", "89"},
      {"1_000", "1000"},
      {"Inf", "+Inf"},
      {"-inf", "-Inf"},
      {"NaN", "NaN"},
      {"nAn", "NaN"},
      {"1e10", "10000000000"},
      {"5m", "5m"},
      {"-5m", "-5m"},
      {"1h30m", "1h30m"},
      {"90m", "1h30m"},
      {"500ms", "500ms"},
      {"1y", "1y"},
      {"2w", "2w"},
      {"\"a\"", "\"a\""},
      {"'a\"b'", "\"a\\\"b\""},
      {"`a\\nb`", "\"a\\\\nb\""},
      {"\"\\u00e9\\x41\\101\"", "\"éAA\""},
      {"\"tab\\there\"", "\"tab\\there\""},
      {"foo", "foo"},
      {"foo:bar:rate5m", "foo:bar:rate5m"},
      {"foo{}", "foo"},
      {"foo{a=\"b\"}", "foo{a=\"b\"}"},
      {"foo{ a = \"b\" , }", "foo{a=\"b\"}"},
      {"foo{c=\"d\",a=\"b\"}", "foo{a=\"b\",c=\"d\"}"},
      {"foo{a!=\"b\",c=~\"d.*\",e!~'f'}", "foo{a!=\"b\",c=~\"d.*\",e!~\"f\"}"},
      {"{__name__=\"foo\"}", "{__name__=\"foo\"}"},
      {"{__name__=~\"foo|bar\"}", "{__name__=~\"foo|bar\"}"},
      {"{\"my.metric\"}", "{__name__=\"my.metric\"}"},
      {"{\"my.metric\", \"a.b\"=\"c\"}", "{\"a.b\"=\"c\",__name__=\"my.metric\"}"},
      {"foo{\"a.b\"=\"c\"}", "foo{\"a.b\"=\"c\"}"},
      {"foo{job=\"a\\nb\"}", "foo{job=\"a\\nb\"}"},
      {"sum", "sum"},
      {"SUM + by", "SUM + by"},
      {"start", "start"},
      {"offset offset 5m", "offset offset 5m"},
      {"foo offset 5m", "foo offset 5m"},
      {"foo OFFSET 1h30m", "foo offset 1h30m"},
      {"foo offset -5m", "foo offset -5m"},
      {"foo offset +5m", "foo offset 5m"},
      {"foo offset 300", "foo offset 5m"},
      {"foo offset 1.5", "foo offset 1s500ms"},
      {"foo @ 123", "foo @ 123.000"},
      {"foo @ 123.4567", "foo @ 123.457"},
      {"foo @ -10", "foo @ -10.000"},
      {"foo @ 1m", "foo @ 60.000"},
      {"foo @ start()", "foo @ start()"},
      {"foo @ end()", "foo @ end()"},
      {"foo offset 5m @ 10", "foo @ 10.000 offset 5m"},
      {"foo @ 10 offset 5m", "foo @ 10.000 offset 5m"},
      {"foo[5m]", "foo[5m]"},
      {"foo[300]", "foo[5m]"},
      {"foo[1.5]", "foo[1s500ms]"},
      {"foo[ 5m ]", "foo[5m]"},
      {"foo[5m] offset 1m", "foo[5m] offset 1m"},
      {"foo[5m] @ 100 offset 1m", "foo[5m] @ 100.000 offset 1m"},
      {"foo[5m:1m]", "foo[5m:1m]"},
      {"foo[5m:]", "foo[5m:]"},
      {"foo[300:60]", "foo[5m:1m]"},
      {"foo[5m:1m] offset 10m @ end()", "foo[5m:1m] @ end() offset 10m"},
      {"rate(foo[5m])[1h:5m]", "rate(foo[5m])[1h:5m]"},
      {"sum(foo)", "sum(foo)"},
      {"sum by (job) (foo)", "sum by (job) (foo)"},
      {"sum(foo) by (job)", "sum by (job) (foo)"},
      {"sum by () (foo)", "sum(foo)"},
      {"sum without () (foo)", "sum without () (foo)"},
      {"sum without (a, b,) (foo)", "sum without (a, b) (foo)"},
      {"sum by (\"a.b\") (foo)", "sum by (\"a.b\") (foo)"},
      {"sum by (a:b) (foo)", "sum by (\"a:b\") (foo)"},
      {"sum by (on, by, offset, sum) (foo)", "sum by (on, by, offset, sum) (foo)"},
      {"topk(5, foo)", "topk(5, foo)"},
      {"bottomk(5, foo) by (a)", "bottomk by (a) (5, foo)"},
      {"quantile(0.9, foo)", "quantile(0.9, foo)"},
      {"count_values(\"v\", foo)", "count_values(\"v\", foo)"},
      {"limitk(2, foo)", "limitk(2, foo)"},
      {"limit_ratio(0.5, foo)", "limit_ratio(0.5, foo)"},
      {"group(foo)", "group(foo)"},
      {"stddev(foo) + stdvar(foo)", "stddev(foo) + stdvar(foo)"},
      {"avg(foo) - min(foo) * max(foo)", "avg(foo) - min(foo) * max(foo)"},
      {"rate(foo[5m])", "rate(foo[5m])"},
      {"time()", "time()"},
      {"pi()", "pi()"},
      {"hour()", "hour()"},
      {"hour(foo)", "hour(foo)"},
      {"round(foo)", "round(foo)"},
      {"round(foo, 5)", "round(foo, 5)"},
      {"label_join(foo, \"a\", \",\", \"b\", \"c\", \"d\")", "label_join(foo, \"a\", \",\", \"b\", \"c\", \"d\")"},
      {"label_replace(foo, \"a\", \"$1\", \"b\", \"(.*)\")", "label_replace(foo, \"a\", \"$1\", \"b\", \"(.*)\")"},
      {"histogram_quantile(0.9, rate(h[5m]))", "histogram_quantile(0.9, rate(h[5m]))"},
      {"sort_by_label(foo, \"a\", \"b\")", "sort_by_label(foo, \"a\", \"b\")"},
      {"mad_over_time(foo[5m])", "mad_over_time(foo[5m])"},
      {"double_exponential_smoothing(foo[5m], 0.5, 0.5)", "double_exponential_smoothing(foo[5m], 0.5, 0.5)"},
      {"info(foo)", "info(foo)"},
      {"info(foo, {job=~\".+\"})", "info(foo, {job=~\".+\"})"},
      {"info(foo, {__name__=\"target_info\"})", "info(foo, {__name__=\"target_info\"})"},
      {"start() + end() + step() + range()", "start() + end() + step() + range()"},
      {"max_of(1, 2)", "max_of(1, 2)"},
      {"ts_of_max_over_time(foo[5m])", "ts_of_max_over_time(foo[5m])"},
      {"first_over_time(foo[5m])", "first_over_time(foo[5m])"},
      {"a + b", "a + b"},
      {"a+b", "a + b"},
      {"a > bool b", "a > bool b"},
      {"1 == bool 1", "1 == bool 1"},
      {"a * on(b) c", "a * on (b) c"},
      {"a * on() c", "a * on () c"},
      {"a * ignoring(b) c", "a * ignoring (b) c"},
      {"a * ignoring() c", "a * c"},
      {"a * on(b) group_left c", "a * on (b) group_left () c"},
      {"a * on(b) group_left(d, e) c", "a * on (b) group_left (d, e) c"},
      {"a * ignoring(b) group_right(d) c", "a * ignoring (b) group_right (d) c"},
      {"a and on(b) c", "a and on (b) c"},
      {"a or c", "a or c"},
      {"a unless ignoring(x) c", "a unless ignoring (x) c"},
      {"a AND b", "a and b"},
      {"a atan2 b", "a atan2 b"},
      {"a </ 0", "a </ 0"},
      {"a >/ +Inf", "a >/ +Inf"},
      {"1 + on() 2", "1 + 2"},
      {"foo * 5m", "foo * 5m"},
      {"(foo)", "(foo)"},
      {"((foo))", "((foo))"},
      {"-foo", "-foo"},
      {"+foo", "+foo"},
      {"- -foo", "--foo"},
      {"foo # comment\n + bar", "foo + bar"},
      {"sum(\n  rate(x[5m])\n)", "sum(rate(x[5m]))"},
      {"fill + fill_left", "fill + fill_left"},
  };
  for (const auto& [q, want] : cases) {
    absl::StatusOr<ExprPtr> e = ParseExpr(q);
    ASSERT_TRUE(e.ok()) << q << ": " << e.status();
    EXPECT_EQ(ToString(**e), want) << q;
  }
}

TEST(ParserTest, Errors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "unknown position: parse error: no expression found in input"},
      {"   ", "1:1: parse error: no expression found in input"},
      {"# just a comment\n\n", "1:1: parse error: no expression found in input"},
      {"1+", "1:3: parse error: unexpected end of input"},
      {".", "1:1: parse error: unexpected character: '.'"},
      {"2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\""},
      {"100..4", "1:1: parse error: bad number or duration syntax: \"100..\""},
      {"0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\""},
      {"1 /", "1:4: parse error: unexpected end of input"},
      {"*1", "1:1: parse error: unexpected <op:*>"},
      {"(1))", "1:5: parse error: unexpected right parenthesis ')'"},
      {"((1)", "1:5: parse error: unclosed left parenthesis"},
      {"(", "1:2: parse error: unclosed left parenthesis"},
      {"()", "1:2: parse error: unexpected \")\""},
      {"1e999", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e999\": value out of range"},
      {"1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression"},
      {"1 unless 1", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression"},
      {"foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"},
      {"1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"},
      {"-\"string\"",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "
       "\"string\""},
      {"-test[5m]",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "
       "\"range vector\""},
      {"@@", "1:1: parse error: unexpected <op:@>"},
      {"1 offset 1d",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector "
       "or a subquery"},
      {"foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times"},
      {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"},
      {"1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors"},
      {"foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant vectors"},
      {"foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>"},
      {"foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation"},
      {"foo or on(bar) group_right(baz) bar", "1:1: parse error: no grouping allowed for \"or\" operation"},
      {"a + on(instance) group_left(job,instance) b",
       "1:3: parse error: label \"instance\" must not occur in ON and GROUP clause at once"},
      {"foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo </ bool 1", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"},
      {"foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"},
      {"foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"},
      {"foo @ 1e20", "1:1: parse error: timestamp out of bounds for @ modifier: 100000000000000000000.000000"},
      {"foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo @ start() @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"},
      {"foo @ bar", "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp"},
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", "1:1: parse error: unexpected character: '}'"},
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", "1:5: parse error: unexpected character: '}'"},
      {"some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'"},
      {"foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'"},
      {"foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'"},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune"},
      {"foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"foo{\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{__name__=\"bar\" lol}",
       "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""},
      {"foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string"},
      {"foo{a=~\"(\"}", "1:5: parse error: invalid regular expression in matcher a=~\"(\": missing ): ("},
      {"foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\""},
      {"foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\""},
      {"foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\""},
      {"foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\""},
      {"foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\""},
      {"foo[5m1m]", "1:5: parse error: not a valid duration string: \"5m1m\""},
      {"foo[1.5m]", "1:5: parse error: unknown unit \".\" in duration \"1.5m\""},
      {"foo[0m]", "1:5: parse error: duration must be greater than 0"},
      {"foo[5m:0s]", "1:8: parse error: duration must be greater than 0"},
      {"foo[\"5m\"]", "1:5: parse error: unexpected character in duration expression: '\"'"},
      {"foo[]",
       "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
       "range()"},
      {"foo[-1]", "1:5: parse error: duration must be greater than 0"},
      {"foo[9.5e10]", "1:5: parse error: duration out of range"},
      {"foo offset 9.5e10", "1:12: parse error: duration out of range"},
      {"foo[5m", "1:7: parse error: unclosed left bracket"},
      {"foo[5m:1m", "1:10: parse error: unclosed left bracket"},
      {"foo[5m 1m]", "1:8: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\""},
      {"foo[5m:1m 1m]", "1:11: parse error: unexpected duration \"1m\" in subquery selector, expected \"]\""},
      {"foo[5m:[", "1:8: parse error: unexpected left bracket '['"},
      {"foo[5m::]", "1:8: parse error: unexpected colon ':'"},
      {"foo[step]",
       "1:9: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
       "range()"},
      {"foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'"},
      {"some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\""},
      {"some_metric[5m] OFFSET",
       "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()"},
      {"some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"},
      {"some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"},
      {"some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"},
      {"(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors"},
      {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
      {"1[5m]", "1:2: parse error: ranges only allowed for vector selectors"},
      {"rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors"},
      {"sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string"},
      {"sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label"},
      {"sum without(,)(some_metric)", "1:13: parse error: unexpected \",\" in grouping opts, expected label"},
      {"sum without(foo,,)(some_metric)", "1:17: parse error: unexpected \",\" in grouping opts, expected label"},
      {"sum by (a b) (x)", "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\""},
      {"sum by (\"\") (x)", "1:9: parse error: invalid label name for grouping: \"\""},
      {"sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\""},
      {"sum (some_metric) by test",
       "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\""},
      {"sum by (a) foo", "1:12: parse error: unexpected identifier \"foo\" in aggregation"},
      {"sum(x y)", "1:7: parse error: unexpected identifier \"y\" in aggregation"},
      {"sum(rate(x[5m]) y)", "1:17: parse error: unexpected identifier \"y\" in aggregation"},
      {"rate(x y)", "1:8: parse error: unexpected identifier \"y\""},
      {"sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"},
      {"MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier \"keep_common\""},
      {"MIN (some_metric) keep_common", "1:19: parse error: unexpected identifier \"keep_common\""},
      {"sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>"},
      {"sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>"},
      {"topk(some_metric)",
       "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"sum(a, b)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"},
      {"topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args"},
      {"topk(some_metric, other_metric)",
       "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
      {"count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar"},
      {"sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"},
      {"rate(some_metric[5m]) @ 1234",
       "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a "
       "subquery"},
      {"floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0"},
      {"floor(some_metric, other_metric)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2"},
      {"floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar"},
      {"hour(some_metric, some_metric, some_metric)",
       "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3"},
      {"label_join(foo)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1"},
      {"label_join(foo, \"a\", \",\", 1)",
       "1:27: parse error: expected type string in call to function \"label_join\", got scalar"},
      {"time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"},
      {"non_existent_function_far_bar()",
       "1:1: parse error: unknown function with name \"non_existent_function_far_bar\""},
      {"rate(some_metric)",
       "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"label_replace(a, `b`, `c\xff`, `d`, `.*`)", "1:23: parse error: invalid UTF-8 rune"},
      {"-=", "1:2: parse error: unexpected \"=\""},
      {"++-++-+-+-<", "1:11: parse error: unexpected <op:<>"},
      {"e-+=/(0)", "1:4: parse error: unexpected \"=\""},
      {"a>b()", "1:3: parse error: unknown function with name \"b\""},
      {"rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"`\\``", "1:4: parse error: unterminated raw string"},
      {"\"\\", "1:1: parse error: escape sequence not terminated"},
      {"\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'"},
      {"\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence"},
      {"\"\\ud800\"", "1:1: parse error: escape sequence is an invalid Unicode code point"},
      {"\"\\400\"", "1:1: parse error: escape sequence is an invalid Unicode code point"},
      {"'\\\"'", "1:1: parse error: unknown escape sequence U+0022 '\"'"},
      {"\"abc", "1:1: parse error: unterminated quoted string"},
      {"\"a\nb\"", "1:1: parse error: unterminated quoted string"},
      {"foo{bar=\"baz\"}[", "1:16: parse error: unexpected end of input in duration expression"},
      {"test[5d] OFFSET 10s [10m:5s]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"(foo + bar{nm=\"val\"})[5m:][10m:5s]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"info(rate(x_total{}[5m]), target_info{foo=\"bar\"})",
       "1:27: parse error: expected label selectors only, got vector selector instead"},
      {"info(x{namespace=\"zzz\"}, {foo=\"bar\"} == 1)", "1:26: parse error: expected label selectors only"},
      {"1 + on(x) 2", "1:1: parse error: vector matching only allowed between instant vectors"},
      {"info(x, 1)", "1:1: parse error: expected type instant vector in call to function \"info\", got scalar"},
      {"sum(", "1:5: parse error: unclosed left parenthesis"},
      {"sum(rate(", "1:10: parse error: unclosed left parenthesis"},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"foo 1", "1:5: parse error: unexpected number \"1\""},
      {"foo \"a long string literal\"", "1:5: parse error: unexpected string \"\\\"a long st\"..."},
      {"a\n+\n", "3:1: parse error: unexpected end of input"},
      {"a +\n  on(b) c d", "2:11: parse error: unexpected identifier \"d\""},
      {"foo offset 5m offset 1m[5m]", "1:1: parse error: offset may not be set multiple times"},
      {"foo[5m] offset 1m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"foo[5m+1m]", "1:5: parse error: experimental duration expression is not enabled"},
      {"foo offset (5m)", "1:12: parse error: experimental duration expression is not enabled"},
      {"foo anchored", "1:1: parse error: anchored modifier is experimental and not enabled"},
      {"foo + fill(0) bar", "1:1: parse error: binop fill modifiers are experimental and not enabled"},
      {"\xe2\x82\xac", "1:1: parse error: unexpected character: '\xe2\x82\xac'"},
      {"foo\xc3", "1:4: parse error: unexpected character: '\xef\xbf\xbd'"},
      {"on", "1:1: parse error: unexpected <on>"},
      {"bool", "1:1: parse error: unexpected <bool>"},
      {"1 + group_left", "1:5: parse error: unexpected <group_left>"},
      {"START()", "1:1: parse error: unknown function with name \"START\""},
      {"foo[5m] smoothed", "1:1: parse error: smoothed modifier is experimental and not enabled"},
      {"\"a\" + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"1 + foo[5m]", "1:5: parse error: binary expression must contain only scalar and instant vector types"},
  };
  for (const auto& [q, want] : cases) EXPECT_EQ(ErrorOf(q), want) << "query: " << q;
}

TEST(ParserTest, SelectorFields) {
  absl::StatusOr<ExprPtr> e = ParseExpr("foo{a=\"b\", c=~\"d|e\"} offset -5m @ 1.5");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ((*e)->kind, ExprKind::kVectorSelector);
  const auto& vs = As<VectorSelector>(*e);
  EXPECT_EQ(vs.name, "foo");
  ASSERT_EQ(vs.matchers.size(), 3u);
  EXPECT_EQ(vs.matchers[0].name(), "__name__");
  EXPECT_EQ(vs.matchers[0].value(), "foo");
  EXPECT_EQ(vs.matchers[1].name(), "a");
  EXPECT_EQ(vs.matchers[2].type(), MatchType::kRegexMatch);
  EXPECT_TRUE(vs.matchers[2].Matches("e"));
  EXPECT_EQ(vs.offset_ms, -300000);
  EXPECT_EQ(vs.at, AtModifier::kTimestamp);
  EXPECT_EQ(vs.at_ms, 1500);
  EXPECT_EQ(vs.pos.start, 0);
  EXPECT_EQ(vs.pos.end, 37);
  EXPECT_EQ(vs.Type(), ValueType::kVector);
}

TEST(ParserTest, MatrixAndSubqueryFields) {
  absl::StatusOr<ExprPtr> e = ParseExpr("rate(foo[5m] offset 1m)");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& call = As<Call>(*e);
  EXPECT_EQ(call.func, LookupFunction("rate"));
  EXPECT_EQ(call.pos.end, 23);
  ASSERT_EQ(call.args.size(), 1u);
  const auto& m = As<MatrixSelector>(call.args[0]);
  EXPECT_EQ(m.range_ms, 300000);
  EXPECT_EQ(As<VectorSelector>(m.vector_selector).offset_ms, 60000);
  EXPECT_EQ(m.pos.start, 5);
  EXPECT_EQ(m.pos.end, 22);
  EXPECT_EQ(m.Type(), ValueType::kMatrix);

  e = ParseExpr("sum(x)[1h:1m] @ end() offset 5m");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& sq = As<SubqueryExpr>(*e);
  EXPECT_EQ(sq.range_ms, 3600000);
  EXPECT_EQ(sq.step_ms, 60000);
  EXPECT_EQ(sq.offset_ms, 300000);
  EXPECT_EQ(sq.at, AtModifier::kEnd);
  EXPECT_EQ(sq.expr->kind, ExprKind::kAggregate);

  e = ParseExpr("x[5m:] @ start()");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(As<SubqueryExpr>(*e).step_ms, 0);
  EXPECT_EQ(As<SubqueryExpr>(*e).at, AtModifier::kStart);

  e = ParseExpr("x[0.0015]");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(As<MatrixSelector>(*e).range_ms, 1);
}

TEST(ParserTest, BinaryMatching) {
  absl::StatusOr<ExprPtr> e = ParseExpr("a / on(x, y) group_left(z) b");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& b = As<BinaryExpr>(*e);
  EXPECT_EQ(b.op, BinaryOp::kDiv);
  ASSERT_TRUE(b.matching.has_value());
  EXPECT_TRUE(b.matching->on);
  EXPECT_EQ(b.matching->card, VectorMatchCardinality::kManyToOne);
  EXPECT_EQ(b.matching->matching_labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b.matching->include, (std::vector<std::string>{"z"}));

  e = ParseExpr("a and b");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(As<BinaryExpr>(*e).matching.has_value());
  EXPECT_EQ(As<BinaryExpr>(*e).matching->card, VectorMatchCardinality::kManyToMany);

  e = ParseExpr("a + 1");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(As<BinaryExpr>(*e).matching.has_value());
  EXPECT_EQ((*e)->Type(), ValueType::kVector);

  e = ParseExpr("1 > bool 2");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(As<BinaryExpr>(*e).return_bool);
  EXPECT_EQ((*e)->Type(), ValueType::kScalar);
}

TEST(ParserTest, AggregateFields) {
  absl::StatusOr<ExprPtr> e = ParseExpr("topk without (a, \"b.c\") (3, foo)");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& a = As<AggregateExpr>(*e);
  EXPECT_EQ(a.op, AggregateOp::kTopk);
  EXPECT_TRUE(a.without);
  EXPECT_EQ(a.grouping, (std::vector<std::string>{"a", "b.c"}));
  ASSERT_NE(a.param, nullptr);
  EXPECT_EQ(As<NumberLiteral>(a.param).value, 3);
  EXPECT_EQ(a.expr->kind, ExprKind::kVectorSelector);
}

TEST(ParserTest, Literals) {
  absl::StatusOr<ExprPtr> e = ParseExpr("-Inf");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isinf(As<NumberLiteral>(*e).value));
  EXPECT_LT(As<NumberLiteral>(*e).value, 0);
  e = ParseExpr("NaN");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isnan(As<NumberLiteral>(*e).value));
  e = ParseExpr("1h");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<NumberLiteral>(*e).value, 3600);
  EXPECT_TRUE(As<NumberLiteral>(*e).duration);
  e = ParseExpr("'\\u00e9\\x00'");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<StringLiteral>(*e).value, std::string("\xc3\xa9\0", 3));
  EXPECT_EQ((*e)->Type(), ValueType::kString);
}

TEST(ParserTest, ExperimentalFunctionsAreAccepted) {
  for (const FunctionInfo* f : AllFunctions()) {
    if (!f->experimental) continue;
    EXPECT_EQ(LookupFunction(f->name), f);
  }
  EXPECT_NE(LookupFunction("histogram_quantiles"), nullptr);
  EXPECT_EQ(LookupFunction("holt_winters"), nullptr);
  EXPECT_EQ(AllFunctions().size(), 90u);
  EXPECT_TRUE(ParseExpr("histogram_quantiles(h, \"q\", 0.1, 0.5, 0.9)").ok());
  EXPECT_TRUE(ParseExpr("start_timestamp(x)").ok());
}

TEST(ParserTest, Nesting) {
  std::string deep = std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_TRUE(ParseExpr(deep).ok());
  std::string too_deep = std::string(5000, '(') + "1" + std::string(5000, ')');
  absl::StatusOr<ExprPtr> e = ParseExpr(too_deep);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("nested too deeply"), std::string_view::npos) << e.status();
}

TEST(ParserTest, MetricSelector) {
  absl::StatusOr<std::vector<Matcher>> m = ParseMetricSelector("up{job=\"x\", a!~\"b\"}");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].name(), "__name__");
  EXPECT_EQ((*m)[0].value(), "up");
  EXPECT_EQ((*m)[2].type(), MatchType::kRegexNoMatch);

  m = ParseMetricSelector("{__name__=~\"a.*\"}");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->size(), 1u);

  m = ParseMetricSelector("{\"my.metric\"}");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)[0].value(), "my.metric");

  // Only parses: the API decides whether an all-empty selector is acceptable.
  m = ParseMetricSelector("{}");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->empty());

  EXPECT_EQ(ParseMetricSelector("up + 1").status().message(), "1:4: parse error: unexpected <op:+>");
  EXPECT_EQ(ParseMetricSelector("rate(x[5m])").status().message(), "1:5: parse error: unexpected \"(\"");
  EXPECT_EQ(ParseMetricSelector("up[5m]").status().message(), "1:3: parse error: unexpected \"[\"");
  EXPECT_EQ(ParseMetricSelector("").status().message(), "unknown position: parse error: unexpected end of input");
  EXPECT_EQ(ParseMetricSelector("{a=}").status().message(),
            "1:4: parse error: unexpected \"}\" in label matching, expected string");
}

}  // namespace
}  // namespace vigil::promql
