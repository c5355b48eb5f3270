// Robustness: random token soups and mutations of valid queries must give a tree that prints and re-parses to the
// same text, or an InvalidArgument error; never a crash (run under --config=asan too). Seeds are fixed.
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/logql/parser.h"
#include "query/logql/printer.h"

namespace vigil::logql {
namespace {

constexpr const char* kSeeds[] = {
    R"q({app="a", env=~"p.*"} |= "x" |~ "e(r+)" | json | level="error" or status>=500 | line_format "{{.msg}}")q",
    R"(sum by (level) (count_over_time({app="a"} | logfmt --strict | drop __error__ [5m])))",
    R"(quantile_over_time(0.99, {app="a"} | json | unwrap duration(latency) | __error__="" [1m] offset 5m) by (x))",
    R"(topk(3, sum(rate({app="a"}[1m])) / on (x) group_left sum(rate({app="b"}[1m]))) > bool 2)",
    R"({app="a"} | pattern "<ip> <_> <method>" | label_format a=b, c="{{ .d | lower }}" | keep a, b="c")",
    R"(vector(1)+vector(1))",
};

constexpr const char* kTokens[] = {
    "{",
    "}",
    "(",
    ")",
    "[5m]",
    "[",
    "]",
    ",",
    "=",
    "!=",
    "=~",
    "!~",
    "|=",
    "|~",
    "|>",
    "!>",
    "|",
    "app",
    "\"x\"",
    "`y`",
    "1",
    "0.5",
    "-",
    "+",
    "*",
    "/",
    "^",
    "%",
    "==",
    ">",
    ">=",
    "<",
    "<=",
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "bool",
    "offset",
    "5m",
    "1KB",
    "json",
    "logfmt",
    "--strict",
    "regexp",
    "pattern",
    "unpack",
    "line_format",
    "label_format",
    "drop",
    "keep",
    "decolorize",
    "unwrap",
    "duration",
    "bytes",
    "sum",
    "rate",
    "count_over_time",
    "quantile_over_time",
    "topk",
    "vector",
    "ip",
    "#",
    "label_replace",
    "\"",
    "\n",
    "\xff",
    "µ",
    "sort",
    "__error__",
};

void Check(const std::string& q) {
  absl::StatusOr<ExprPtr> e = ParseExpr(q);
  if (!e.ok()) {
    ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << q;
    ASSERT_EQ(e.status().message().substr(0, 11), "parse error") << q << " -> " << e.status();
    return;
  }
  const std::string s1 = ToString(**e);
  absl::StatusOr<ExprPtr> e2 = ParseExpr(s1);
  ASSERT_TRUE(e2.ok()) << q << " printed as " << s1 << ": " << e2.status();
  ASSERT_EQ(ToString(**e2), s1) << q;
}

TEST(ParserFuzzTest, RandomTokenSoups) {
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int k = 0; k < n; ++k) {
      q += kTokens[rng() % std::size(kTokens)];
      if (rng() % 2) q += ' ';
    }
    Check(q);
  }
}

TEST(ParserFuzzTest, MutatedQueries) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string q = kSeeds[rng() % std::size(kSeeds)];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !q.empty(); ++k) {
      const size_t pos = rng() % q.size();
      switch (rng() % 4) {
        case 0:
          q.erase(pos, 1 + rng() % 3);
          break;
        case 1:
          q.insert(pos, kTokens[rng() % std::size(kTokens)]);
          break;
        case 2:
          q[pos] = static_cast<char>(rng() % 256);
          break;
        default:
          q.insert(pos, q.substr(rng() % q.size(), rng() % 8));
          break;
      }
    }
    Check(q);
  }
}

TEST(ParserFuzzTest, DeepNesting) {
  std::string q;
  for (int i = 0; i < 2000; ++i) q += "(";
  Check(q);
  std::string ok = R"(rate({a="b"}[1m]))";
  for (int i = 0; i < 200; ++i) ok = "sum(" + ok + ")";
  Check(ok);
}

}  // namespace
}  // namespace vigil::logql
