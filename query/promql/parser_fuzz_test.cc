// Robustness of the parser against hostile input: random token soups and mutations of valid queries must yield
// either a tree that prints and re-parses to the same text, or an InvalidArgument parse error, never a crash
// (run under --config=asan for ASan/UBSan). Seeds are fixed so failures reproduce.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "query/promql/functions.h"
#include "query/promql/parser.h"
#include "query/promql/printer.h"

namespace vigil::promql {
namespace {

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string>* const seeds = new std::vector<std::string>{
      "sum by (job) (rate(http_requests_total{code=~\"5..\",job!=\"x\"}[5m] offset 1m))",
      "histogram_quantile(0.9, sum without (instance) (rate(h_bucket[5m:30s] @ end())))",
      "a / on(x, y) group_left(z) b > bool 1 or c unless d and e",
      "-foo{\"a.b\"=\"c\"} ^ 2 ^ -3 % 4 atan2 5",
      "topk(3, count_values(\"v\", x)) by (a)",
      "label_replace(up @ 100 offset -5m, 'dst', `$1`, \"src\", \"(.*)\")",
      "{__name__=~\"a|b\"}[1h30m] offset 1w",
      "max_over_time((x - x offset 1d)[1d:1h])",
      "quantile_over_time(0.5, x[300]) * 5m + Inf - NaN",
      "info(rate(x[5m]), {k=~\".+\"}) </ 0x1F >/ .5e3",
      "sum(x) # comment\n + 1",
  };
  return *seeds;
}

const std::vector<std::string>& Fragments() {
  static const std::vector<std::string>* const fragments = new std::vector<std::string>{
      "(",          ")",
      "[",          "]",
      "{",          "}",
      ",",          ":",
      "=",          "!=",
      "=~",         "!~",
      "==",         "<",
      "<=",         ">",
      ">=",         "</",
      ">/",         "+",
      "-",          "*",
      "/",          "%",
      "^",          "@",
      "and",        "or",
      "unless",     "atan2",
      "sum",        "avg",
      "topk",       "count_values",
      "by",         "without",
      "on",         "ignoring",
      "group_left", "group_right",
      "bool",       "offset",
      "start()",    "end()",
      "step",       "fill",
      "anchored",   "5m",
      "1h30m",      "300",
      "1e3",        "0x1f",
      "Inf",        "NaN",
      ".5",         "\"a\"",
      "'b'",        "`c`",
      "foo",        "a:b",
      "rate",       "x[5m]",
      "# c\n",      " ",
      "\n",         "\"\\",
      "\xff",       "\xe2\x82\xac",
      "__name__",   "le",
      "1.",         "_",
  };
  return *fragments;
}

// Parses and checks the contract: a tree prints to text that parses back to the same text; an error is
// InvalidArgument with Prometheus' "parse error" prefix.
void CheckContract(const std::string& q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  if (!e.ok()) {
    ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << q;
    ASSERT_TRUE(absl::StrContains(e.status().message(), "parse error: ") || q.size() > 1000000) << q;
    return;
  }
  const std::string printed = ToString(**e);
  absl::StatusOr<ExprPtr> again = ParseExpr(printed);
  ASSERT_TRUE(again.ok()) << q << " printed as " << printed << ": " << again.status();
  ASSERT_EQ(ToString(**again), printed) << q;
  const std::string pretty = Pretty(**e);
  absl::StatusOr<ExprPtr> from_pretty = ParseExpr(pretty);
  ASSERT_TRUE(from_pretty.ok()) << pretty;
  ASSERT_EQ(ToString(**from_pretty), printed) << q;
}

TEST(ParserFuzzTest, SeedsAreValid) {
  for (const std::string& s : Seeds()) {
    absl::StatusOr<ExprPtr> e = ParseExpr(s);
    EXPECT_TRUE(e.ok()) << s << ": " << e.status();
  }
}

TEST(ParserFuzzTest, RandomTokenSequences) {
  std::mt19937 rng(12345);
  const std::vector<std::string>& f = Fragments();
  std::uniform_int_distribution<size_t> pick(0, f.size() - 1);
  std::uniform_int_distribution<int> len(1, 25);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    const int n = len(rng);
    for (int k = 0; k < n; ++k) {
      q += f[pick(rng)];
      if (rng() % 3 == 0) q += ' ';
    }
    CheckContract(q);
    if (HasFatalFailure()) return;
    parsed += ParseExpr(q).ok() ? 1 : 0;
  }
  // A handful of random sequences happen to be valid; the contract check above is what matters.
  EXPECT_GE(parsed, 0);
}

TEST(ParserFuzzTest, Mutations) {
  std::mt19937 rng(777);
  const std::vector<std::string>& f = Fragments();
  int ok = 0;
  int errors = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string q = Seeds()[rng() % Seeds().size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !q.empty(); ++k) {
      const size_t at = rng() % q.size();
      switch (rng() % 5) {
        case 0:  // flip a byte
          q[at] = static_cast<char>(q[at] ^ (1u << (rng() % 8)));
          break;
        case 1:  // truncate
          q.resize(at);
          break;
        case 2:  // insert a fragment
          q.insert(at, f[rng() % f.size()]);
          break;
        case 3:  // delete a range
          q.erase(at, 1 + rng() % 5);
          break;
        default:  // random byte
          q[at] = static_cast<char>(rng() % 256);
          break;
      }
    }
    CheckContract(q);
    if (HasFatalFailure()) return;
    (ParseExpr(q).ok() ? ok : errors)++;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(errors, 0);
}

TEST(ParserFuzzTest, EveryFunctionWithRandomArguments) {
  std::mt19937 rng(99);
  const std::vector<std::string> args = {"x", "x[5m]", "1", "\"s\"", "x[5m:]", "-x"};
  for (const FunctionInfo* fn : AllFunctions()) {
    for (int n = 0; n < 5; ++n) {
      for (int trial = 0; trial < 4; ++trial) {
        std::string q = std::string(fn->name) + "(";
        for (int k = 0; k < n; ++k) q += (k ? ", " : "") + args[rng() % args.size()];
        q += ")";
        CheckContract(q);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(ParserFuzzTest, DeepNestingIsRefusedNotFatal) {
  const int n = 100000;
  for (const std::string& q : {std::string(n, '(') + "1" + std::string(n, ')'), std::string(n, '-') + "1",
                               "sum(" + std::string(n, '(') + "x" + std::string(n, ')') + ")"}) {
    absl::StatusOr<ExprPtr> e = ParseExpr(q);
    ASSERT_FALSE(e.ok());
    EXPECT_TRUE(absl::StrContains(e.status().message(), "nested too deeply")) << e.status().message().substr(0, 200);
  }
  std::string chain = "x";
  for (int i = 0; i < n; ++i) chain += " + x";
  absl::StatusOr<ExprPtr> e = ParseExpr(chain);
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(absl::StrContains(e.status().message(), "nested too deeply"));

  std::string subqueries = "x";
  for (int i = 0; i < 10000; ++i) subqueries += "[5m:]";
  e = ParseExpr(subqueries);
  ASSERT_FALSE(e.ok());

  std::string calls;
  for (int i = 0; i < 10000; ++i) calls += "abs(";
  calls += "x" + std::string(10000, ')');
  e = ParseExpr(calls);
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(absl::StrContains(e.status().message(), "nested too deeply"));
}

TEST(ParserFuzzTest, LongButShallowQueriesParse) {
  std::string q = "foo{";
  for (int i = 0; i < 5000; ++i) q += "l" + std::to_string(i) + "=\"v\",";
  q += "}";
  EXPECT_TRUE(ParseExpr(q).ok());
  std::string chain = "x";
  for (int i = 0; i < 300; ++i) chain += " or x";
  EXPECT_TRUE(ParseExpr(chain).ok());
}

}  // namespace
}  // namespace vigil::promql
