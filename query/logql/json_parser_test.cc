#include "query/logql/json_parser.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

std::string Flatten(std::string_view line, const Labels& stream = {}) {
  LineLabels labels;
  labels.Reset(&stream);
  JsonFlattener f;
  f.Process(line, &labels);
  return labels.Build().ToString();
}

TEST(JsonFlattenerTest, Flattens) {
  EXPECT_EQ(Flatten(R"({"a":"x","b":{"c":1,"d":{"e":true}},"arr":[1,{"z":2}],"n":null,"1st":"y","w s":"q\u00e9\n"})"),
            R"({_1st="y", a="x", b_c="1", b_d_e="true", w_s="qé\n"})");
  EXPECT_EQ(Flatten(R"({"app":"dup","app":"second"})", {{"app", "stream"}}), R"({app="stream", app_extracted="dup"})");
  EXPECT_EQ(Flatten("  {}  "), "{}");
}

TEST(JsonFlattenerTest, Errors) {
  EXPECT_EQ(Flatten(R"({"a":"x", "b")"),
            R"({__error__="JSONParserErr", __error_details__="Malformed JSON error", a="x"})");
  EXPECT_EQ(Flatten(R"({"a":"x)"),
            R"({__error__="JSONParserErr", __error_details__="Value is string, but can't find closing '\"' symbol"})");
  EXPECT_EQ(
      Flatten("[1]"),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol"})");
  std::string deep(100000, '[');
  EXPECT_NE(Flatten("{\"a\":" + deep), "");  // no stack overflow
}

TEST(JsonPathExtractorTest, Paths) {
  absl::StatusOr<JsonPathExtractor> x = JsonPathExtractor::Compile(
      {{"a", "a.b"}, {"i", "list[1]"}, {"o", "obj"}, {"k", R"(["k y"])"}, {"m", "missing.x"}});
  ASSERT_TRUE(x.ok()) << x.status();
  const Labels stream;
  LineLabels labels;
  labels.Reset(&stream);
  x->Process(R"({"a":{"b":"v"},"list":[10,20],"obj":{"x": [1]},"k y":"s"})", &labels);
  EXPECT_EQ(labels.Build().ToString(), R"({a="v", i="20", k="s", o="{\"x\": [1]}"})");
  EXPECT_FALSE(JsonPathExtractor::Compile({{"a", "a..b"}}).ok());
  EXPECT_FALSE(JsonPathExtractor::Compile({{"a-b", "a"}}).ok());
}

TEST(UnpackerTest, Entry) {
  const Labels stream;
  LineLabels labels;
  labels.Reset(&stream);
  Unpacker u;
  EXPECT_EQ(u.Process(R"({"_entry":"line","x":"1","n":2})", &labels), "line");
  EXPECT_EQ(labels.Build().ToString(), R"({x="1"})");
}

}  // namespace
}  // namespace vigil::logql
