#include "base/strings/json_escape.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

std::string Escape(unsigned char c) {
  std::string out;
  AppendJsonEscapedByte(c, &out);
  return out;
}

TEST(JsonEscapeTest, ShortForms) {
  EXPECT_EQ(Escape('"'), "\\\"");
  EXPECT_EQ(Escape('\\'), "\\\\");
  EXPECT_EQ(Escape('\n'), "\\n");
  EXPECT_EQ(Escape('\r'), "\\r");
  EXPECT_EQ(Escape('\t'), "\\t");
}

TEST(JsonEscapeTest, UnicodeForms) {
  EXPECT_EQ(Escape(0x00), "\\u0000");
  EXPECT_EQ(Escape(0x1f), "\\u001f");
  EXPECT_EQ(Escape(0x7f), "\\u007f");
  EXPECT_EQ(Escape('<'), "\\u003c");
  EXPECT_EQ(Escape('&'), "\\u0026");
}

}  // namespace
}  // namespace vigil
