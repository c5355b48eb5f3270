#include "wire/loki/label_string.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::wire::loki {
namespace {

using ::testing::HasSubstr;

TEST(ParseLabelStringTest, ParsesSelectorForm) {
  absl::StatusOr<Labels> l = ParseLabelString(R"({namespace="prod", app="api"})");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(*l, (Labels{{"app", "api"}, {"namespace", "prod"}}));
}

TEST(ParseLabelStringTest, AcceptsSpacingTrailingCommaAndQuoteStyles) {
  absl::StatusOr<Labels> l = ParseLabelString(" { a = 'x' ,b=`raw\\n`, c=\"q\\\"\\u00e9\\x41\\101\", } ");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->Get("a"), "x");
  EXPECT_EQ(l->Get("b"), "raw\\n");
  EXPECT_EQ(l->Get("c"),
            "q\"\xc3\xa9"
            "AA");
}

TEST(ParseLabelStringTest, EmptyValueDropsTheLabel) {
  absl::StatusOr<Labels> l = ParseLabelString(R"({a="", b="1"})");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(*l, (Labels{{"b", "1"}}));
}

TEST(ParseLabelStringTest, RefusesMalformedInputSayingWhere) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"", "expected '{'"},
      {"app=\"x\"", "expected '{'"},
      {"{app=\"x\"", "expected ',' or '}'"},
      {"{app=~\"x\"}", "only equality matchers"},
      {"{app!=\"x\"}", "expected '='"},
      {"{app=x}", "expected a quoted label value"},
      {"{app=\"x}", "unterminated"},
      {"{app=\"\\q\"}", "unknown escape"},
      {"{1app=\"x\"}", "expected a label name"},
      {"{app=\"x\"} junk", "unexpected text"},
      {"{a=\"1\", a=\"2\"}", "duplicate label name"},
      {"{a=\"\\u12zz\"}", "bad hex digit"},
      {"{a=\"\\u12\"}", "short \\u escape"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Labels> l = ParseLabelString(c.text);
    ASSERT_FALSE(l.ok()) << c.text;
    EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(l.status().message(), HasSubstr(c.want)) << c.text;
  }
}

TEST(ParseLabelStringTest, ErrorNamesTheByteOffset) {
  absl::StatusOr<Labels> l = ParseLabelString("{a=\"1\" b=\"2\"}");
  ASSERT_FALSE(l.ok());
  EXPECT_THAT(l.status().message(), HasSubstr("at byte 7"));
}

TEST(UnquoteStringTest, Escapes) {
  EXPECT_EQ(*UnquoteString(R"("a\tb\\c")"), "a\tb\\c");
  EXPECT_EQ(*UnquoteString(R"('it\'s')"), "it's");
  EXPECT_EQ(*UnquoteString("`a\\tb`"), "a\\tb");
  EXPECT_EQ(*UnquoteString(R"("\U0001F600")"), "\xF0\x9F\x98\x80");
  EXPECT_FALSE(UnquoteString(R"("\uD800")").ok());
  EXPECT_FALSE(UnquoteString(R"("\400")").ok());
  EXPECT_FALSE(UnquoteString(R"("a)").ok());
  EXPECT_FALSE(UnquoteString(R"("a\")").ok());
}

TEST(ValidateStreamLabelsTest, Rules) {
  EXPECT_TRUE(ValidateStreamLabels(Labels{{"app", "x"}}).ok());
  EXPECT_THAT(ValidateStreamLabels(Labels{}).message(), HasSubstr("at least one label"));
  EXPECT_THAT(ValidateStreamLabels(Labels{{"a-b", "x"}}).message(), HasSubstr("invalid label name"));
  EXPECT_THAT(ValidateStreamLabels(Labels{{"a", "\xff"}}).message(), HasSubstr("UTF-8"));
}

}  // namespace
}  // namespace vigil::wire::loki
