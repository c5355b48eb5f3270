#include "server/ingest/otlp_logs_handler.h"

#include <memory>
#include <string>
#include <vector>

#include "base/clock/clock.h"
#include "base/http/gzip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/matcher.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/logs/log_store.h"
#include "wire/otlp/logs_service.pb.h"
#include "wire/otlp/rpc_status.pb.h"

namespace vigil::server {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using ::testing::HasSubstr;
using tsdb::logs::Direction;
using tsdb::logs::LogStore;

constexpr int64_t kT0 = 1700000000;  // seconds; the fake clock's now
constexpr int64_t kNs = 1'000'000'000;

http::Request Post(std::string body, std::string content_type, std::string encoding = "") {
  http::Request req;
  req.method = "POST";
  req.path = "/v1/logs";
  req.body = std::move(body);
  if (!content_type.empty()) req.headers.emplace("Content-Type", content_type);
  if (!encoding.empty()) req.headers.emplace("Content-Encoding", encoding);
  return req;
}

ExportLogsServiceRequest Request(std::string service, std::vector<std::pair<int64_t, std::string>> records) {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* kv = rl->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value(service);
  auto* sl = rl->add_scope_logs();
  for (const auto& [ns, line] : records) {
    auto* r = sl->add_log_records();
    r->set_time_unix_nano(static_cast<uint64_t>(ns));
    r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
    r->mutable_body()->set_string_value(line);
  }
  return req;
}

class OtlpLogsHandlerTest : public ::testing::Test {
 protected:
  OtlpLogsHandlerTest() {
    tsdb::logs::LogStoreOptions o;
    o.out_of_order_window = absl::Minutes(10);
    store_ = *LogStore::Open(std::make_shared<kv::MemoryKvStore>(), o, &clock_);
    OtlpLogsOptions options;
    options.max_request_bytes = 4096;
    handler_ = std::make_unique<OtlpLogsHandler>(store_.get(), &registry_, &clock_, options);
  }

  http::Response Send(const http::Request& req) {
    http::Response resp;
    handler_->Handle(req, &resp);
    return resp;
  }

  std::vector<tsdb::logs::StreamEntries> Select(std::string service) {
    absl::StatusOr<std::vector<tsdb::logs::StreamEntries>> r =
        store_->Select({{*Matcher::Create(MatchType::kEqual, "service_name", service)},
                        0,
                        (kT0 + 3600) * kNs,
                        Direction::kForward,
                        0});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<tsdb::logs::StreamEntries>{};
  }

  FakeClock clock_{absl::FromUnixSeconds(kT0)};
  metrics::Registry registry_;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<OtlpLogsHandler> handler_;
};

TEST_F(OtlpLogsHandlerTest, ProtobufStoresAndReadsBack) {
  http::Response resp =
      Send(Post(Request("checkout", {{kT0 * kNs, "started"}, {kT0 * kNs + 5, "done"}}).SerializeAsString(),
                "application/x-protobuf"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/x-protobuf");
  EXPECT_TRUE(resp.body.empty());  // full success
  std::vector<tsdb::logs::StreamEntries> got = Select("checkout");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels.ToString(), R"({service_name="checkout"})");
  ASSERT_EQ(got[0].entries.size(), 2u);
  EXPECT_EQ(got[0].entries[0].line, "started");
  EXPECT_EQ(got[0].entries[0].timestamp_ns, kT0 * kNs);
  EXPECT_EQ(got[0].entries[0].structured_metadata.Get("detected_level"), "info");
  EXPECT_EQ(got[0].entries[1].line, "done");
}

TEST_F(OtlpLogsHandlerTest, JsonGzipAndMissingTimeUsesClock) {
  const std::string json =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
          "scopeLogs":[{"logRecords":[{"body":{"stringValue":"no time"}}]}]}]})";
  absl::StatusOr<std::string> gz = http::GzipCompress(json);
  ASSERT_TRUE(gz.ok());
  http::Response resp = Send(Post(*gz, "application/json; charset=utf-8", "gzip"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body, "{}");
  std::vector<tsdb::logs::StreamEntries> got = Select("api");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].entries.size(), 1u);
  EXPECT_EQ(got[0].entries[0].timestamp_ns, kT0 * kNs);
}

TEST_F(OtlpLogsHandlerTest, MalformedBodyIs400RpcStatus) {
  http::Response resp = Send(Post("\xff\xff\xff", "application/x-protobuf"));
  EXPECT_EQ(resp.status, 400);
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(resp.body));
  EXPECT_EQ(status.code(), 3);
  EXPECT_THAT(status.message(), HasSubstr("malformed protobuf"));

  resp = Send(Post("{\"resourceLogs\":7}", "application/json"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("resourceLogs: want an array"));
  EXPECT_TRUE(Select("checkout").empty());
}

TEST_F(OtlpLogsHandlerTest, UnsupportedTypeOrEncodingAndTooLarge) {
  EXPECT_EQ(Send(Post("x", "text/plain")).status, 415);
  EXPECT_EQ(Send(Post("x", "application/json", "br")).status, 415);
  EXPECT_EQ(Send(Post(std::string(5000, ' '), "application/json")).status, 413);
}

TEST_F(OtlpLogsHandlerTest, InvalidAndRefusedRecordsArePartialSuccess) {
  ExportLogsServiceRequest req = Request("checkout", {{kT0 * kNs, "kept"}, {kT0 * kNs, "bad id"}, {kNs, "too old"}});
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(1)->set_span_id("abc");
  http::Response resp = Send(Post(req.SerializeAsString(), "application/x-protobuf"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  ExportLogsServiceResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(resp.body));
  EXPECT_EQ(parsed.partial_success().rejected_log_records(), 2);
  EXPECT_THAT(parsed.partial_success().error_message(), HasSubstr("span id of 3 bytes"));
  EXPECT_THAT(parsed.partial_success().error_message(), HasSubstr("too_old"));
  std::vector<tsdb::logs::StreamEntries> got = Select("checkout");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].entries.size(), 1u);
  EXPECT_EQ(got[0].entries[0].line, "kept");
}

TEST_F(OtlpLogsHandlerTest, EmptyRequestIsSuccess) {
  http::Response resp = Send(Post("", "application/x-protobuf"));
  EXPECT_EQ(resp.status, 200);
  EXPECT_TRUE(resp.body.empty());
}

}  // namespace
}  // namespace vigil::server
