#include "query/logql/pattern.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

TEST(PatternTest, Matches) {
  absl::StatusOr<Pattern> p = Pattern::Parse(R"(<ip> - - [<_>] "<method> <path> <_>" <status> <_>)");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->names(), (std::vector<std::string>{"ip", "method", "path", "status"}));
  std::vector<std::string_view> caps;
  p->Matches(R"(1.2.3.4 - - [x] "GET /a HTTP/1.1" 200 12)", &caps);
  EXPECT_EQ(caps, (std::vector<std::string_view>{"1.2.3.4", "GET", "/a", "200"}));
  // A missing literal: the capture takes the rest and matching stops.
  p->Matches("1.2.3.4 nothing else", &caps);
  EXPECT_EQ(caps, std::vector<std::string_view>{"1.2.3.4 nothing else"});
}

TEST(PatternTest, Errors) {
  EXPECT_EQ(Pattern::Parse("foo").status().message(), "at least one capture is required");
  EXPECT_EQ(Pattern::Parse("<a> <a>").status().message(), "duplicate capture name (a): invalid expression");
  EXPECT_EQ(Pattern::ParseLineFilter("<a> x").status().message(), "named captures are not allowed: found '<a>'");
}

TEST(PatternTest, LineFilterTest) {
  absl::StatusOr<Pattern> p = Pattern::ParseLineFilter("<_> bar");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->Test("foo bar baz"));
  EXPECT_TRUE(p->Test("foo bar"));
  EXPECT_TRUE(Pattern::ParseLineFilter("foo <_>")->Test("foo bar baz"));
  EXPECT_FALSE(Pattern::ParseLineFilter("<_> bar <_>")->Test(" bar "));
}

}  // namespace
}  // namespace vigil::logql
