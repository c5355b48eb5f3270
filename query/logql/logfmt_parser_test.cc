#include "query/logql/logfmt_parser.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

std::string Parse(std::string_view line, bool strict = false, bool keep_empty = false) {
  LogfmtStage st;
  st.strict = strict;
  st.keep_empty = keep_empty;
  absl::StatusOr<LogfmtParser> p = LogfmtParser::Compile(st);
  const Labels stream = {{"app", "x"}};
  LineLabels labels;
  labels.Reset(&stream);
  p->Process(line, &labels);
  std::string out;
  labels.ForEach([&](std::string_view n, std::string_view v) { out += std::string(n) + "=" + std::string(v) + ";"; });
  return out;
}

TEST(LogfmtParserTest, Pairs) {
  EXPECT_EQ(Parse(R"(level=info msg="hello \"w\"" app=y k.e-y=1 bare)"),
            "app=x;level=info;msg=hello \"w\";app_extracted=y;k_e_y=1;");
  EXPECT_EQ(Parse("a= b=2", false, true), "app=x;b=2;");  // an empty value is extracted but leaves no label
  EXPECT_EQ(Parse("a=1 a=2"), "app=x;a=1;");
}

TEST(LogfmtParserTest, StrictErrors) {
  EXPECT_EQ(Parse("a=1 =2 b=3"), "app=x;a=1;b=3;");
  EXPECT_EQ(Parse("a=1 =2 b=3", true),
            "app=x;a=1;__error__=LogfmtParserErr;__error_details__=logfmt syntax error at pos 5 : unexpected '=';");
}

TEST(LogfmtParserTest, KeepEmpty) {
  for (bool keep : {false, true}) {
    LogfmtStage st;
    st.keep_empty = keep;
    absl::StatusOr<LogfmtParser> p = LogfmtParser::Compile(st);
    const Labels stream;
    LineLabels labels;
    labels.Reset(&stream);
    p->Process("a= b=2", &labels);
    EXPECT_EQ(labels.Extracted("a"), keep);
    EXPECT_TRUE(labels.Extracted("b"));
  }
}

TEST(LogfmtDecoderTest, Scans) {
  LogfmtDecoder d;
  d.Reset(R"(x="a\nb" y)");
  ASSERT_TRUE(d.ScanKeyval());
  EXPECT_EQ(d.value(), "a\nb");
  ASSERT_TRUE(d.ScanKeyval());
  EXPECT_EQ(d.key(), "y");
  EXPECT_TRUE(d.value().empty());
}

}  // namespace
}  // namespace vigil::logql
