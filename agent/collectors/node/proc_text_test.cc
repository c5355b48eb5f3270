#include "agent/collectors/node/proc_text.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace vigil::agent::node {
namespace {

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

TEST(ProcTextTest, LinesAndFields) {
  std::string_view text = "cpu0  1 2\t3\nintr 5\n\nlast";
  std::string_view line;
  ASSERT_TRUE(NextLine(&text, &line));
  EXPECT_EQ(NextField(&line), "cpu0");
  EXPECT_EQ(NextField(&line), "1");
  EXPECT_EQ(NextField(&line), "2");
  EXPECT_EQ(NextField(&line), "3");
  EXPECT_EQ(NextField(&line), "");
  ASSERT_TRUE(NextLine(&text, &line));
  EXPECT_EQ(line, "intr 5");
  ASSERT_TRUE(NextLine(&text, &line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(NextLine(&text, &line));
  EXPECT_EQ(line, "last");
  EXPECT_FALSE(NextLine(&text, &line));
}

TEST(ProcTextTest, Numbers) {
  uint64_t u = 0;
  EXPECT_TRUE(ParseUint("18446744073709551615", &u));
  EXPECT_EQ(u, 18446744073709551615u);
  EXPECT_FALSE(ParseUint("18446744073709551616", &u));
  EXPECT_FALSE(ParseUint("-1", &u));
  EXPECT_FALSE(ParseUint("12x", &u));
  EXPECT_FALSE(ParseUint("", &u));
  int64_t i = 0;
  EXPECT_TRUE(ParseInt("0x1003", &i));
  EXPECT_EQ(i, 4099);
  EXPECT_TRUE(ParseInt("-1", &i));
  EXPECT_EQ(i, -1);
  EXPECT_FALSE(ParseInt("0x", &i));
  double d = 0;
  EXPECT_TRUE(ParseDouble("0.45", &d));
  EXPECT_DOUBLE_EQ(d, 0.45);
  EXPECT_FALSE(ParseDouble("1.0.0", &d));
  EXPECT_EQ(Trim(" \tup\n"), "up");
}

TEST(ProcTextTest, JoinPathInto) {
  std::string out;
  JoinPathInto("/host/root/", "/var/lib", &out);
  EXPECT_EQ(out, "/host/root/var/lib");
  JoinPathInto("/", "/", &out);
  EXPECT_EQ(out, "/");
  JoinPathInto("/sys", "class/net", &out);
  EXPECT_EQ(out, "/sys/class/net");
}

TEST(ProcTextTest, ReaderGrowsAndReportsMissingFiles) {
  const std::string path = TmpDir() + "/big";
  std::string big(10000, 'x');
  big.back() = 'y';
  std::ofstream(path) << big;
  FileReader reader;
  std::string_view text;
  ASSERT_TRUE(reader.Read(path, &text).ok());
  EXPECT_EQ(text.size(), big.size());
  EXPECT_EQ(text.back(), 'y');
  absl::Status s = reader.Read(TmpDir() + "/absent", &text);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_NE(s.message().find("/absent"), std::string_view::npos);
  EXPECT_TRUE(text.empty());
}

}  // namespace
}  // namespace vigil::agent::node
