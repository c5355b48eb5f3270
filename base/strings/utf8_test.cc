#include "base/strings/utf8.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(Utf8Test, EncodesEachLength) {
  std::string out;
  AppendUtf8('a', &out);
  AppendUtf8(0xE9, &out);     // é
  AppendUtf8(0x20AC, &out);   // €
  AppendUtf8(0x1F600, &out);  // 😀
  EXPECT_EQ(out, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Utf8Test, Boundaries) {
  std::string out;
  AppendUtf8(0x7F, &out);
  AppendUtf8(0x80, &out);
  AppendUtf8(0x7FF, &out);
  AppendUtf8(0x800, &out);
  AppendUtf8(0xFFFF, &out);
  AppendUtf8(0x10000, &out);
  AppendUtf8(0x10FFFF, &out);
  EXPECT_EQ(out, "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF");
}

}  // namespace
}  // namespace vigil
