#include "base/strings/go_float.h"

#include <cmath>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(GoFloatTest, Accepts) {
  double v = 0;
  ASSERT_TRUE(ParseGoFloat("1.5", &v));
  EXPECT_EQ(v, 1.5);
  ASSERT_TRUE(ParseGoFloat("-2e3", &v));
  EXPECT_EQ(v, -2000);
  ASSERT_TRUE(ParseGoFloat("+.5", &v));
  EXPECT_EQ(v, 0.5);
  ASSERT_TRUE(ParseGoFloat("1E2", &v));
  EXPECT_EQ(v, 100);
  ASSERT_TRUE(ParseGoFloat("-Inf", &v));
  EXPECT_EQ(v, -INFINITY);
  ASSERT_TRUE(ParseGoFloat("infinity", &v));
  EXPECT_EQ(v, INFINITY);
  ASSERT_TRUE(ParseGoFloat("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
}

TEST(GoFloatTest, Refuses) {
  double v = 7;
  for (std::string_view s : {"", "+", "--1", "+-1", " 1", "1 ", "0x10", "nan(1)", "1e400", "1e", "abc", "1_000"}) {
    EXPECT_FALSE(ParseGoFloat(s, &v)) << s;
  }
  EXPECT_EQ(v, 7);
}

}  // namespace
}  // namespace vigil
