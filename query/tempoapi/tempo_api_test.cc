#include "query/tempoapi/tempo_api.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "base/http/server.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/traces/trace_store.h"
#include "wire/otlp/trace.pb.h"

namespace vigil::tempoapi {
namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kBase = 1700000000 * kSec;
constexpr char kTrace[] = "0af7651916cd43dd8448eb211c80319c";

Span MakeSpan(const char* trace, int span, int parent, std::string service, std::string name, uint64_t start,
              uint64_t duration) {
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({"service.name", AnyValue::String(std::move(service))});
  r->attributes.push_back({"host.name", AnyValue::String("node-1")});
  Span s;
  s.trace_id = *TraceId::FromHex(trace);
  s.span_id = *SpanId::FromBytes(std::string(7, '\0') + static_cast<char>(span));
  if (parent > 0) s.parent_span_id = *SpanId::FromBytes(std::string(7, '\0') + static_cast<char>(parent));
  s.name = std::move(name);
  s.kind = SpanKind::kServer;
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = start + duration;
  s.resource = std::move(r);
  return s;
}

class TempoApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *traces::TraceStore::Open(&kv_, {}, &clock_);
    Span child = MakeSpan(kTrace, 2, 1, "db", "SELECT", kBase + kSec, 2 * kSec);
    child.status_code = SpanStatusCode::kError;
    child.attributes.push_back({"http.status_code", AnyValue::Int(503)});
    ASSERT_TRUE(store_->Consume({MakeSpan(kTrace, 1, 0, "front", "GET /cart", kBase, 5 * kSec)}).ok());
    ASSERT_TRUE(store_->Consume({child}).ok());
    ASSERT_TRUE(store_
                    ->Consume({MakeSpan("00000000000000000000000000000abc", 1, 0, "front", "GET /health",
                                        kBase + 100 * kSec, kSec / 1000)})
                    .ok());
    server_ = std::make_unique<http::Server>(http::ServerOptions{.listen_address = "127.0.0.1:0", .access_log = false});
    RegisterTempoApi(server_.get(), {.store = store_.get()});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Shutdown(absl::Seconds(1)); }

  http::ClientResponse Get(std::string_view target, http::HeaderList headers = {}) {
    absl::StatusOr<http::ClientResponse> r = client_.Get(
        absl::StrCat("http://127.0.0.1:", server_->port(), std::string(target)), headers, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  rapidjson::Document Json(std::string_view target, int want_status = 200) {
    http::ClientResponse r = Get(target);
    EXPECT_EQ(r.status, want_status) << target << ": " << r.body;
    rapidjson::Document d;
    d.Parse(r.body.data(), r.body.size());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    return d;
  }

  FakeClock clock_;
  kv::MemoryKvStore kv_;
  std::unique_ptr<traces::TraceStore> store_;
  std::unique_ptr<http::Server> server_;
  http::HttplibClient client_;
};

TEST_F(TempoApiTest, Echo) {
  http::ClientResponse r = Get("/api/echo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "echo");
}

TEST_F(TempoApiTest, TraceByIdV2Protobuf) {
  http::ClientResponse r = Get(absl::StrCat("/api/v2/traces/", kTrace), {{"Accept", "application/protobuf"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/protobuf");
  // TraceByIDResponse: field 1 (trace) holds a Trace, which parses as TracesData.
  ASSERT_GT(r.body.size(), 2u);
  EXPECT_EQ(r.body[0], '\x0a');
  opentelemetry::proto::trace::v1::TracesData trace;
  size_t header = 2;
  while (static_cast<uint8_t>(r.body[header - 1]) & 0x80) ++header;
  ASSERT_TRUE(trace.ParseFromString(r.body.substr(header)));
  int spans = 0;
  for (const auto& rs : trace.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) spans += ss.spans_size();
  }
  EXPECT_EQ(spans, 2);
}

TEST_F(TempoApiTest, UnknownTraceIs404AndV1ReturnsTracesData) {
  EXPECT_EQ(Get("/api/v2/traces/1234", {{"Accept", "application/protobuf"}}).status, 404);
  EXPECT_EQ(Get("/api/v2/traces/xyz", {{"Accept", "application/protobuf"}}).status, 400);
  http::ClientResponse r = Get(absl::StrCat("/api/traces/", kTrace), {{"Accept", "application/protobuf"}});
  ASSERT_EQ(r.status, 200);
  opentelemetry::proto::trace::v1::TracesData trace;
  ASSERT_TRUE(trace.ParseFromString(r.body));
  ASSERT_GE(trace.resource_spans_size(), 1);
  EXPECT_EQ(trace.resource_spans(0).scope_spans(0).spans(0).name(), "GET /cart");
  EXPECT_EQ(Get("/api/traces/abcd", {{"Accept", "application/protobuf"}}).status, 404);
  // Short ids (Tempo drops leading zeros) are found.
  EXPECT_EQ(Get("/api/traces/abc", {{"Accept", "application/protobuf"}}).status, 200);
}

TEST_F(TempoApiTest, TraceByIdV2Json) {
  rapidjson::Document d = Json(absl::StrCat("/api/v2/traces/", kTrace));
  ASSERT_TRUE(d.HasMember("trace"));
  EXPECT_EQ(d["trace"]["resourceSpans"].Size(), 2u);
}

TEST_F(TempoApiTest, SearchAllMatchesContractShape) {
  rapidjson::Document d = Json(
      absl::StrCat("/api/search?q=%7B%7D&limit=20&spss=3&start=", kBase / kSec - 60, "&end=", kBase / kSec + 3600));
  ASSERT_TRUE(d["traces"].IsArray());
  ASSERT_EQ(d["traces"].Size(), 2u);
  const auto& t = d["traces"][1];
  EXPECT_STREQ(t["traceID"].GetString(), std::string(kTrace).c_str());
  EXPECT_STREQ(t["rootServiceName"].GetString(), "front");
  EXPECT_STREQ(t["rootTraceName"].GetString(), "GET /cart");
  EXPECT_STREQ(t["startTimeUnixNano"].GetString(), absl::StrCat(kBase).c_str());
  EXPECT_EQ(t["durationMs"].GetInt(), 5000);
  ASSERT_EQ(t["spanSets"].Size(), 1u);
  EXPECT_EQ(t["spanSets"][0]["matched"].GetInt(), 2);
  EXPECT_STREQ(t["spanSets"][0]["spans"][0]["startTimeUnixNano"].GetString(), absl::StrCat(kBase).c_str());
  EXPECT_STREQ(t["spanSets"][0]["spans"][1]["durationNanos"].GetString(), absl::StrCat(2 * kSec).c_str());
  EXPECT_EQ(t["serviceStats"]["db"]["errorCount"].GetInt(), 1);
  EXPECT_EQ(t["serviceStats"]["front"]["spanCount"].GetInt(), 1);
  EXPECT_TRUE(d["metrics"]["inspectedBytes"].IsString());
  EXPECT_TRUE(d.HasMember("metrics"));
}

TEST_F(TempoApiTest, SearchTraceQLAndTags) {
  rapidjson::Document d = Json(
      "/api/search?q="
      "%7B%20resource.service.name%20%3D%20%22db%22%20%26%26%20status%20%3D%20error%20%26%26%20"
      "span.http.status_code%20%3E%3D%20500%20%7D");
  ASSERT_EQ(d["traces"].Size(), 1u);
  const auto& span = d["traces"][0]["spanSets"][0]["spans"][0];
  EXPECT_STREQ(span["name"].GetString(), "SELECT");
  ASSERT_TRUE(span.HasMember("attributes"));
  EXPECT_STREQ(span["attributes"][0]["key"].GetString(), "service.name");
  EXPECT_STREQ(span["attributes"][1]["value"]["intValue"].GetString(), "503");

  EXPECT_EQ(Json("/api/search?tags=service.name%3Dfront&minDuration=1s")["traces"].Size(), 1u);
  EXPECT_EQ(Json("/api/search?tags=service.name%3Dfront")["traces"].Size(), 2u);
  EXPECT_EQ(Json("/api/search?maxDuration=10ms")["traces"].Size(), 1u);
  http::ClientResponse bad = Get("/api/search?q=%7B%20duration%20%3E%20%7D");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("parse error at line 1, col 14"), std::string::npos) << bad.body;
  EXPECT_EQ(Get("/api/search?minDuration=fast").status, 400);
  EXPECT_EQ(Get("/api/search?limit=x").status, 400);
}

TEST_F(TempoApiTest, TagsAndValues) {
  rapidjson::Document v1 = Json("/api/search/tags");
  ASSERT_TRUE(v1["tagNames"].IsArray());
  std::vector<std::string> names;
  for (const auto& n : v1["tagNames"].GetArray()) names.push_back(n.GetString());
  EXPECT_EQ(names, (std::vector<std::string>{"host.name", "http.status_code", "service.name"}));

  rapidjson::Document v2 = Json("/api/v2/search/tags");
  ASSERT_EQ(v2["scopes"].Size(), 3u);
  EXPECT_STREQ(v2["scopes"][0]["name"].GetString(), "resource");
  EXPECT_STREQ(v2["scopes"][2]["name"].GetString(), "intrinsic");
  EXPECT_EQ(Json("/api/v2/search/tags?scope=span")["scopes"].Size(), 1u);

  rapidjson::Document vals = Json("/api/search/tag/service.name/values");
  ASSERT_EQ(vals["tagValues"].Size(), 2u);
  EXPECT_STREQ(vals["tagValues"][0].GetString(), "db");

  rapidjson::Document typed = Json("/api/v2/search/tag/span.http.status_code/values");
  ASSERT_EQ(typed["tagValues"].Size(), 1u);
  EXPECT_STREQ(typed["tagValues"][0]["type"].GetString(), "int");
  EXPECT_STREQ(typed["tagValues"][0]["value"].GetString(), "503");
  EXPECT_EQ(Json("/api/v2/search/tag/resource.service.name/values")["tagValues"].Size(), 2u);
  EXPECT_EQ(Json("/api/v2/search/tag/status/values")["tagValues"].Size(), 3u);
  EXPECT_EQ(Json("/api/v2/search/tag/name/values")["tagValues"].Size(), 3u);
  // Double-encoded by Grafana: %252E arrives as %2E.
  EXPECT_EQ(Json("/api/v2/search/tag/resource%252Eservice%252Ename/values")["tagValues"].Size(), 2u);
  EXPECT_EQ(Get("/api/v2/search/tag/bogus/values").status, 400);
}

TEST_F(TempoApiTest, Jaeger) {
  rapidjson::Document services = Json("/api/services");
  ASSERT_EQ(services["data"].Size(), 2u);
  EXPECT_EQ(services["total"].GetInt(), 2);
  EXPECT_TRUE(services["errors"].IsNull());
  rapidjson::Document ops = Json("/api/services/front/operations");
  ASSERT_EQ(ops["data"].Size(), 2u);
  EXPECT_STREQ(ops["data"][0].GetString(), "GET /cart");

  rapidjson::Document found = Json("/api/traces?service=db&tags=%7B%22http.status_code%22%3A%22503%22%7D&limit=5");
  ASSERT_EQ(found["data"].Size(), 1u);
  const auto& trace = found["data"][0];
  ASSERT_EQ(trace["spans"].Size(), 2u);
  const auto& child = trace["spans"][1];
  EXPECT_STREQ(child["operationName"].GetString(), "SELECT");
  EXPECT_STREQ(child["references"][0]["refType"].GetString(), "CHILD_OF");
  EXPECT_EQ(child["startTime"].GetUint64(), (kBase + kSec) / 1000);
  EXPECT_EQ(child["duration"].GetUint64(), 2'000'000u);
  EXPECT_STREQ(child["tags"][0]["type"].GetString(), "int64");
  EXPECT_EQ(child["tags"][0]["value"].GetInt(), 503);
  const std::string pid = child["processID"].GetString();
  EXPECT_STREQ(trace["processes"][pid.c_str()]["serviceName"].GetString(), "db");
  EXPECT_EQ(Json("/api/traces?service=db&minDuration=3s")["data"].Size(), 0u);
  EXPECT_EQ(Json("/api/traces?service=front&operation=GET%20%2Fhealth")["data"].Size(), 1u);
  Json("/api/traces?tags=notjson", 400);

  rapidjson::Document byid = Json(absl::StrCat("/api/traces/", kTrace));
  EXPECT_EQ(byid["data"][0]["spans"].Size(), 2u);
  EXPECT_EQ(Json(absl::StrCat("/jaeger/api/traces/", kTrace))["data"].Size(), 1u);
  Json("/jaeger/api/traces/1234", 404);
  EXPECT_EQ(Json("/jaeger/api/services")["data"].Size(), 2u);
}

}  // namespace
}  // namespace vigil::tempoapi
