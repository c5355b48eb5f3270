#include "server/store_server.h"

#include <string>

#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/matcher.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/logs/log_store.h"
#include "tsdb/storage/memory_storage.h"
#include "tsdb/traces/trace_store.h"

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

http::Request PostJson(std::string path, std::string body) {
  http::Request req;
  req.method = "POST";
  req.path = std::move(path);
  req.body = std::move(body);
  req.headers.emplace("Content-Type", "application/json");
  return req;
}

// /v1/logs into the log store, and span metrics from /v1/traces into the metrics storage.
TEST(StoreServerSignalsTest, OtlpLogsAndSpanMetricsAreWired) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  tsdb::MemoryStorage storage;
  metrics::Registry registry;
  auto logs = tsdb::logs::LogStore::Open(std::make_shared<kv::MemoryKvStore>(), {}, &clock);
  ASSERT_TRUE(logs.ok()) << logs.status();
  kv::MemoryKvStore trace_kv;
  auto traces = traces::TraceStore::Open(&trace_kv, {}, &clock);
  ASSERT_TRUE(traces.ok()) << traces.status();
  StoreServerOptions options;
  options.http.listen_address = "127.0.0.1:0";
  options.log_storage = logs->get();
  options.trace_store = traces->get();
  options.spanmetrics_enabled = true;
  StoreServer server(&storage, &registry, &clock, options);

  http::Response resp = server.http().Handle(PostJson(
      "/v1/logs", R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
        "scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","body":{"stringValue":"hello"}}]}]}]})"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto selected = (*logs)->Select({{*Matcher::Create(MatchType::kEqual, "service_name", "api")},
                                   0,
                                   int64_t{1700000001} * 1'000'000'000,
                                   tsdb::logs::Direction::kForward,
                                   0});
  ASSERT_TRUE(selected.ok());
  ASSERT_EQ(selected->size(), 1u);
  EXPECT_EQ((*selected)[0].entries[0].line, "hello");

  resp = server.http().Handle(
      PostJson("/v1/traces",
               R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
        "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
          "name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}]}]}]})"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_TRUE((*traces)->FindTrace(*TraceId::FromHex("5b8efff798038103d269b633813fc60c")).ok());
  ASSERT_TRUE(server.Start().ok());
  server.Shutdown(absl::Seconds(5));  // the span metrics' last flush
  auto q = storage.NewQuerier(0, kMaxTimestampMs);
  ASSERT_TRUE(q.ok());
  std::vector<Matcher> m = {*Matcher::Create(MatchType::kEqual, "__name__", "traces_spanmetrics_calls_total")};
  auto set = (*q)->Select(true, nullptr, m);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->At()->labels().Get("service"), "api");
  EXPECT_EQ(set->At()->labels().Get("span_kind"), "SPAN_KIND_SERVER");
}

}  // namespace
}  // namespace vigil::server
