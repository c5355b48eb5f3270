// Printer round trips: print(parse(q)) re-parses to a tree that prints the same.
#include "query/logql/printer.h"

#include "gtest/gtest.h"
#include "query/logql/parser.h"

namespace vigil::logql {
namespace {

constexpr const char* kQueries[] = {
    R"({app="api"})",
    R"({app="api", env=~"prod|dev", pod!~"x.*", ns!="kube-system"})",
    R"({app="a"} |= "x" != "y" |~ "(?i)error" !~ "debug|info" |= "a" or "b" |> "<_> GET <_>" !> "<_>health<_>")",
    R"({app="a"} |= `back\tick` |= "tab\there" |= "quote\"d" |= "ünïcödé")",
    R"({app="a"} | json | json a="b.c", d="e[0]" | logfmt --strict --keep-empty | logfmt x, y="z")",
    R"q({app="a"} | regexp "(?P<ip>\\S+) (?P<rest>.*)" | pattern "<ip> <_> <status>" | unpack | decolorize)q",
    R"({app="a"} | level="error" or level="warn", status >= 500 | latency > 1.5s | size < 10MB | x == -2 | __error__="")",
    R"({app="a"} | line_format "{{.level | ToUpper}} {{ printf \"%s\" .msg }}" | label_format a=b, c="{{.d}}")",
    R"({app="a"} | drop a, b=~"x.*", __error__, __error_details__ | keep app, level="error")",
    R"(count_over_time({app="a"}[5m]))",
    R"(rate({app="a"} |= "x" [1m] offset 5m))",
    R"(sum by (level) (count_over_time({app="a"} | json | drop __error__ [1m])))",
    R"(quantile_over_time(0.95, {app="a"} | logfmt | unwrap duration(latency) | __error__="" [5m]) by (path))",
    R"(sum_over_time({app="a"} | unwrap bytes(size) [1h]))",
    R"(topk(5, sum without (pod) (rate({app="a"}[1m]))))",
    R"(sort_desc(sum(bytes_rate({app="a"}[1m]))))",
    R"(sum(rate({app="a"}[1m])) / on (job) group_right (x, y) sum(rate({app="b"}[1m])) > bool 0.5)",
    R"(rate({app="a"}[1m]) or rate({app="b"}[1m]) unless rate({app="c"}[1m]))",
    R"(vector(1) + vector(1))",
    R"(rate({app="a"}[1m]) * 100 - 5 % 3)",
    R"q(label_replace(rate({app="a"}[1m]), "dst", "$1", "src", "(.*)"))q",
    R"(absent_over_time({app="a"}[10m]))",
    R"(3.5)",
};

TEST(PrinterTest, RoundTrip) {
  for (const char* q : kQueries) {
    absl::StatusOr<ExprPtr> e1 = ParseExpr(q);
    ASSERT_TRUE(e1.ok()) << q << ": " << e1.status();
    const std::string s1 = ToString(**e1);
    absl::StatusOr<ExprPtr> e2 = ParseExpr(s1);
    ASSERT_TRUE(e2.ok()) << q << " printed as " << s1 << ": " << e2.status();
    EXPECT_EQ(ToString(**e2), s1) << q;
  }
}

TEST(PrinterTest, CanonicalForms) {
  absl::StatusOr<ExprPtr> e = ParseExpr(R"({app="a"}|="x"|json|level="error"|line_format "{{.msg}}")");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(**e), R"({app="a"} |= "x" | json | level="error" | line_format "{{.msg}}")");
  e = ParseExpr(R"(rate(({app="a"} | json)[5m]))");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(ToString(**e), R"(rate({app="a"} | json[5m]))");
}

}  // namespace
}  // namespace vigil::logql
