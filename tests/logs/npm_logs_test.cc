// Real npm log clients (winston-loki; the OpenTelemetry JS OTLP logs exporter) push into a real vigil-store and
// the lines come back through /loki/api/v1/query_range with their labels and timestamps (issue 6 Tests).
#include <signal.h>
#include <sys/wait.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/support/npm.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"

namespace vigil {
namespace {

using testing::LocalUrl;
using testing::PercentEncode;

class NpmLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> modules = testing::EnsureNpmModules();
    ASSERT_TRUE(modules.ok()) << modules.status();
    modules_ = *modules;
    absl::StatusOr<int> port = testing::FreePort();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    absl::StatusOr<testing::Subprocess> p =
        testing::StartVigilStore(testing::TestTmpDir() + "/logs-data", port_, testing::TestTmpDir() + "/store.log");
    ASSERT_TRUE(p.ok()) << p.status();
    store_.emplace(std::move(*p));
  }
  void TearDown() override {
    if (store_.has_value()) {
      absl::StatusOr<int> st = store_->Stop(SIGTERM, absl::Seconds(60));
      EXPECT_TRUE(st.ok() && WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << store_->Output();
    }
  }

  void Send(const std::string& kind, const std::string& url, const std::string& name) {
    absl::StatusOr<testing::CommandResult> r = testing::RunNode("tests/logs/send_logs.js", {kind, url, name}, modules_);
    ASSERT_TRUE(r.ok()) << r.status();
    // send_logs.js prints SENT after the client confirmed the push, then kills itself (winston-loki keeps node
    // alive at exit).
    ASSERT_NE(r->output.find("SENT"), std::string::npos) << r->output;
    ASSERT_TRUE(r->exit_code == 0 || r->exit_code == 128 + SIGKILL) << r->output;
  }

  // Query, repeated until it finds `want` lines (the clients send asynchronously) or 20 s have passed.
  rapidjson::Document QueryUntil(const std::string& logql, int want) {
    rapidjson::Document doc;
    for (int attempt = 0; attempt < 100; ++attempt) {
      doc = Query(logql);
      int lines = 0;
      if (doc.IsObject() && doc.HasMember("data")) {
        for (const auto& stream : doc["data"]["result"].GetArray()) lines += stream["values"].Size();
      }
      if (lines >= want) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return doc;
  }

  // query_range over the last hour; the parsed answer.
  rapidjson::Document Query(const std::string& logql) {
    const int64_t now_ns = absl::ToUnixNanos(absl::Now());
    absl::StatusOr<http::ClientResponse> r =
        client_.Get(LocalUrl(port_, "/loki/api/v1/query_range?query=") + PercentEncode(logql) +
                        absl::StrCat("&direction=backward&limit=1000&start=", now_ns - int64_t{3600} * 1000000000,
                                     "&end=", now_ns + int64_t{60} * 1000000000, "&step=15000ms"),
                    {}, absl::Seconds(10));
    rapidjson::Document doc;
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return doc;
    EXPECT_EQ(r->status, 200) << r->body;
    doc.Parse(r->body.c_str());
    return doc;
  }

  std::string modules_;
  int port_ = 0;
  std::optional<testing::Subprocess> store_;
  http::HttplibClient client_;
};

TEST_F(NpmLogsTest, WinstonLokiLinesComeBack) {
  Send("loki", LocalUrl(port_, ""), "winston-app");
  rapidjson::Document doc = QueryUntil(R"({app="winston-app"})", 3);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("data")) << "no data";
  const auto& result = doc["data"]["result"];
  ASSERT_TRUE(result.IsArray());
  int lines = 0;
  const int64_t now_ns = absl::ToUnixNanos(absl::Now());
  for (const auto& stream : result.GetArray()) {
    EXPECT_STREQ(stream["stream"]["app"].GetString(), "winston-app");
    EXPECT_STREQ(stream["stream"]["env"].GetString(), "e2e");
    int64_t prev = INT64_MAX;
    for (const auto& v : stream["values"].GetArray()) {
      ASSERT_TRUE(v[0].IsString());
      const int64_t ts = std::stoll(v[0].GetString());
      EXPECT_LE(ts, prev) << "not newest first";
      EXPECT_GT(ts, now_ns - int64_t{600} * 1000000000);
      EXPECT_LE(ts, now_ns);
      prev = ts;
      ++lines;
    }
  }
  EXPECT_EQ(lines, 3);
  // A line filter keeps only the matching line.
  rapidjson::Document err = Query(R"({app="winston-app"} |= "err happened")");
  ASSERT_TRUE(err.IsObject() && err.HasMember("data"));
  int matched = 0;
  for (const auto& stream : err["data"]["result"].GetArray()) matched += stream["values"].Size();
  EXPECT_EQ(matched, 1);
}

TEST_F(NpmLogsTest, OtlpLogsExporterLinesComeBack) {
  Send("otlp", LocalUrl(port_, "/v1/logs"), "otlp-logs-svc");
  rapidjson::Document doc = QueryUntil(R"({service_name="otlp-logs-svc"})", 2);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("data")) << "no data";
  std::vector<std::string> lines;
  for (const auto& stream : doc["data"]["result"].GetArray()) {
    for (const auto& v : stream["values"].GetArray()) lines.emplace_back(v[1].GetString());
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("otlp line two err"), std::string::npos) << "newest first";
  EXPECT_NE(lines[1].find("otlp line one"), std::string::npos);
}

}  // namespace
}  // namespace vigil
