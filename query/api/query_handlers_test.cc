#include "query/api/query_handlers.h"

#include <map>
#include <string>

#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "query/engine/engine.h"
#include "rapidjson/document.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query::api {
namespace {

using Fn = void (*)(const PrometheusApiDeps&, const http::Request&, http::Response*);
using Params = std::multimap<std::string, std::string>;

constexpr TimestampMs kT0 = 1700000000000;

EngineOptions Options(Clock* clock) {
  EngineOptions o;
  o.clock = clock;
  return o;
}

class QueryHandlersTest : public ::testing::Test {
 protected:
  QueryHandlersTest() {
    deps_.storage = &storage_;
    deps_.engine = &engine_;
    deps_.clock = &clock_;
    auto app = storage_.NewAppender();
    for (int i = 0; i <= 8; ++i) {
      EXPECT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"job", "node"}}, kT0 + i * 15000, 1).ok());
      EXPECT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"job", "api"}}, kT0 + i * 15000, i).ok());
    }
    EXPECT_TRUE(app->Commit().ok());
  }

  std::string Call(Fn fn, Params params, int want_status = 200, std::string method = "POST") {
    http::Request req;
    req.method = std::move(method);
    req.params = std::move(params);
    http::Response resp;
    fn(deps_, req, &resp);
    EXPECT_EQ(resp.status, want_status) << resp.body;
    EXPECT_EQ(resp.content_type, "application/json");
    return resp.body;
  }

  tsdb::MemoryStorage storage_;
  FakeClock clock_{absl::FromUnixMillis(kT0 + 60000)};
  Engine engine_{Options(&clock_)};
  PrometheusApiDeps deps_;
};

TEST_F(QueryHandlersTest, GrafanaHealthCheck) {
  EXPECT_EQ(Call(HandleQuery, {{"query", "1+1"}, {"time", "4"}}),
            R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
}

TEST_F(QueryHandlersTest, InstantVectorAtTimeAndDefaultNow) {
  EXPECT_EQ(Call(HandleQuery, {{"query", "up"}, {"time", "1700000030.5"}}, 200, "GET"),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","job":"api"},"value":[1700000030.500,"2"]},)"
            R"({"metric":{"__name__":"up","job":"node"},"value":[1700000030.500,"1"]}]}})");
  rapidjson::Document d;
  d.Parse(Call(HandleQuery, {{"query", R"(up{job="api"})"}}).c_str());
  // No time: the clock's now (kT0 + 60 s), where the api series has value 4.
  EXPECT_DOUBLE_EQ(d["data"]["result"][0]["value"][0].GetDouble(), 1700000060.0);
  EXPECT_STREQ(d["data"]["result"][0]["value"][1].GetString(), "4");
}

TEST_F(QueryHandlersTest, RangeQueryAsGrafanaSendsIt) {
  rapidjson::Document d;
  d.Parse(Call(HandleQueryRange, {{"query", "up"}, {"start", "1700000000"}, {"end", "1700000060"}, {"step", "15"}})
              .c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["data"]["resultType"].GetString(), "matrix");
  const auto& result = d["data"]["result"];
  ASSERT_EQ(result.Size(), 2u);
  const auto& values = result[0]["values"];
  ASSERT_EQ(values.Size(), 5u);
  EXPECT_TRUE(values[0][0].IsNumber());
  EXPECT_TRUE(values[0][1].IsString());
  EXPECT_EQ(values[4][0].GetInt64(), 1700000060);
  EXPECT_STREQ(values[4][1].GetString(), "4");
  // RFC3339 and duration steps are accepted too.
  d.Parse(Call(HandleQueryRange,
               {{"query", "up"}, {"start", "2023-11-14T22:13:20Z"}, {"end", "2023-11-14T22:14:20Z"}, {"step", "30s"}},
               200, "GET")
              .c_str());
  EXPECT_EQ(d["data"]["result"][0]["values"].Size(), 3u);
}

TEST_F(QueryHandlersTest, RangeParameterErrorsWithPrometheusTexts) {
  EXPECT_EQ(
      Call(HandleQueryRange, {{"query", "up"}, {"start", "10"}, {"end", "5"}, {"step", "1"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})");
  EXPECT_EQ(
      Call(HandleQueryRange, {{"query", "up"}, {"start", "0"}, {"end", "5"}, {"step", "0"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"})");
  EXPECT_NE(Call(HandleQueryRange, {{"query", "up"}, {"start", "0"}, {"end", "5"}, {"step", "-1"}}, 400)
                .find("zero or negative"),
            std::string::npos);
  EXPECT_EQ(Call(HandleQueryRange, {{"query", "up"}, {"start", "0"}, {"end", "11001"}, {"step", "1"}}, 400),
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"exceeded maximum resolution of 11,000 points "
            "per timeseries. Try decreasing the query resolution (?step=XX)\"}");
  // Exactly 11,000 intervals is fine.
  Call(HandleQueryRange, {{"query", "1"}, {"start", "0"}, {"end", "11000"}, {"step", "1"}}, 200);
  EXPECT_EQ(
      Call(HandleQueryRange, {{"query", "up"}, {"end", "5"}, {"step", "1"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"})");
  EXPECT_EQ(
      Call(HandleQueryRange, {{"query", "up"}, {"start", "0"}, {"end", "5"}, {"step", "x"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"x\" to a valid duration"})");
  EXPECT_EQ(
      Call(HandleQueryRange, {{"query", "up"}, {"start", "0"}, {"end", "5"}, {"step", "1"}, {"timeout", "soon"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration"})");
  std::string body =
      Call(HandleQueryRange, {{"query", "\"a string\""}, {"start", "0"}, {"end", "5"}, {"step", "1"}}, 400);
  EXPECT_NE(body.find(R"("error":"invalid parameter \"query\": )"), std::string::npos) << body;
}

TEST_F(QueryHandlersTest, BadQueryIsBadData) {
  std::string body = Call(HandleQuery, {{"query", "sum("}, {"time", "4"}}, 400);
  EXPECT_EQ(
      body.rfind(R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error)",
                 0),
      0u)
      << body;
  body = Call(HandleQuery, {{"time", "4"}}, 400);
  EXPECT_NE(body.find("parse error"), std::string::npos) << body;
  EXPECT_EQ(
      Call(HandleQuery, {{"query", "1"}, {"time", "yesterday"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp"})");
  EXPECT_EQ(
      Call(HandleQuery, {{"query", "1"}, {"limit", "x"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax"})");
  EXPECT_EQ(
      Call(HandleQuery, {{"query", "1"}, {"lookback_delta", "x"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"error parsing lookback delta duration: cannot parse \"x\" to a valid duration"})");
}

TEST_F(QueryHandlersTest, ExecutionErrorIs422) {
  // Both series of `up` match the one on the right: many-to-many matching.
  std::string body = Call(HandleQuery, {{"query", "up + on() up"}, {"time", "1700000030"}}, 422);
  EXPECT_EQ(body.rfind(R"({"status":"error","errorType":"execution","error":")", 0), 0u) << body;
}

TEST_F(QueryHandlersTest, LimitStatsAndLookbackDelta) {
  EXPECT_EQ(Call(HandleQuery, {{"query", "up"}, {"time", "1700000030"}, {"limit", "1"}}),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","job":"api"},"value":[1700000030,"2"]}]},)"
            R"("warnings":["results truncated due to limit"]})");
  rapidjson::Document d;
  d.Parse(Call(HandleQuery, {{"query", "up"}, {"time", "1700000030"}, {"stats", "true"}}).c_str());
  EXPECT_TRUE(d["data"]["stats"]["timings"].IsObject());
  EXPECT_TRUE(d["data"]["stats"]["samples"]["totalQueryableSamples"].IsInt64());
  EXPECT_FALSE(d.HasMember("warnings"));
  d.Parse(Call(HandleQuery, {{"query", "up"}, {"time", "1700000030"}, {"stats", "1"}}).c_str());
  EXPECT_STREQ(d["warnings"][0].GetString(),
               "value \"1\" for parameter \"stats\" is deprecated and will be rejected in the next major release, use "
               "\"true\" or \"all\"");
  // 10 minutes after the last sample: gone with the default 5m lookback, found with 15m.
  EXPECT_EQ(Call(HandleQuery, {{"query", "up"}, {"time", "1700000720"}}),
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  d.Parse(Call(HandleQuery, {{"query", "up"}, {"time", "1700000720"}, {"lookback_delta", "15m"}}).c_str());
  EXPECT_EQ(d["data"]["result"].Size(), 2u);
}

TEST_F(QueryHandlersTest, StringAndRangeVectorResults) {
  EXPECT_EQ(Call(HandleQuery, {{"query", "\"hello\""}, {"time", "4.5"}}),
            R"({"status":"success","data":{"resultType":"string","result":[4.5,"hello"]}})");
  rapidjson::Document d;
  d.Parse(Call(HandleQuery, {{"query", R"(up{job="api"}[30s])"}, {"time", "1700000030"}}).c_str());
  EXPECT_STREQ(d["data"]["resultType"].GetString(), "matrix");
  EXPECT_EQ(d["data"]["result"][0]["values"].Size(), 2u);
}

TEST_F(QueryHandlersTest, TimeoutParameterTimesOut) {
  std::string body = Call(HandleQuery, {{"query", "up"}, {"time", "1700000030"}, {"timeout", "0"}}, 503);
  EXPECT_EQ(body.rfind(R"({"status":"error","errorType":"timeout")", 0), 0u) << body;
}

TEST_F(QueryHandlersTest, NoEngineIsUnavailable) {
  deps_.engine = nullptr;
  Call(HandleQuery, {{"query", "1"}}, 503);
}

TEST_F(QueryHandlersTest, FormatQuery) {
  EXPECT_EQ(Call(HandleFormatQuery, {{"query", "sum  by(job)(rate(x[5m]))"}}),
            R"j({"status":"success","data":"sum by (job) (rate(x[5m]))"})j");
  std::string body = Call(HandleFormatQuery, {{"query", "sum("}}, 400);
  EXPECT_NE(body.find(R"(invalid parameter \"query\": 1:5: parse error)"), std::string::npos) << body;
}

TEST_F(QueryHandlersTest, ExemplarsAreEmpty) {
  // Grafana's probe sends milliseconds.
  EXPECT_EQ(Call(HandleQueryExemplars, {{"query", "test"}, {"start", "1700000000000"}, {"end", "1700003600000"}}),
            R"({"status":"success","data":[]})");
  EXPECT_EQ(Call(HandleQueryExemplars, {{"query", "up"}, {"start", "10"}, {"end", "5"}}, 400),
            R"({"status":"error","errorType":"bad_data","error":"end timestamp must not be before start timestamp"})");
  std::string body = Call(HandleQueryExemplars, {{"query", "sum("}}, 400);
  EXPECT_EQ(body.rfind(R"({"status":"error","errorType":"bad_data","error":"1:5: parse error)", 0), 0u) << body;
}

}  // namespace
}  // namespace vigil::query::api
