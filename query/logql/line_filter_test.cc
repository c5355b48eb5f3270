#include "query/logql/line_filter.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

LineFilter Make(LineMatchType t, std::vector<std::string> values) {
  absl::StatusOr<LineFilter> f = LineFilter::Compile(LineFilterStage{t, std::move(values)});
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

TEST(SubstringSearcherTest, FindsEverywhere) {
  const std::string hay = "the quick brown fox jumps over the lazy dog";
  for (size_t i = 0; i < hay.size(); ++i) {
    for (size_t n = 1; i + n <= hay.size() && n < 8; ++n) {
      EXPECT_TRUE(SubstringSearcher(hay.substr(i, n)).Contains(hay)) << hay.substr(i, n);
    }
  }
  EXPECT_FALSE(SubstringSearcher("cat").Contains(hay));
  EXPECT_FALSE(SubstringSearcher("dogs").Contains(hay));
  EXPECT_TRUE(SubstringSearcher("").Contains(""));
  EXPECT_TRUE(SubstringSearcher("LAZY", true).Contains(hay));
  EXPECT_FALSE(SubstringSearcher("LAZY").Contains(hay));
}

TEST(LineFilterTest, Strategies) {
  EXPECT_EQ(Make(LineMatchType::kRegex, {"error"}).Strategies(), std::vector<std::string>{"substring"});
  EXPECT_EQ(Make(LineMatchType::kRegex, {"(?i)error"}).Strategies(), std::vector<std::string>{"substring-ci"});
  EXPECT_EQ(Make(LineMatchType::kRegex, {"error|fatal"}).Strategies(),
            (std::vector<std::string>{"substring", "substring"}));
  EXPECT_EQ(Make(LineMatchType::kRegex, {"conn.*timeout after \\d+"}).Strategies(),
            std::vector<std::string>{"regex+prefilter"});
  EXPECT_EQ(Make(LineMatchType::kRegex, {"(a|b)+"}).Strategies(), std::vector<std::string>{"regex"});
}

TEST(LineFilterTest, Semantics) {
  EXPECT_TRUE(Make(LineMatchType::kContains, {"err"}).Keep("an error"));
  EXPECT_FALSE(Make(LineMatchType::kNotContains, {"err"}).Keep("an error"));
  EXPECT_TRUE(Make(LineMatchType::kContains, {""}).Keep("anything"));
  EXPECT_TRUE(Make(LineMatchType::kRegex, {"(?i)ERROR"}).Keep("an Error"));
  EXPECT_TRUE(Make(LineMatchType::kRegex, {"conn.*timeout after \\d+"}).Keep("conn x timeout after 30s"));
  EXPECT_FALSE(Make(LineMatchType::kRegex, {"conn.*timeout after \\d+"}).Keep("conn x timeout after xs"));
  EXPECT_FALSE(Make(LineMatchType::kNotRegex, {"debug|info"}).Keep("level=info"));
  EXPECT_TRUE(Make(LineMatchType::kContains, {"a", "zz"}).Keep("zz"));
  EXPECT_TRUE(Make(LineMatchType::kPattern, {"<_> GET <_>"}).Keep("x GET /"));
  EXPECT_FALSE(LineFilter::Compile(LineFilterStage{LineMatchType::kRegex, {"("}}).ok());
}

TEST(LineFilterTest, RequiredLiteral) {
  EXPECT_EQ(RequiredLiteral("conn.*timeout after \\d+"), "timeout after ");
  EXPECT_EQ(RequiredLiteral("abcd?ef"), "abc");
  EXPECT_EQ(RequiredLiteral("a|bcdef"), "");
  EXPECT_EQ(RequiredLiteral("x[abc]yz"), "");
  EXPECT_EQ(RequiredLiteral("status=5\\d\\d"), "status=5");
}

}  // namespace
}  // namespace vigil::logql
