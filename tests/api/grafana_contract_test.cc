// What Grafana's Prometheus data source sends and expects (shared docs contract.md sections 1 and 7, items 1-4),
// as HTTP requests against a real vigil-store process fed with remote_write.
#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "snappy.h"
#include "tests/support/subprocess.h"
#include "wire/prompb/remote.pb.h"

namespace vigil {
namespace {

constexpr int64_t kStartMs = 1700000000000;

void AddSeries(prompb::WriteRequest* req, std::initializer_list<std::pair<std::string, std::string>> labels,
               double value) {
  prompb::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    prompb::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (int i = 0; i <= 4; ++i) {
    prompb::Sample* s = ts->add_samples();
    s->set_timestamp(kStartMs + i * 15000);
    s->set_value(value + i);
  }
}

class GrafanaContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<int> port = testing::FreePort();
    ASSERT_TRUE(port.ok()) << port.status();
    const std::string addr = absl::StrCat("127.0.0.1:", *port);
    base_ = new std::string(absl::StrCat("http://", addr));
    auto p = testing::Subprocess::Start({"server/vigil-store", "--storage.tsdb.path=" + testing::TestTmpDir() + "/gc",
                                         "--web.listen-address=" + addr, "--storage.tsdb.retention.time=0"},
                                        testing::TestTmpDir() + "/store.log");
    ASSERT_TRUE(p.ok()) << p.status();
    store_ = new testing::Subprocess(std::move(*p));
    absl::Status ready = testing::WaitForHttp(*base_ + "/-/ready", 200, absl::Seconds(60));
    ASSERT_TRUE(ready.ok()) << ready << "\n" << store_->Output();

    prompb::WriteRequest wr;
    AddSeries(&wr, {{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}}, 1);
    AddSeries(&wr, {{"__name__", "node_uname_info"}, {"instance", "a:9100"}, {"job", "node"}, {"nodename", "a"}}, 1);
    AddSeries(&wr, {{"__name__", "node_uname_info"}, {"instance", "b:9100"}, {"job", "node"}, {"nodename", "b"}}, 1);
    AddSeries(&wr, {{"__name__", "prometheus_build_info"}, {"job", "prometheus"}}, 1);
    prompb::MetricMetadata* md = wr.add_metadata();
    md->set_type(prompb::MetricMetadata::GAUGE);
    md->set_metric_family_name("up");
    md->set_help("1 if the target is up.");
    std::string raw = wr.SerializeAsString(), body;
    snappy::Compress(raw.data(), raw.size(), &body);
    http::HttplibClient client;
    auto resp = client.Post(*base_ + "/api/v1/write",
                            {{"Content-Encoding", "snappy"},
                             {"Content-Type", "application/x-protobuf"},
                             {"X-Prometheus-Remote-Write-Version", "0.1.0"}},
                            body, absl::Seconds(10));
    ASSERT_TRUE(resp.ok()) << resp.status();
    ASSERT_EQ(resp->status, 204) << resp->body;
  }

  static void TearDownTestSuite() {
    if (store_ != nullptr) {
      absl::StatusOr<int> st = store_->Stop(SIGTERM, absl::Seconds(60));
      EXPECT_TRUE(st.ok() && WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << store_->Output();
    }
    delete store_;
    delete base_;
    store_ = nullptr;
    base_ = nullptr;
  }

  http::ClientResponse Get(const std::string& target) {
    auto r = client_.Get(*base_ + target, {}, absl::Seconds(30));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  http::ClientResponse PostForm(const std::string& path, const std::string& form) {
    auto r =
        client_.Post(*base_ + path, {{"Content-Type", "application/x-www-form-urlencoded"}}, form, absl::Seconds(30));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  static rapidjson::Document Json(const http::ClientResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/json") << r.body;
    return d;
  }

  static std::string* base_;
  static testing::Subprocess* store_;
  http::HttplibClient client_;
};

std::string* GrafanaContractTest::base_ = nullptr;
testing::Subprocess* GrafanaContractTest::store_ = nullptr;

// Item 1: "Save & test".
TEST_F(GrafanaContractTest, HealthCheck) {
  http::ClientResponse r = PostForm("/api/v1/query", "query=1%2B1&time=4");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  r = Get("/api/v1/query?query=1%2B1&time=4");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  r = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  rapidjson::Document d = Json(r);
  EXPECT_STREQ(d["status"].GetString(), "success");
  EXPECT_TRUE(d["data"]["version"].IsString());
  EXPECT_FALSE(d["data"].HasMember("features"));
}

// Item 2: a range query as a graph panel sends it.
TEST_F(GrafanaContractTest, RangeQuery) {
  http::ClientResponse r =
      PostForm("/api/v1/query_range", "query=up&start=1700000000&end=1700000060&step=15&timeout=60s");
  EXPECT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = Json(r);
  EXPECT_STREQ(d["data"]["resultType"].GetString(), "matrix");
  ASSERT_EQ(d["data"]["result"].Size(), 1u);
  const auto& values = d["data"]["result"][0]["values"];
  ASSERT_EQ(values.Size(), 5u);
  for (const auto& p : values.GetArray()) {
    EXPECT_TRUE(p[0].IsNumber());
    EXPECT_TRUE(p[1].IsString());
  }
  EXPECT_EQ(values[0][0].GetInt64(), 1700000000);
  EXPECT_STREQ(values[4][1].GetString(), "5");
  EXPECT_STREQ(d["data"]["result"][0]["metric"]["job"].GetString(), "node");
}

// Item 3: errors.
TEST_F(GrafanaContractTest, BadQueryAndLabelsRetry) {
  http::ClientResponse r = PostForm("/api/v1/query", "query=sum(&time=4");
  EXPECT_EQ(r.status, 400);
  rapidjson::Document d = Json(r);
  EXPECT_STREQ(d["status"].GetString(), "error");
  EXPECT_STREQ(d["errorType"].GetString(), "bad_data");
  EXPECT_GT(d["error"].GetStringLength(), 0u);
  // A POST /labels that gets 400 is retried by Grafana as GET with the same parameters; both answer the same.
  r = PostForm("/api/v1/labels", "match%5B%5D=up%7B&start=1700000000&end=1700000060");
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(Json(r)["errorType"].GetString(), "bad_data");
  r = PostForm("/api/v1/labels", "match%5B%5D=up&start=1700000000&end=1700000060");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","instance","job"]})");
  r = Get("/api/v1/labels?match%5B%5D=up&start=1700000000&end=1700000060");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","instance","job"]})");
  // Label values are GET only: a POST gets 405, which Grafana also retries as GET.
  EXPECT_EQ(PostForm("/api/v1/label/job/values", "").status, 405);
}

// Item 4: metadata calls of the label browser, variables and autocomplete.
TEST_F(GrafanaContractTest, MetadataCalls) {
  http::ClientResponse r = Get("/api/v1/label/__name__/values?start=1700000000&end=1700000060&limit=40000");
  EXPECT_EQ(r.body, R"({"status":"success","data":["node_uname_info","prometheus_build_info","up"]})");
  r = Get("/api/v1/label/job/values?match%5B%5D=node_uname_info");
  EXPECT_EQ(r.body, R"({"status":"success","data":["node"]})");
  r = Get("/api/v1/label/nodename/values?match%5B%5D=node_uname_info%7Bjob%3D%22node%22%7D");
  EXPECT_EQ(r.body, R"({"status":"success","data":["a","b"]})");
  r = PostForm("/api/v1/series", "match%5B%5D=%7B__name__%21%3D%22%22%7D&limit=40000");
  EXPECT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = Json(r);
  ASSERT_EQ(d["data"].Size(), 4u);
  for (const auto& s : d["data"].GetArray()) EXPECT_TRUE(s.HasMember("__name__"));
  r = Get("/api/v1/query_exemplars?query=test&start=1700000000000&end=1700003600000");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
  r = PostForm("/api/v1/query_exemplars", "query=test&start=1700000000000&end=1700003600000");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
  r = Get("/api/v1/metadata");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"up":[{"type":"gauge","help":"1 if the target is up.","unit":""}]}})");
  EXPECT_EQ(Get("/api/v1/rules").body, R"({"status":"success","data":{"groups":[]}})");
}

}  // namespace
}  // namespace vigil
