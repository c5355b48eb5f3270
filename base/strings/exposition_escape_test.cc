#include "base/strings/exposition_escape.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

std::string E(std::string_view s, bool quote) {
  std::string out = "<";
  AppendExpositionEscaped(s, quote, &out);
  return out;
}

TEST(ExpositionEscapeTest, EscapesBackslashNewlineAndOptionallyQuotes) {
  EXPECT_EQ(E("plain", true), "<plain");
  EXPECT_EQ(E("a\\b\nc\"d", true), "<a\\\\b\\nc\\\"d");
  EXPECT_EQ(E("a\\b\nc\"d", false), "<a\\\\b\\nc\"d");
  EXPECT_EQ(E("", true), "<");
  EXPECT_EQ(E("\t\r", true), "<\t\r");  // only the three characters the formats define
}

}  // namespace
}  // namespace vigil
