#include "query/api/status_handlers.h"

#include <string>

#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "query/metadata/metadata_store.h"
#include "rapidjson/document.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query::api {
namespace {

using Fn = void (*)(const PrometheusApiDeps&, const http::Request&, http::Response*);

class StatusHandlersTest : public ::testing::Test {
 protected:
  StatusHandlersTest() {
    deps_.storage = &storage_;
    deps_.clock = &clock_;
    deps_.metadata = &metadata_;
    deps_.status.start_time = absl::FromUnixSeconds(1699999000);
    deps_.status.storage_retention = "15d";
    deps_.status.config_yaml = "web:\n  listen_address: \"<x>\"\n";
    deps_.status.flags = {{"web.listen-address", "0.0.0.0:9201"}, {"query.timeout", "2m"}};
  }

  void Add(std::initializer_list<LabelPair> labels, TimestampMs t = 1700000000000, double v = 1) {
    auto app = storage_.NewAppender();
    ASSERT_TRUE(app->Append(0, Labels(labels), t, v).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  // Calls `fn` and parses the body; checks the envelope's status.
  rapidjson::Document Call(Fn fn, std::multimap<std::string, std::string> params, int want_status = 200) {
    http::Request req;
    req.method = "GET";
    req.params = std::move(params);
    http::Response resp;
    fn(deps_, req, &resp);
    EXPECT_EQ(resp.status, want_status) << resp.body;
    EXPECT_EQ(resp.content_type, "application/json");
    last_body_ = resp.body;
    rapidjson::Document doc;
    doc.Parse(resp.body.c_str());
    EXPECT_FALSE(doc.HasParseError()) << resp.body;
    return doc;
  }

  tsdb::MemoryStorage storage_;
  FakeClock clock_{absl::FromUnixSeconds(1700000100)};
  MetadataStore metadata_;
  PrometheusApiDeps deps_;
  std::string last_body_;
};

TEST_F(StatusHandlersTest, BuildInfoHasVersionAndNoFeatures) {
  rapidjson::Document d = Call(HandleBuildInfo, {});
  EXPECT_STREQ(d["status"].GetString(), "success");
  EXPECT_TRUE(d["data"]["version"].IsString());
  EXPECT_GT(d["data"]["version"].GetStringLength(), 0u);
  for (const char* k : {"revision", "branch", "buildUser", "buildDate", "goVersion"}) {
    EXPECT_TRUE(d["data"][k].IsString()) << k;
  }
  EXPECT_FALSE(d["data"].HasMember("features"));
}

TEST_F(StatusHandlersTest, RuntimeInfo) {
  rapidjson::Document d = Call(HandleRuntimeInfo, {});
  EXPECT_STREQ(d["data"]["startTime"].GetString(), "2023-11-14T21:56:40Z");
  EXPECT_STREQ(d["data"]["serverTime"].GetString(), "2023-11-14T22:15:00Z");
  EXPECT_STREQ(d["data"]["storageRetention"].GetString(), "15d");
  EXPECT_TRUE(d["data"]["CWD"].IsString());
  EXPECT_TRUE(d["data"]["reloadConfigSuccess"].GetBool());
}

TEST_F(StatusHandlersTest, FlagsSortedAndConfig) {
  Call(HandleFlags, {});
  EXPECT_EQ(last_body_, R"({"status":"success","data":{"query.timeout":"2m","web.listen-address":"0.0.0.0:9201"}})");
  rapidjson::Document d = Call(HandleConfig, {});
  EXPECT_STREQ(d["data"]["yaml"].GetString(), "web:\n  listen_address: \"<x>\"\n");
}

TEST_F(StatusHandlersTest, RulesAndAlertsEmpty) {
  Call(HandleRules, {});
  EXPECT_EQ(last_body_, R"({"status":"success","data":{"groups":[]}})");
  Call(HandleAlerts, {});
  EXPECT_EQ(last_body_, R"({"status":"success","data":{"alerts":[]}})");
}

TEST_F(StatusHandlersTest, TsdbStatusFromTheQuerier) {
  Add({{"__name__", "up"}, {"instance", "a"}, {"job", "node"}});
  Add({{"__name__", "up"}, {"instance", "b"}, {"job", "node"}});
  Add({{"__name__", "up"}, {"instance", "c"}, {"job", "api"}});
  Add({{"__name__", "node_load1"}, {"instance", "a"}, {"job", "node"}});
  rapidjson::Document d = Call(HandleTsdbStatus, {});
  const auto& data = d["data"];
  EXPECT_EQ(data["headStats"]["numSeries"].GetInt64(), 4);
  // __name__=up, __name__=node_load1, instance=a|b|c, job=node|api
  EXPECT_EQ(data["headStats"]["numLabelPairs"].GetInt64(), 7);
  const auto& by_metric = data["seriesCountByMetricName"];
  ASSERT_EQ(by_metric.Size(), 2u);
  EXPECT_STREQ(by_metric[0]["name"].GetString(), "up");
  EXPECT_EQ(by_metric[0]["value"].GetInt64(), 3);
  const auto& by_name = data["labelValueCountByLabelName"];
  EXPECT_STREQ(by_name[0]["name"].GetString(), "instance");
  EXPECT_EQ(by_name[0]["value"].GetInt64(), 3);
  const auto& pairs = data["seriesCountByLabelValuePair"];
  // Ties go by name.
  EXPECT_STREQ(pairs[0]["name"].GetString(), "__name__=up");
  EXPECT_EQ(pairs[0]["value"].GetInt64(), 3);
  EXPECT_STREQ(pairs[1]["name"].GetString(), "job=node");
  EXPECT_EQ(pairs[1]["value"].GetInt64(), 3);
  const auto& bytes = data["memoryInBytesByLabelName"];
  EXPECT_STREQ(bytes[0]["name"].GetString(), "__name__");
  EXPECT_EQ(bytes[0]["value"].GetInt64(), 12);  // "up" + "node_load1"

  d = Call(HandleTsdbStatus, {{"limit", "1"}});
  EXPECT_EQ(d["data"]["labelValueCountByLabelName"].Size(), 1u);
  Call(HandleTsdbStatus, {{"limit", "0"}}, 400);
  EXPECT_EQ(last_body_, R"({"status":"error","errorType":"bad_data","error":"limit must be a positive number"})");
  Call(HandleTsdbStatus, {{"limit", "10001"}}, 400);
  EXPECT_EQ(last_body_, R"({"status":"error","errorType":"bad_data","error":"limit must not exceed 10000"})");
}

TEST_F(StatusHandlersTest, TsdbStatusUsesHeadStatsWhenGiven) {
  Add({{"__name__", "up"}}, 1000);
  deps_.head_stats = [] { return HeadStats{.num_series = 42, .chunk_count = 7, .min_time = 0, .max_time = 5000}; };
  rapidjson::Document d = Call(HandleTsdbStatus, {});
  EXPECT_EQ(d["data"]["headStats"]["numSeries"].GetInt64(), 42);
  EXPECT_EQ(d["data"]["headStats"]["chunkCount"].GetInt64(), 7);
  EXPECT_EQ(d["data"]["headStats"]["maxTime"].GetInt64(), 5000);
  EXPECT_EQ(d["data"]["seriesCountByMetricName"].Size(), 1u);
}

TEST_F(StatusHandlersTest, Metadata) {
  metadata_.Put("up", exposition::MetricType::kGauge, "1 if the target is up.", "");
  metadata_.Put("node_cpu_seconds_total", exposition::MetricType::kCounter, "Seconds <cpu>.", "seconds");
  metadata_.Put("node_cpu_seconds_total", exposition::MetricType::kCounter, "Old help.", "seconds");
  Call(HandleMetadata, {{"metric", "up"}});
  EXPECT_EQ(last_body_,
            R"({"status":"success","data":{"up":[{"type":"gauge","help":"1 if the target is up.","unit":""}]}})");
  rapidjson::Document d = Call(HandleMetadata, {});
  EXPECT_EQ(d["data"].MemberCount(), 2u);
  EXPECT_EQ(d["data"]["node_cpu_seconds_total"].Size(), 2u);
  d = Call(HandleMetadata, {{"limit_per_metric", "1"}});
  EXPECT_EQ(d["data"]["node_cpu_seconds_total"].Size(), 1u);
  d = Call(HandleMetadata, {{"limit", "1"}});
  EXPECT_EQ(d["data"].MemberCount(), 1u);
  Call(HandleMetadata, {{"limit", "x"}}, 400);
  EXPECT_EQ(last_body_, R"({"status":"error","errorType":"bad_data","error":"limit must be a number"})");
  Call(HandleMetadata, {{"limit_per_metric", "x"}}, 400);
  EXPECT_EQ(last_body_, R"({"status":"error","errorType":"bad_data","error":"limit_per_metric must be a number"})");
  deps_.metadata = nullptr;
  Call(HandleMetadata, {});
  EXPECT_EQ(last_body_, R"({"status":"success","data":{}})");
}

}  // namespace
}  // namespace vigil::query::api
