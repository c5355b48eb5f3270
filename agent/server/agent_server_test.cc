#include "agent/server/agent_server.h"

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/http/client.h"
#include "base/http/gzip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

using ::testing::HasSubstr;

class AgentServerTest : public ::testing::Test {
 protected:
  AgentServerTest()
      : server_(
            &exchange_, [this] { return ready_.load(); }, Options()) {}

  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.access_log = false;
    return o;
  }

  void PublishCycle() {
    std::shared_ptr<Snapshot> s = exchange_.AcquireForWrite(1000);
    s->Family("node_load1", exposition::MetricType::kGauge, "1m load average.");
    s->Sample({}, 0.5);
    s->Family("node_cpu_seconds_total", exposition::MetricType::kCounter, "CPU seconds.", "seconds");
    // Enough samples to pass the server's minimum size for gzip.
    for (int i = 0; i < 100; ++i) {
      std::string cpu = absl::StrCat(i);
      Label l[] = {{"cpu", cpu}, {"mode", "idle"}};
      s->Sample(l, i * 1.5);
    }
    s->Seal();
    exchange_.Publish(std::move(s));
    ready_ = true;
  }

  http::Response Get(std::string path, std::string accept = "") {
    http::Request req;
    req.method = "GET";
    req.path = std::move(path);
    if (!accept.empty()) req.headers.emplace("Accept", accept);
    return server_.http().Handle(std::move(req));
  }

  SnapshotExchange exchange_;
  std::atomic<bool> ready_{false};
  AgentServer server_;
};

TEST_F(AgentServerTest, NotReadyAndNoMetricsBeforeTheFirstCycle) {
  EXPECT_EQ(Get("/-/healthy").status, 200);
  EXPECT_EQ(Get("/-/ready").status, 503);
  http::Response m = Get("/metrics");
  EXPECT_EQ(m.status, 503);
  EXPECT_THAT(m.body, HasSubstr("no collection cycle"));
  PublishCycle();
  EXPECT_EQ(Get("/-/ready").status, 200);
  EXPECT_EQ(Get("/metrics").status, 200);
}

TEST_F(AgentServerTest, NegotiatesTheFormat) {
  PublishCycle();
  http::Response text = Get("/metrics");
  EXPECT_EQ(text.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(text.body, HasSubstr("# TYPE node_cpu_seconds_total counter\n"));
  EXPECT_THAT(text.body, HasSubstr("node_load1 0.5\n"));

  // What Prometheus 3 sends.
  http::Response om = Get("/metrics",
                          "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/"
                          "openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                          "text/plain;version=0.0.4;q=0.2,*/*;q=0.1");
  EXPECT_EQ(om.content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_THAT(om.body, HasSubstr("# TYPE node_cpu_seconds counter\n"));
  EXPECT_TRUE(om.body.ends_with("# EOF\n"));

  http::Response fallback = Get("/metrics", "application/json");
  EXPECT_EQ(fallback.content_type, "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(AgentServerTest, GzipsOverTheWireWhenAsked) {
  PublishCycle();
  ASSERT_TRUE(server_.Start().ok());
  http::HttplibClient client;
  const std::string url = absl::StrCat("http://127.0.0.1:", server_.port(), "/metrics");
  absl::StatusOr<http::ClientResponse> plain = client.Get(url, {}, absl::Seconds(10));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->Header("Content-Encoding"), "");
  absl::StatusOr<http::ClientResponse> zipped = client.Get(url, {{"Accept-Encoding", "gzip"}}, absl::Seconds(10));
  ASSERT_TRUE(zipped.ok()) << zipped.status();
  EXPECT_EQ(zipped->status, 200);
  EXPECT_EQ(zipped->Header("Content-Encoding"), "gzip");
  EXPECT_LT(zipped->body.size(), plain->body.size());
  absl::StatusOr<std::string> unzipped = http::GzipDecompress(zipped->body, 1 << 20);
  ASSERT_TRUE(unzipped.ok()) << unzipped.status();
  EXPECT_EQ(*unzipped, plain->body);
  server_.Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace vigil::agent
