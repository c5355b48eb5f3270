#include "base/http/query_string.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::http {
namespace {

using ::testing::ElementsAre;
using Pair = std::pair<const std::string, std::string>;

TEST(QueryUnescapeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(QueryUnescape("a+b%20c"), "a b c");
  EXPECT_EQ(QueryUnescape("%7B__name__%3D%22up%22%7d"), "{__name__=\"up\"}");
  EXPECT_EQ(QueryUnescape("%2B"), "+");
  EXPECT_EQ(QueryUnescape(std::string_view("%00x", 4)), std::string("\0x", 2));
}

TEST(QueryUnescapeTest, KeepsMalformedEscapes) {
  EXPECT_EQ(QueryUnescape("100%"), "100%");
  EXPECT_EQ(QueryUnescape("%zz"), "%zz");
  EXPECT_EQ(QueryUnescape("%4"), "%4");
  EXPECT_EQ(QueryUnescape("%4g%41"), "%4gA");
}

TEST(ParseQueryStringTest, PairsInOrderWithRepeatsAndEmptyValues) {
  std::multimap<std::string, std::string> params;
  ParseQueryString("match[]=up&match[]=down&flag&empty=&&x=1=2&a+b=c%26d", &params);
  EXPECT_THAT(params, ElementsAre(Pair("a b", "c&d"), Pair("empty", ""), Pair("flag", ""), Pair("match[]", "up"),
                                  Pair("match[]", "down"), Pair("x", "1=2")));
}

TEST(ParseQueryStringTest, EmptyQueryAddsNothing) {
  std::multimap<std::string, std::string> params;
  ParseQueryString("", &params);
  ParseQueryString("&&", &params);
  EXPECT_TRUE(params.empty());
}

}  // namespace
}  // namespace vigil::http
