#include "agent/logs/positions.h"

#include "gtest/gtest.h"

namespace vigil::agent::logs {
namespace {

TEST(PositionsTest, RoundTrips) {
  std::vector<PositionEntry> in = {{2049, 1234, 1024, 0xdeadbeef, 987654, "/var/log/pods/a b/c/0.log"},
                                   {1, 2, 0, 0, 0, "/x\ny"}};
  std::string text = FormatPositions(in);
  absl::StatusOr<std::vector<PositionEntry>> out = ParsePositions(text);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].device, 2049u);
  EXPECT_EQ((*out)[0].inode, 1234u);
  EXPECT_EQ((*out)[0].fingerprint_len, 1024u);
  EXPECT_EQ((*out)[0].fingerprint, 0xdeadbeefu);
  EXPECT_EQ((*out)[0].offset, 987654u);
  EXPECT_EQ((*out)[0].path, "/var/log/pods/a b/c/0.log");
  EXPECT_EQ((*out)[1].path, "/x?y");
}

TEST(PositionsTest, MalformedLineNamed) {
  absl::StatusOr<std::vector<PositionEntry>> out = ParsePositions("# c\n1 2 3 ff 5 p\n1 x 3 ff 5 p\n");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("line 3"), std::string_view::npos) << out.status();
  EXPECT_FALSE(ParsePositions("1 2 3\n").ok());
}

}  // namespace
}  // namespace vigil::agent::logs
