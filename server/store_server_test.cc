#include "server/store_server.h"

#include <string>

#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::server {
namespace {

using ::testing::HasSubstr;

http::Request Get(std::string path) {
  http::Request req;
  req.method = "GET";
  req.path = std::move(path);
  return req;
}

class StoreServerTest : public ::testing::Test {
 protected:
  StoreServerTest() {
    StoreServerOptions options;
    options.http.listen_address = "127.0.0.1:0";
    server_ = std::make_unique<StoreServer>(&storage_, &registry_, RealClock(), options);
  }
  tsdb::MemoryStorage storage_;
  metrics::Registry registry_;
  std::unique_ptr<StoreServer> server_;
};

TEST_F(StoreServerTest, ReadinessFollowsSetReady) {
  EXPECT_EQ(server_->http().Handle(Get("/-/healthy")).status, 200);
  EXPECT_EQ(server_->http().Handle(Get("/-/ready")).status, 503);
  server_->SetReady(true);
  EXPECT_EQ(server_->http().Handle(Get("/-/ready")).status, 200);
}

TEST_F(StoreServerTest, ServesSelfMetricsAndBuildInfo) {
  http::Response metrics = server_->http().Handle(Get("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(metrics.body, HasSubstr("vigil_build_info{version=\""));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE vigil_ingested_samples_total counter"));
  http::Response info = server_->http().Handle(Get("/api/v1/status/buildinfo"));
  EXPECT_EQ(info.status, 200);
  EXPECT_THAT(info.body, HasSubstr(R"({"status":"success","data":{"version":")"));
}

TEST_F(StoreServerTest, AnswersOverRealSockets) {
  ASSERT_TRUE(server_->Start().ok());
  http::HttplibClient client;
  auto resp = client.Get(absl::StrCat("http://127.0.0.1:", server_->port(), "/-/healthy"), {}, absl::Seconds(10));
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  auto wrong = client.Get(absl::StrCat("http://127.0.0.1:", server_->port(), "/api/v1/write"), {}, absl::Seconds(10));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  server_->Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace vigil::server
