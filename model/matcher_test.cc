#include "model/matcher.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

Matcher Make(MatchType type, std::string name, std::string value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

Matcher Re(std::string value) { return Make(MatchType::kRegexMatch, "l", std::move(value)); }

TEST(MatchTypeTest, ParseAndPrint) {
  for (MatchType t : {MatchType::kEqual, MatchType::kNotEqual, MatchType::kRegexMatch, MatchType::kRegexNoMatch}) {
    absl::StatusOr<MatchType> parsed = ParseMatchType(MatchTypeString(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(MatchTypeString(MatchType::kRegexNoMatch), "!~");
  absl::StatusOr<MatchType> bad = ParseMatchType("==");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("\"==\""));
  EXPECT_FALSE(ParseMatchType("").ok());
}

TEST(MatcherTest, Equal) {
  const Matcher m = Make(MatchType::kEqual, "job", "api");
  EXPECT_TRUE(m.Matches("api"));
  EXPECT_FALSE(m.Matches("api2"));
  EXPECT_FALSE(m.Matches(""));
  EXPECT_FALSE(m.MatchesEmpty());
  EXPECT_FALSE(m.IsRegex());
  EXPECT_EQ(m.name(), "job");
  EXPECT_EQ(m.value(), "api");
  EXPECT_EQ(m.type(), MatchType::kEqual);
  // Equality is not a regex: metacharacters are plain bytes.
  EXPECT_TRUE(Make(MatchType::kEqual, "job", "a.*").Matches("a.*"));
  EXPECT_FALSE(Make(MatchType::kEqual, "job", "a.*").Matches("abc"));
  EXPECT_TRUE(Make(MatchType::kEqual, "job", "").MatchesEmpty());
}

TEST(MatcherTest, NotEqual) {
  const Matcher m = Make(MatchType::kNotEqual, "job", "api");
  EXPECT_FALSE(m.Matches("api"));
  EXPECT_TRUE(m.Matches("web"));
  EXPECT_TRUE(m.Matches(""));
  EXPECT_TRUE(m.MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kNotEqual, "job", "").MatchesEmpty());
}

TEST(MatcherTest, RegexMatch) {
  const Matcher m = Make(MatchType::kRegexMatch, "code", "5[0-9]{2}");
  EXPECT_TRUE(m.IsRegex());
  EXPECT_EQ(m.StrategyName(), "regex");
  EXPECT_TRUE(m.Matches("500"));
  EXPECT_TRUE(m.Matches("599"));
  EXPECT_FALSE(m.Matches("5000"));
  EXPECT_FALSE(m.Matches("x500"));
  EXPECT_FALSE(m.Matches("200"));
  EXPECT_FALSE(m.MatchesEmpty());
}

TEST(MatcherTest, RegexNoMatch) {
  const Matcher m = Make(MatchType::kRegexNoMatch, "code", "5..");
  EXPECT_FALSE(m.Matches("500"));
  EXPECT_TRUE(m.Matches("5000"));
  EXPECT_TRUE(m.Matches("200"));
  EXPECT_TRUE(m.MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kRegexNoMatch, "code", ".*").MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kRegexNoMatch, "code", ".+").MatchesEmpty());
}

TEST(MatcherTest, RegexesAreFullyAnchored) {
  EXPECT_FALSE(Re("foo").Matches("foobar"));
  EXPECT_FALSE(Re("foo").Matches("xfoo"));
  EXPECT_FALSE(Re("foo").Matches("foo\n"));  // $ is the end of text, not of a line
  EXPECT_TRUE(Re("foo").Matches("foo"));
  EXPECT_FALSE(Re("a|b").Matches("ab"));
  EXPECT_TRUE(Re("a|b").Matches("a"));
  EXPECT_TRUE(Re("a|b").Matches("b"));
  EXPECT_FALSE(Re("a|b+").Matches("abb"));
  EXPECT_FALSE(Re("fo(o|x)").Matches("foox"));
  EXPECT_FALSE(Re("^foo").Matches("foobar"));  // user anchors change nothing
  EXPECT_TRUE(Re("^foo$").Matches("foo"));
}

TEST(MatcherTest, DotMatchesNewline) {
  EXPECT_TRUE(Re("foo.*").Matches("foo\nbar"));
  EXPECT_TRUE(Re(".*").Matches("a\nb"));
  EXPECT_TRUE(Re("a.c").Matches("a\nc"));
  EXPECT_TRUE(Re("f[a-z]o.*r").Matches("foo\nbar"));  // through RE2 as well
  EXPECT_EQ(Re("f[a-z]o.*r").StrategyName(), "regex");
}

TEST(MatcherTest, PatternThatWouldEscapeTheAnchorIsRejected) {
  // "^(?s:a)|(b)$" would compile and match "ab..."; Prometheus rejects the pattern, and so do we.
  absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kRegexMatch, "job", "a)|(b");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MatcherTest, InvalidRegexError) {
  absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kRegexMatch, "job", "a(b");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), R"(invalid regular expression in matcher job=~"a(b": missing ): a(b)");

  m = Matcher::Create(MatchType::kRegexNoMatch, "path", "x**");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr(R"(matcher path!~"x**": bad repetition operator: **)"));

  m = Matcher::Create(MatchType::kRegexMatch, "x", "\\");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("trailing \\"));

  // Not regexes: anything goes.
  EXPECT_TRUE(Matcher::Create(MatchType::kEqual, "job", "a(b").ok());
  EXPECT_TRUE(Matcher::Create(MatchType::kNotEqual, "job", "a(b").ok());
}

TEST(MatcherTest, ToString) {
  EXPECT_EQ(Make(MatchType::kEqual, "job", "api").ToString(), R"(job="api")");
  EXPECT_EQ(Make(MatchType::kNotEqual, "job", "").ToString(), R"(job!="")");
  EXPECT_EQ(Make(MatchType::kRegexMatch, "job", "a.*").ToString(), R"(job=~"a.*")");
  EXPECT_EQ(Make(MatchType::kRegexNoMatch, "path", "a\\.b\"c").ToString(), R"(path!~"a\\.b\"c")");
  EXPECT_EQ(Make(MatchType::kEqual, "msg", "line1\nline2").ToString(), R"(msg="line1\nline2")");
}

TEST(MatcherTest, CopiesShareAndBehaveAlike) {
  const Matcher a = Re("x[0-9]+");
  const Matcher b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  Matcher c = Re("unused");
  c = b;
  for (const char* v : {"x1", "x12", "x", "y1"}) {
    EXPECT_EQ(a.Matches(v), b.Matches(v)) << v;
    EXPECT_EQ(a.Matches(v), c.Matches(v)) << v;
  }
}

struct FastPathCase {
  std::string pattern;
  std::string strategy;
};

// Every fast path must answer exactly as RE2 on the anchored pattern.
TEST(MatcherTest, FastPathsAgreeWithRe2) {
  const std::vector<FastPathCase> cases = {
      {".*", "any"},
      {".+", "non-empty"},
      {"", "literal"},
      {"foo", "literal"},
      {"foo bar", "literal"},
      {"a\\.b", "literal"},
      {"\\(x\\)\\*\\\\", "literal"},
      {"caf\xc3\xa9", "literal"},
      {"-#/:=", "literal"},
      {"foo|bar|baz", "set"},
      {"a|", "set"},
      {"|a", "set"},
      {"a\\|b|c", "set"},
      {"a\\.b|c", "set"},
      {"foo.*", "prefix"},
      {"a\\.b.*", "prefix"},
      {"foo\\\\.*", "prefix"},
      {".*foo", "suffix"},
      {".*\\.com", "suffix"},
      {".*foo.*", "contains"},
      {".*.*", "contains"},
      {".*a|b.*", "regex"},
      {"foo\\.*", "regex"},
      {"fo*", "regex"},
      {"foo.+", "regex"},
      {"foo.*?", "regex"},
      {".*?foo", "regex"},
      {"\\d+", "regex"},
      {"(foo)", "regex"},
      {"a|b.*", "regex"},
      {"(?i)foo", "regex"},
      {"[a]", "regex"},
      {"a{2}", "regex"},
      {"^foo", "regex"},
      {"foo$", "regex"},
  };
  const std::vector<std::string> inputs = {
      "",
      "foo",
      "foobar",
      "barfoo",
      "xfoox",
      "bar",
      "baz",
      "foo bar",
      "a.b",
      "aXb",
      "a.bc",
      "a.",
      "a",
      "b",
      "ab",
      "a|b",
      "c",
      "(x)*\\",
      "f",
      "fo",
      "fooo",
      "foo.",
      "foo..",
      "foo\\",
      "foo\\x",
      "x.com",
      "xcom",
      "\n",
      "foo\n",
      "\nfoo",
      "a\nb",
      "FOO",
      "aa",
      "123",
      "-#/:=",
      "caf\xc3\xa9",
      "caf\xc3\xa9!",
      "\xc3\xa9",
      "foo\nbar",
  };
  for (const FastPathCase& c : cases) {
    const Matcher m = Re(c.pattern);
    EXPECT_EQ(m.StrategyName(), c.strategy) << c.pattern;
    const Matcher not_m = Make(MatchType::kRegexNoMatch, "l", c.pattern);
    const RE2 reference(absl::StrCat("^(?s:", c.pattern, ")$"));
    ASSERT_TRUE(reference.ok()) << c.pattern;
    for (const std::string& in : inputs) {
      const bool want = RE2::FullMatch(in, reference);
      EXPECT_EQ(m.Matches(in), want) << "pattern " << c.pattern << " input " << in;
      EXPECT_EQ(not_m.Matches(in), !want) << "pattern " << c.pattern << " input " << in;
    }
    EXPECT_EQ(m.MatchesEmpty(), RE2::FullMatch("", reference)) << c.pattern;
  }
}

TEST(MatcherTest, FastPathsTreatInvalidUtf8AsPrometheusDoes) {
  // Go's regexp (Prometheus) lets `.` match any byte; the fast paths keep that. RE2 does not, so a pattern that only
  // RE2 can run differs here. Validated label values are UTF-8, so this only concerns unvalidated input.
  EXPECT_TRUE(Re(".*").Matches("\xff"));
  EXPECT_TRUE(Re(".+").Matches("\xff"));
  EXPECT_TRUE(Re("foo.*").Matches("foo\xff"));
  EXPECT_TRUE(
      Re(".*foo.*").Matches("\xff"
                            "foo\x80"));
  EXPECT_FALSE(Re("(.*)").Matches("\xff"));
}

TEST(MatcherTest, SetMatchesOnlyWholeAlternatives) {
  const Matcher m = Re("GET|POST|PUT");
  EXPECT_EQ(m.StrategyName(), "set");
  EXPECT_TRUE(m.Matches("POST"));
  EXPECT_FALSE(m.Matches("POS"));
  EXPECT_FALSE(m.Matches("GETPOST"));
  EXPECT_FALSE(m.Matches("get"));
  EXPECT_FALSE(m.MatchesEmpty());
}

}  // namespace
}  // namespace vigil
