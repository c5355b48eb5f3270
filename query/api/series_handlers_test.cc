#include "query/api/series_handlers.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query::api {
namespace {

using Fn = void (*)(const PrometheusApiDeps&, const http::Request&, http::Response*);
using Params = std::multimap<std::string, std::string>;

class SeriesHandlersTest : public ::testing::Test {
 protected:
  SeriesHandlersTest() {
    deps_.storage = &storage_;
    Add({{"__name__", "node_uname_info"}, {"instance", "a:9100"}, {"job", "node"}, {"nodename", "a"}}, 1000);
    Add({{"__name__", "node_uname_info"}, {"instance", "b:9100"}, {"job", "node"}, {"nodename", "b"}}, 1000);
    Add({{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}}, 1000);
    Add({{"__name__", "up"}, {"instance", "p:9090"}, {"job", "prometheus"}}, 5000);
    Add({{"__name__", "http_requests"}, {"service_name", "cart"}}, 1000);
  }

  void Add(std::initializer_list<LabelPair> labels, TimestampMs t) {
    auto app = storage_.NewAppender();
    ASSERT_TRUE(app->Append(0, Labels(labels), t, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  // Calls `fn`; returns the body and checks the status code.
  std::string Call(Fn fn, Params params, int want_status = 200, std::string label = "") {
    http::Request req;
    req.method = "GET";
    req.params = std::move(params);
    req.path_matches = {"", label};
    http::Response resp;
    fn(deps_, req, &resp);
    EXPECT_EQ(resp.status, want_status) << resp.body;
    EXPECT_EQ(resp.content_type, "application/json");
    return resp.body;
  }

  tsdb::MemoryStorage storage_;
  PrometheusApiDeps deps_;
};

TEST_F(SeriesHandlersTest, LabelValuesOfName) {
  EXPECT_EQ(Call(HandleLabelValues, {{"start", "0"}, {"end", "10"}, {"limit", "40000"}}, 200, "__name__"),
            R"({"status":"success","data":["http_requests","node_uname_info","up"]})");
}

TEST_F(SeriesHandlersTest, LabelValuesWithMatchAsDashboardVariables) {
  EXPECT_EQ(Call(HandleLabelValues, {{"match[]", "node_uname_info"}}, 200, "job"),
            R"({"status":"success","data":["node"]})");
  EXPECT_EQ(Call(HandleLabelValues, {{"match[]", R"(node_uname_info{job="node"})"}}, 200, "nodename"),
            R"({"status":"success","data":["a","b"]})");
  // Several match[] are unioned.
  EXPECT_EQ(Call(HandleLabelValues, {{"match[]", "node_uname_info"}, {"match[]", R"(up{job="prometheus"})"}}, 200,
                 "instance"),
            R"({"status":"success","data":["a:9100","b:9100","p:9090"]})");
}

TEST_F(SeriesHandlersTest, LabelValuesTimeRangeLimitAndEscapedName) {
  // Only the series with a sample in [4s, 6s].
  EXPECT_EQ(Call(HandleLabelValues, {{"start", "4"}, {"end", "6"}}, 200, "job"),
            R"({"status":"success","data":["prometheus"]})");
  EXPECT_EQ(Call(HandleLabelValues, {{"limit", "1"}}, 200, "job"),
            R"({"status":"success","data":["node"],"warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Call(HandleLabelValues, {}, 200, "U__service__name"), R"({"status":"success","data":["cart"]})");
  EXPECT_EQ(Call(HandleLabelValues, {}, 200, "nonexistent"), R"({"status":"success","data":[]})");
}

TEST_F(SeriesHandlersTest, LabelValuesErrors) {
  EXPECT_EQ(Call(HandleLabelValues, {}, 400, "bad\xff"),
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid label name: \\\"bad\\ufffd\\\"\"}");
  EXPECT_EQ(
      Call(HandleLabelValues, {{"limit", "-1"}}, 400, "job"),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": limit must be non-negative"})");
  EXPECT_EQ(
      Call(HandleLabelValues, {{"start", "x"}}, 400, "job"),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp"})");
  EXPECT_EQ(
      Call(HandleLabelValues, {{"match[]", R"({job=~".*"})"}}, 400, "job"),
      R"({"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"})");
  std::string body = Call(HandleLabelValues, {{"match[]", "up{"}}, 400, "job");
  EXPECT_NE(body.find("parse error"), std::string::npos) << body;
}

TEST_F(SeriesHandlersTest, LabelNames) {
  EXPECT_EQ(Call(HandleLabelNames, {}),
            R"({"status":"success","data":["__name__","instance","job","nodename","service_name"]})");
  EXPECT_EQ(Call(HandleLabelNames, {{"match[]", "up"}}),
            R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Call(HandleLabelNames, {{"match[]", "up"}, {"match[]", "http_requests"}}),
            R"({"status":"success","data":["__name__","instance","job","service_name"]})");
  EXPECT_EQ(Call(HandleLabelNames, {{"limit", "2"}}),
            R"({"status":"success","data":["__name__","instance"],"warnings":["results truncated due to limit"]})");
  Call(HandleLabelNames, {{"end", "abc"}}, 400);
}

TEST_F(SeriesHandlersTest, Series) {
  EXPECT_EQ(Call(HandleSeries, {{"match[]", "up"}}),
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9100","job":"node"},)"
            R"({"__name__":"up","instance":"p:9090","job":"prometheus"}]})");
  rapidjson::Document d;
  d.Parse(Call(HandleSeries, {{"match[]", R"({__name__!=""})"}, {"limit", "40000"}}).c_str());
  EXPECT_EQ(d["data"].Size(), 5u);
  d.Parse(Call(HandleSeries, {{"match[]", R"({__name__!=""})"}, {"limit", "2"}}).c_str());
  EXPECT_EQ(d["data"].Size(), 2u);
  EXPECT_STREQ(d["warnings"][0].GetString(), "results truncated due to limit");
  // Overlapping match[] are deduplicated.
  d.Parse(Call(HandleSeries, {{"match[]", "up"}, {"match[]", R"({job="node"})"}}).c_str());
  EXPECT_EQ(d["data"].Size(), 4u);
}

TEST_F(SeriesHandlersTest, SeriesErrors) {
  EXPECT_EQ(Call(HandleSeries, {}, 400),
            R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  EXPECT_EQ(
      Call(HandleSeries, {{"match[]", R"({a=""})"}}, 400),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"})");
}

}  // namespace
}  // namespace vigil::query::api
