#include "server/ingest/loki_push_handler.h"

#include <memory>
#include <string>

#include "base/clock/clock.h"
#include "base/http/gzip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/logs/log_store.h"
#include "wire/loki/push.pb.h"

namespace vigil::server {
namespace {

using ::testing::HasSubstr;
using tsdb::logs::Direction;
using tsdb::logs::LogStore;

constexpr int64_t kT0 = 1700000000;  // seconds; the fake clock's now

http::Request Post(std::string body, std::string content_type, std::string encoding = "") {
  http::Request req;
  req.method = "POST";
  req.path = "/loki/api/v1/push";
  req.body = std::move(body);
  if (!content_type.empty()) req.headers.emplace("Content-Type", content_type);
  if (!encoding.empty()) req.headers.emplace("Content-Encoding", encoding);
  return req;
}

std::string ProtoBody(std::string labels, int64_t seconds, std::string line) {
  logproto::PushRequest pr;
  logproto::StreamAdapter* s = pr.add_streams();
  s->set_labels(labels);
  logproto::EntryAdapter* e = s->add_entries();
  e->mutable_timestamp()->set_seconds(seconds);
  e->set_line(line);
  logproto::LabelPairAdapter* md = e->add_structuredmetadata();
  md->set_name("trace_id");
  md->set_value("abc");
  std::string raw = pr.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

std::string JsonBody(std::string ts, std::string line) {
  return absl::StrCat(R"({"streams":[{"stream":{"app":"web"},"values":[[)", ts, R"(,")", line, R"("]]}]})");
}

class LokiPushHandlerTest : public ::testing::Test {
 protected:
  LokiPushHandlerTest() {
    tsdb::logs::LogStoreOptions o;
    o.out_of_order_window = absl::Minutes(10);
    store_ = *LogStore::Open(std::make_shared<kv::MemoryKvStore>(), o, &clock_);
    handler_ = std::make_unique<LokiPushHandler>(store_.get(), &registry_, LokiPushOptions{.max_decoded_bytes = 4096});
  }

  http::Response Send(const http::Request& req) {
    http::Response resp;
    handler_->Handle(req, &resp);
    return resp;
  }

  std::vector<std::string> Lines(std::string app) {
    std::vector<std::string> out;
    absl::StatusOr<std::vector<tsdb::logs::StreamEntries>> r = store_->Select(
        {{*Matcher::Create(MatchType::kEqual, "app", app)}, 0, (kT0 + 3600) * 1'000'000'000, Direction::kForward, 0});
    EXPECT_TRUE(r.ok());
    for (const auto& s : *r) {
      for (const auto& e : s.entries) out.push_back(e.line);
    }
    return out;
  }

  FakeClock clock_{absl::FromUnixSeconds(kT0)};
  metrics::Registry registry_;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<LokiPushHandler> handler_;
};

TEST_F(LokiPushHandlerTest, ProtobufIsStored) {
  http::Response r = Send(Post(ProtoBody(R"({app="api", namespace="prod"})", kT0, "hello"), "application/x-protobuf"));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_THAT(Lines("api"), ::testing::ElementsAre("hello"));
  // Content-Type missing: protobuf too.
  EXPECT_EQ(Send(Post(ProtoBody(R"({app="api"})", kT0, "again"), "")).status, 204);
}

TEST_F(LokiPushHandlerTest, JsonAndGzipJsonAreStored) {
  const std::string ts = absl::StrCat("\"", kT0, "000000000\"");
  EXPECT_EQ(Send(Post(JsonBody(ts, "plain"), "application/json")).status, 204);
  EXPECT_EQ(Send(Post(*http::GzipCompress(JsonBody(ts, "zipped")), "application/json", "gzip")).status, 204);
  EXPECT_THAT(Lines("web"), ::testing::ElementsAre("plain", "zipped"));
}

TEST_F(LokiPushHandlerTest, BadInputIs400WithAReasonAndStoresNothing) {
  http::Response r = Send(Post(JsonBody(absl::StrCat(kT0, "000000000"), "x"), "application/json"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("timestamp must be a string"));
  r = Send(Post(ProtoBody("{app=api}", kT0, "x"), "application/x-protobuf"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("expected a quoted label value"));
  r = Send(Post("garbage", "application/x-protobuf"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Lines("web").empty());
  EXPECT_TRUE(Lines("api").empty());
}

TEST_F(LokiPushHandlerTest, RefusedEntriesAre400AndTheRestIsStored) {
  ASSERT_EQ(Send(Post(ProtoBody(R"({app="api"})", kT0, "new"), "")).status, 204);
  const std::string body = absl::StrCat(R"({"streams":[{"stream":{"app":"api"},"values":[[")", kT0 - 3600,
                                        R"(000000000","too old"],[")", kT0 - 60, R"(000000000","late ok"]]}]})");
  http::Response r = Send(Post(body, "application/json"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("1 entries stored, 1 entries refused: 1 out_of_order"));
  EXPECT_THAT(Lines("api"), ::testing::ElementsAre("late ok", "new"));
  std::string metrics;
  registry_.RenderText(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vigil_loki_push_entries_rejected_total{reason=\"out_of_order\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("vigil_loki_push_requests_total{code=\"400\"} 1"));
}

TEST_F(LokiPushHandlerTest, TooLargeIs413AndUnknownEncodingIs415) {
  std::string big = JsonBody(absl::StrCat("\"", kT0, "000000000\""), std::string(5000, 'x'));
  EXPECT_EQ(Send(Post(big, "application/json")).status, 413);
  EXPECT_EQ(Send(Post(*http::GzipCompress(big), "application/json", "gzip")).status, 413);
  EXPECT_EQ(Send(Post(ProtoBody(R"({app="a"})", kT0, std::string(5000, 'x')), "")).status, 413);
  EXPECT_EQ(Send(Post("{}", "application/json", "br")).status, 415);
}

TEST_F(LokiPushHandlerTest, CommitFailureIs503) {
  ASSERT_TRUE(store_->Close().ok());  // a closed store refuses commits, as a failing disk would
  http::Response r = Send(Post(ProtoBody(R"({app="api"})", kT0, "x"), ""));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("retry"));
}

}  // namespace
}  // namespace vigil::server
