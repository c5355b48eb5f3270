#include "query/api/json.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "model/sample.h"

namespace vigil::query::api {
namespace {

std::string Value(double v) {
  std::string out;
  AppendSampleValue(v, &out);
  return out;
}
std::string ScalarV(double v) {
  std::string out;
  AppendScalarValue(v, &out);
  return out;
}
std::string Ts(int64_t ms) {
  std::string out;
  AppendTimestamp(ms, &out);
  return out;
}
std::string Secs(int64_t ms) {
  std::string out;
  AppendFloatSeconds(ms, &out);
  return out;
}
std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

// Expected texts are what Prometheus' jsonutil.MarshalFloat (Go strconv 'f'/'e' with -1 precision) writes.
TEST(JsonTest, SampleValuesAsPrometheus) {
  EXPECT_EQ(Value(0), "\"0\"");
  EXPECT_EQ(Value(-0.0), "\"-0\"");
  EXPECT_EQ(Value(1), "\"1\"");
  EXPECT_EQ(Value(2), "\"2\"");
  EXPECT_EQ(Value(1e6), "\"1000000\"");
  EXPECT_EQ(Value(0.1), "\"0.1\"");
  EXPECT_EQ(Value(0.1 + 0.2), "\"0.30000000000000004\"");
  EXPECT_EQ(Value(-1.5), "\"-1.5\"");
  EXPECT_EQ(Value(123456.789), "\"123456.789\"");
  EXPECT_EQ(Value(1e20), "\"100000000000000000000\"");
  EXPECT_EQ(Value(1.5e20), "\"150000000000000000000\"");
  EXPECT_EQ(Value(1e21), "\"1e+21\"");
  EXPECT_EQ(Value(1.5e300), "\"1.5e+300\"");
  EXPECT_EQ(Value(1e-6), "\"0.000001\"");
  EXPECT_EQ(Value(1.5e-5), "\"0.000015\"");
  EXPECT_EQ(Value(1e-7), "\"1e-07\"");
  EXPECT_EQ(Value(-2.5e-10), "\"-2.5e-10\"");
  EXPECT_EQ(Value(5e-324), "\"5e-324\"");
  EXPECT_EQ(Value(std::numeric_limits<double>::max()), "\"1.7976931348623157e+308\"");
  EXPECT_EQ(Value(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Value(StaleNaN()), "\"NaN\"");
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()), "\"-Inf\"");
  EXPECT_EQ(Value(9007199254740993.0), "\"9007199254740992\"");
}

TEST(JsonTest, ScalarValuesAlwaysPositional) {
  EXPECT_EQ(ScalarV(2), "\"2\"");
  EXPECT_EQ(ScalarV(1e-7), "\"0.0000001\"");
  EXPECT_EQ(ScalarV(1e21), "\"1000000000000000000000\"");
  EXPECT_EQ(ScalarV(std::numeric_limits<double>::infinity()), "\"+Inf\"");
  EXPECT_EQ(ScalarV(std::nan("")), "\"NaN\"");
}

TEST(JsonTest, GoFormats) {
  std::string out;
  AppendGoFloatE(0, &out);
  EXPECT_EQ(out, "0e+00");
  out.clear();
  AppendGoFloatE(1234.5, &out);
  EXPECT_EQ(out, "1.2345e+03");
  out.clear();
  AppendGoFloatF(1e300, &out);
  EXPECT_EQ(out.size(), 301u);
  EXPECT_EQ(out.substr(0, 3), "100");
}

TEST(JsonTest, TimestampsAsMarshalTimestamp) {
  EXPECT_EQ(Ts(0), "0");
  EXPECT_EQ(Ts(4000), "4");
  EXPECT_EQ(Ts(1500), "1.500");
  EXPECT_EQ(Ts(1050), "1.050");
  EXPECT_EQ(Ts(1005), "1.005");
  EXPECT_EQ(Ts(1700000000123), "1700000000.123");
  EXPECT_EQ(Ts(-1500), "-1.500");
  EXPECT_EQ(Ts(-5), "-0.005");
  EXPECT_EQ(Ts(kMinTimestampMs), "-9223372036854775.808");
}

TEST(JsonTest, FloatSecondsAsEncodingJson) {
  EXPECT_EQ(Secs(4000), "4");
  EXPECT_EQ(Secs(1500), "1.5");
  EXPECT_EQ(Secs(1700000000123), "1700000000.123");
  EXPECT_EQ(Secs(0), "0");
  EXPECT_EQ(Secs(-250), "-0.25");
  std::string out;
  AppendJsonNumber(1e-7, &out);
  EXPECT_EQ(out, "1e-7");
  out.clear();
  AppendJsonNumber(1e21, &out);
  EXPECT_EQ(out, "1e+21");
}

TEST(JsonTest, StringsEscapedAsGo) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Str("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(Str(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(Str("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
  EXPECT_EQ(Str("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(Str("bad\xff!"), "\"bad\\ufffd!\"");
  EXPECT_EQ(Str("trunc\xe2\x82"), "\"trunc\\ufffd\\ufffd\"");
  EXPECT_EQ(Str("\xe2\x80\xa8|\xe2\x80\xa9"), "\"\\u2028|\\u2029\"");
  EXPECT_EQ(Str("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate is not valid UTF-8
}

TEST(JsonTest, LabelsObjectNotHtmlEscaped) {
  Labels l = Labels::FromPairs({{"__name__", "up"}, {"job", "a<b>&\"q\"\n"}});
  std::string out;
  AppendLabelsObject(l, &out);
  EXPECT_EQ(out, R"({"__name__":"up","job":"a<b>&\"q\"\n"})");
  out.clear();
  AppendLabelsObject(Labels(), &out);
  EXPECT_EQ(out, "{}");
}

TEST(JsonTest, GoQuote) {
  EXPECT_EQ(GoQuote("abc"), "\"abc\"");
  EXPECT_EQ(GoQuote("a\"b\n\x01"), "\"a\\\"b\\n\\x01\"");
}

}  // namespace
}  // namespace vigil::query::api
