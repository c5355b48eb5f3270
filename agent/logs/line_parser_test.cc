#include "agent/logs/line_parser.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil::agent::logs {
namespace {

TEST(Rfc3339Test, ParsesNanosZoneAndOffset) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseRfc3339Nano("2016-10-06T00:17:09.669794202Z", &ns));
  EXPECT_EQ(ns, 1475713029669794202);
  ASSERT_TRUE(ParseRfc3339Nano("1970-01-01T00:00:00Z", &ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(ParseRfc3339Nano("1970-01-01T01:00:00.5+01:00", &ns));
  EXPECT_EQ(ns, 500000000);
  ASSERT_TRUE(ParseRfc3339Nano("2024-02-29T23:59:59.1234567891Z", &ns));  // 10 digits: cut to 9
  EXPECT_EQ(ns % 1000000000, 123456789);
  EXPECT_FALSE(ParseRfc3339Nano("2016-10-06 00:17:09Z", &ns));
  EXPECT_FALSE(ParseRfc3339Nano("2016-13-06T00:17:09Z", &ns));
  EXPECT_FALSE(ParseRfc3339Nano("2016-10-06T00:17:09", &ns));
  EXPECT_FALSE(ParseRfc3339Nano("2016-10-06T00:17:09.Z", &ns));
  EXPECT_FALSE(ParseRfc3339Nano("", &ns));
}

TEST(CriLineTest, ParsesFullPartialAndTags) {
  ParsedLine p;
  ASSERT_TRUE(ParseCriLine("2016-10-06T00:17:09.669794202Z stdout F hello world", &p));
  EXPECT_EQ(p.timestamp_ns, 1475713029669794202);
  EXPECT_EQ(p.stream, LogStream::kStdout);
  EXPECT_FALSE(p.partial);
  EXPECT_EQ(p.message, "hello world");
  ASSERT_TRUE(ParseCriLine("2016-10-06T00:17:09Z stderr P:x part ", &p));
  EXPECT_EQ(p.stream, LogStream::kStderr);
  EXPECT_TRUE(p.partial);
  EXPECT_EQ(p.message, "part ");
  ASSERT_TRUE(ParseCriLine("2016-10-06T00:17:09Z stdout F", &p));
  EXPECT_EQ(p.message, "");
  ASSERT_TRUE(ParseCriLine("2016-10-06T00:17:09Z stdout F bad \xff\xfe utf8", &p));
  EXPECT_EQ(p.message, "bad \xff\xfe utf8");
}

TEST(CriLineTest, RefusesMalformed) {
  ParsedLine p;
  EXPECT_FALSE(ParseCriLine("", &p));
  EXPECT_FALSE(ParseCriLine("hello", &p));
  EXPECT_FALSE(ParseCriLine("2016-10-06T00:17:09Z stdin F x", &p));
  EXPECT_FALSE(ParseCriLine("2016-10-06T00:17:09Z stdout X x", &p));
  EXPECT_FALSE(ParseCriLine("2016-10-06T00:17:09Z stdout FF x", &p));
  EXPECT_FALSE(ParseCriLine("notatime stdout F x", &p));
}

TEST(DockerLineTest, ParsesFullAndPartialWithEscapes) {
  ParsedLine p;
  std::string scratch;
  ASSERT_TRUE(ParseDockerLine(
      R"({"log":"hi \"there\"\t\u00e9\ud83d\ude00\n","stream":"stderr","time":"2016-10-20T18:39:20.57606443Z"})",
      &scratch, &p));
  EXPECT_EQ(p.stream, LogStream::kStderr);
  EXPECT_FALSE(p.partial);
  EXPECT_EQ(p.message, "hi \"there\"\t\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(p.timestamp_ns, 1476988760576064430);
  ASSERT_TRUE(ParseDockerLine(
      R"({"stream":"stdout","attrs":{"a":[1,"}"]},"log":"no newline","time":"2016-10-20T18:39:20Z"})", &scratch, &p));
  EXPECT_TRUE(p.partial);
  EXPECT_EQ(p.message, "no newline");
  EXPECT_EQ(p.stream, LogStream::kStdout);
}

TEST(DockerLineTest, RefusesMalformed) {
  ParsedLine p;
  std::string scratch;
  EXPECT_FALSE(ParseDockerLine("", &scratch, &p));
  EXPECT_FALSE(ParseDockerLine("plain text", &scratch, &p));
  EXPECT_FALSE(ParseDockerLine(R"({"log":"x\n","stream":"stdout"})", &scratch, &p));  // no time
  EXPECT_FALSE(ParseDockerLine(R"({"log":"x\n","time":"bad"})", &scratch, &p));
  EXPECT_FALSE(ParseDockerLine(R"({"log":"unterminated)", &scratch, &p));
  EXPECT_FALSE(ParseDockerLine(R"({"log":"\q","time":"2016-10-20T18:39:20Z"})", &scratch, &p));
}

}  // namespace
}  // namespace vigil::agent::logs
