#include "agent/logs/log_shipping.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/http/fake_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/loki/push_decode.h"

namespace vigil::agent::logs {
namespace {

http::ClientResponse Status(int code) {
  http::ClientResponse r;
  r.status = code;
  return r;
}

using ::testing::Contains;
using ::testing::Pair;

class LogShippingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/ship-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    cfg_.pod_logs_dir = root_ + "/pods";
    cfg_.docker_containers_dir = root_ + "/docker";
    cfg_.queue_dir = root_ + "/queue";
    cfg_.logs_positions_file = root_ + "/positions";
    cfg_.logs_urls = {"http://store-a/loki/api/v1/push", "http://store-b/loki/api/v1/push"};
    cfg_.node_name = "node-1";
    log_dir_ = cfg_.pod_logs_dir + "/shop_web-0_1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/app";
    ASSERT_TRUE(RealFileSystem()->CreateDirs(log_dir_).ok());
    client_.SetResponder([](const http::RecordedRequest&) { return Status(204); });
  }

  void AppendLog(const std::string& text) { std::ofstream(log_dir_ + "/0.log", std::ios::app) << text; }

  std::unique_ptr<LogShipping> Open() {
    absl::StatusOr<std::unique_ptr<LogShipping>> s = LogShipping::Create(cfg_, RealFileSystem(), RealClock(), &client_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Reads what there is, ships it, and waits until every destination answered.
  void ShipOnce(LogShipping* s) {
    s->Ship(s->tailer()->Poll());
    for (const auto& sender : s->senders()) ASSERT_TRUE(sender->queue()->WaitUntilEmpty());
  }

  // Every line the destination `url` received, in order.
  std::vector<std::string> Lines(const std::string& url) {
    std::vector<std::string> out;
    for (const http::RecordedRequest& r : client_.requests()) {
      if (r.url != url) continue;
      EXPECT_THAT(r.headers, Contains(Pair("Content-Type", "application/x-protobuf")));
      absl::StatusOr<wire::loki::DecodedPush> push = wire::loki::DecodeProtobufPush(r.body, 1 << 20);
      EXPECT_TRUE(push.ok()) << push.status();
      if (!push.ok()) continue;
      for (const auto& stream : push->streams) {
        EXPECT_EQ(stream.labels.Get("namespace"), "shop");
        EXPECT_EQ(stream.labels.Get("pod"), "web-0");
        EXPECT_EQ(stream.labels.Get("container"), "app");
        EXPECT_EQ(stream.labels.Get("node"), "node-1");
        for (const auto& e : stream.entries) out.push_back(e.line);
      }
    }
    return out;
  }

  std::string root_, log_dir_;
  AgentConfig cfg_;
  http::FakeClient client_;
};

TEST_F(LogShippingTest, ShipsToEveryDestinationAndARestartNeitherLosesNorRepeats) {
  AppendLog(
      "2026-11-22T10:00:00.000000001Z stdout F first\n"
      "2026-11-22T10:00:01.000000000Z stdout P sec\n"
      "2026-11-22T10:00:01.000000000Z stdout F ond\n");
  {
    std::unique_ptr<LogShipping> s = Open();
    ASSERT_NE(s, nullptr);
    ShipOnce(s.get());
    EXPECT_THAT(Lines(cfg_.logs_urls[0]), ::testing::ElementsAre("first", "second"));
    EXPECT_THAT(Lines(cfg_.logs_urls[1]), ::testing::ElementsAre("first", "second"));
    ASSERT_TRUE(s->Close().ok());
  }
  AppendLog("2026-11-22T10:00:02.000000000Z stderr F third\n");
  std::unique_ptr<LogShipping> s = Open();
  ASSERT_NE(s, nullptr);
  ShipOnce(s.get());
  EXPECT_THAT(Lines(cfg_.logs_urls[0]), ::testing::ElementsAre("first", "second", "third"));
}

TEST_F(LogShippingTest, BatchesQueuedByAnEarlierRunAreReadAgainNotResent) {
  AppendLog("2026-11-22T10:00:00.000000000Z stdout F one\n");
  cfg_.logs_urls = {"http://store-a/loki/api/v1/push"};
  client_.SetResponder([](const http::RecordedRequest&) { return Status(503); });
  {
    std::unique_ptr<LogShipping> s = Open();
    ASSERT_NE(s, nullptr);
    s->Ship(s->tailer()->Poll());  // Queued; the destination is down.
    EXPECT_EQ(s->senders()[0]->queue()->stats().records, 1u);
    ASSERT_TRUE(s->Close().ok());
  }
  client_.SetResponder([](const http::RecordedRequest&) { return Status(204); });
  const size_t refused = client_.requests().size();  // Attempts the 503s answered.
  std::unique_ptr<LogShipping> s = Open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->senders()[0]->queue()->stats().records, 0u);  // The stale batch is not sent...
  ShipOnce(s.get());
  // ...the line is read again from the positions and accepted exactly once.
  const std::vector<http::RecordedRequest> all = client_.requests();
  ASSERT_EQ(all.size(), refused + 1);
  absl::StatusOr<wire::loki::DecodedPush> push = wire::loki::DecodeProtobufPush(all.back().body, 1 << 20);
  ASSERT_TRUE(push.ok()) << push.status();
  ASSERT_EQ(push->entries, 1u);
  EXPECT_EQ(push->streams[0].entries[0].line, "one");
}

}  // namespace
}  // namespace vigil::agent::logs
