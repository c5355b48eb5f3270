// The API as a client sees it over a socket: routing, GET and POST form, methods, the error envelope.
#include "query/api/prometheus_api.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "query/engine/engine.h"
#include "query/metadata/metadata_store.h"
#include "rapidjson/document.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::query::api {
namespace {

class PrometheusApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = storage_.NewAppender();
    for (int i = 0; i <= 4; ++i) {
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "up"}, {"job", "node"}}, 1700000000000 + i * 15000, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    metadata_.Put("up", exposition::MetricType::kGauge, "Target up.", "");
    PrometheusApiDeps deps;
    deps.storage = &storage_;
    deps.engine = &engine_;
    deps.metadata = &metadata_;
    deps.clock = &clock_;
    RegisterPrometheusApi(&server_, std::move(deps));
    ASSERT_TRUE(server_.Start().ok());
    base_ = absl::StrCat("http://127.0.0.1:", server_.port());
  }
  void TearDown() override { server_.Shutdown(absl::Seconds(5)); }

  http::ClientResponse Get(const std::string& target) {
    auto r = client_.Get(base_ + target, {}, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  http::ClientResponse PostForm(const std::string& path, std::string form) {
    auto r = client_.Post(base_ + path, {{"Content-Type", "application/x-www-form-urlencoded"}}, std::move(form),
                          absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }

  tsdb::MemoryStorage storage_;
  MetadataStore metadata_;
  FakeClock clock_{absl::FromUnixSeconds(1700000060)};
  Engine engine_{EngineOptions{}};
  http::Server server_{http::ServerOptions{.listen_address = "127.0.0.1:0", .access_log = false}};
  http::HttplibClient client_;
  std::string base_;
};

TEST_F(PrometheusApiTest, QueryByGetAndPostForm) {
  EXPECT_EQ(PostForm("/api/v1/query", "query=1%2B1&time=4").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=1%2B1&time=4").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  http::ClientResponse r =
      PostForm("/api/v1/query_range", "query=up&start=1700000000&end=1700000060&step=15&timeout=60s");
  EXPECT_EQ(r.status, 200);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  EXPECT_EQ(d["data"]["result"][0]["values"].Size(), 5u);
}

TEST_F(PrometheusApiTest, EveryEndpointAnswersSuccess) {
  for (const char* target :
       {"/api/v1/labels", "/api/v1/label/job/values", "/api/v1/label/U__job/values", "/api/v1/series?match[]=up",
        "/api/v1/metadata", "/api/v1/rules", "/api/v1/alerts", "/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo",
        "/api/v1/status/flags", "/api/v1/status/config", "/api/v1/status/tsdb", "/api/v1/format_query?query=up",
        "/api/v1/query_exemplars?query=test&start=1700000000000&end=1700000001000"}) {
    http::ClientResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.body.rfind(R"({"status":"success")", 0), 0u) << target << ": " << r.body;
  }
  for (const char* path : {"/api/v1/labels", "/api/v1/series", "/api/v1/query_exemplars", "/api/v1/format_query"}) {
    http::ClientResponse r = PostForm(path, "match%5B%5D=up&query=up");
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  }
  EXPECT_EQ(Get("/api/v1/label/job/values").body, R"({"status":"success","data":["node"]})");
  EXPECT_EQ(Get("/api/v1/metadata").body,
            R"({"status":"success","data":{"up":[{"type":"gauge","help":"Target up.","unit":""}]}})");
}

TEST_F(PrometheusApiTest, ErrorsAreJsonEnvelopesWithPrometheusCodes) {
  http::ClientResponse r = PostForm("/api/v1/query", "query=sum(");
  EXPECT_EQ(r.status, 400);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  EXPECT_STREQ(d["status"].GetString(), "error");
  EXPECT_STREQ(d["errorType"].GetString(), "bad_data");
  r = PostForm("/api/v1/labels", "match%5B%5D=%7B");
  EXPECT_EQ(r.status, 400);  // Grafana then retries with GET
  // Only GET for label values: a POST is 405, which Grafana also answers with a GET retry.
  EXPECT_EQ(PostForm("/api/v1/label/job/values", "").status, 405);
}

}  // namespace
}  // namespace vigil::query::api
