// Real OpenTelemetry JS exporters (OTLP protobuf, OTLP JSON, Zipkin) send traces to a real vigil-store; each
// trace comes back by id (Jaeger JSON and Tempo v2 protobuf) and by search with every span, attribute, event and
// link. Malformed OTLP bodies get 400 and store nothing (contract.md sections 3.2, 3.3, 3.5 and 7 item 10).
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "model/span.h"
#include "rapidjson/document.h"
#include "tests/support/npm.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"
#include "wire/otlp/decode_proto.h"

namespace vigil {
namespace {

using testing::LocalUrl;
using testing::PercentEncode;

class NpmTracesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> modules = testing::EnsureNpmModules();
    ASSERT_TRUE(modules.ok()) << modules.status();
    modules_ = new std::string(*modules);
    absl::StatusOr<int> port = testing::FreePort();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    absl::StatusOr<testing::Subprocess> p =
        testing::StartVigilStore(testing::TestTmpDir() + "/traces-data", port_, testing::TestTmpDir() + "/store.log");
    ASSERT_TRUE(p.ok()) << p.status();
    store_ = new testing::Subprocess(std::move(*p));
  }
  static void TearDownTestSuite() {
    if (store_ != nullptr) {
      absl::StatusOr<int> st = store_->Stop(SIGTERM, absl::Seconds(60));
      EXPECT_TRUE(st.ok() && WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << store_->Output();
    }
    delete store_;
    delete modules_;
    store_ = nullptr;
    modules_ = nullptr;
  }

  // Runs send_traces.js; returns the trace id it sent (hex).
  std::string Send(const std::string& kind, const std::string& path, const std::string& service) {
    absl::StatusOr<testing::CommandResult> r =
        testing::RunNode("tests/traces/send_traces.js", {kind, LocalUrl(port_, path), service}, *modules_);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << r->output;
    const size_t at = r->output.find("TRACE ");
    EXPECT_NE(at, std::string::npos) << r->output;
    if (at == std::string::npos) return "";
    return r->output.substr(at + 6, 32);
  }

  http::ClientResponse Get(const std::string& path, http::HeaderList headers = {}) {
    absl::StatusOr<http::ClientResponse> r = client_.Get(LocalUrl(port_, path), headers, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  http::ClientResponse Post(const std::string& path, const std::string& type, std::string body) {
    absl::StatusOr<http::ClientResponse> r =
        client_.Post(LocalUrl(port_, path), {{"Content-Type", type}}, std::move(body), absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }

  // The spans of /api/v2/traces/<id> (Accept: application/protobuf), decoded with wire/otlp.
  std::vector<Span> TraceV2(const std::string& id) {
    http::ClientResponse r = Get("/api/v2/traces/" + id, {{"Accept", "application/protobuf"}});
    EXPECT_EQ(r.status, 200) << r.body;
    // TraceByIDResponse: field 1 (length-delimited) holds a Trace, the same bytes as OTLP TracesData.
    const std::string& b = r.body;
    if (b.empty() || b[0] != 0x0a) {
      ADD_FAILURE() << "no trace field in the TraceByIDResponse";
      return {};
    }
    size_t pos = 1, len = 0;
    for (int shift = 0; pos < b.size(); shift += 7) {
      const auto c = static_cast<unsigned char>(b[pos++]);
      len |= static_cast<size_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) break;
    }
    EXPECT_LE(pos + len, b.size());
    absl::StatusOr<wire::otlp::DecodedSpans> d =
        wire::otlp::DecodeTracesProto(std::string_view(b).substr(pos, std::min(len, b.size() - pos)));
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? std::move(d->spans) : std::vector<Span>{};
  }

  int SearchCount(const std::string& query) {
    http::ClientResponse r = Get("/api/search?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    EXPECT_TRUE(doc.IsObject() && doc.HasMember("traces") && doc["traces"].IsArray()) << r.body;
    if (!doc.IsObject() || !doc.HasMember("traces") || !doc["traces"].IsArray()) return -1;
    return static_cast<int>(doc["traces"].Size());
  }

  void CheckTrace(const std::string& id, const std::string& service, bool otlp) {
    ASSERT_EQ(id.size(), 32u);
    std::vector<Span> spans = TraceV2(id);
    ASSERT_EQ(spans.size(), 3u);
    std::map<std::string, const Span*> by_name;
    for (const Span& s : spans) {
      EXPECT_EQ(s.trace_id.Hex(), id);
      by_name[s.name] = &s;
    }
    ASSERT_TRUE(by_name.count("GET /checkout") && by_name.count("SELECT orders") && by_name.count("publish order"))
        << "span names differ";
    const Span& root = *by_name["GET /checkout"];
    const Span& db = *by_name["SELECT orders"];
    const Span& pub = *by_name["publish order"];
    EXPECT_TRUE(root.parent_span_id.IsZero());
    EXPECT_EQ(db.parent_span_id.Hex(), root.span_id.Hex());
    EXPECT_EQ(pub.parent_span_id.Hex(), root.span_id.Hex());
    std::map<std::string, std::string> attrs;
    for (const KeyValue& kv : root.attributes) attrs[kv.key] = kv.value.ToString();
    EXPECT_EQ(attrs["http.method"], "GET");
    EXPECT_EQ(attrs["http.status_code"], "500");
    EXPECT_NE(attrs["ratio"].find("0.25"), std::string::npos);
    EXPECT_EQ(attrs["cached"], "true");
    ASSERT_NE(root.resource, nullptr);
    std::map<std::string, std::string> res;
    for (const KeyValue& kv : root.resource->attributes) res[kv.key] = kv.value.ToString();
    EXPECT_EQ(res["service.name"], service);
    ASSERT_EQ(db.events.size(), 1u);
    EXPECT_EQ(db.events[0].name, "query.retry");
    ASSERT_EQ(root.events.size(), 1u);
    EXPECT_EQ(root.events[0].name, "checkout.failed");
    EXPECT_EQ(db.status_code, SpanStatusCode::kError);
    if (otlp) {
      // Zipkin v2 has no links, array attributes or typed values; OTLP keeps them all.
      EXPECT_NE(attrs["tags"].find("a"), std::string::npos);
      EXPECT_EQ(res["deployment.environment"], "e2e");
      EXPECT_EQ(res["host.cores"], "2");
      ASSERT_EQ(pub.links.size(), 1u);
      EXPECT_EQ(pub.links[0].span_id.Hex(), db.span_id.Hex());
      ASSERT_EQ(db.events[0].attributes.size(), 2u);
      EXPECT_EQ(db.status_message, "deadlock detected");
    }
    // Jaeger JSON by id: every span.
    http::ClientResponse j = Get("/api/traces/" + id);
    ASSERT_EQ(j.status, 200) << j.body;
    rapidjson::Document doc;
    doc.Parse(j.body.c_str());
    ASSERT_TRUE(doc.IsObject() && doc.HasMember("data") && doc["data"].IsArray() && doc["data"].Size() == 1) << j.body;
    EXPECT_EQ(doc["data"][0]["spans"].Size(), 3u);
    // Search by tags and by TraceQL.
    EXPECT_EQ(SearchCount("tags=" + PercentEncode("service.name=" + service) + "&limit=20"), 1);
    EXPECT_EQ(SearchCount("q=" + PercentEncode("{ resource.service.name = \"" + service + "\" && status = error }") +
                          "&limit=20&spss=3"),
              1);
    EXPECT_EQ(SearchCount("q=" + PercentEncode("{ resource.service.name = \"" + service + "\" && name = \"nope\" }")),
              0);
  }

  static std::string* modules_;
  static int port_;
  static testing::Subprocess* store_;
  http::HttplibClient client_;
};
std::string* NpmTracesTest::modules_ = nullptr;
int NpmTracesTest::port_ = 0;
testing::Subprocess* NpmTracesTest::store_ = nullptr;

TEST_F(NpmTracesTest, OtlpProtoExporter) { CheckTrace(Send("proto", "/v1/traces", "svc-proto"), "svc-proto", true); }

TEST_F(NpmTracesTest, OtlpJsonExporter) { CheckTrace(Send("json", "/v1/traces", "svc-json"), "svc-json", true); }

TEST_F(NpmTracesTest, ZipkinExporter) {
  CheckTrace(Send("zipkin", "/api/v2/spans", "svc-zipkin"), "svc-zipkin", false);
}

// Malformed bodies get 400 and store nothing (contract.md 3.5, 7 item 10).
TEST_F(NpmTracesTest, MalformedOtlpIsRefusedAndStoresNothing) {
  const std::string svc = "svc-malformed";
  const std::string res =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":")" + svc +
      R"("}}]},"scopeSpans":[{"spans":[{"traceId":")";
  const std::string tail = R"(","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})";
  // Base64 ids (the proto3 JSON default) are refused: OTLP requires hex.
  EXPECT_EQ(Post("/v1/traces", "application/json", res + "AAECAwQFBgcICQoLDA0ODw==\",\"spanId\":\"AAECAwQFBgc=" + tail)
                .status,
            400);
  // Wrong id lengths.
  EXPECT_EQ(Post("/v1/traces", "application/json", res + "0102\",\"spanId\":\"0102030405060708" + tail).status, 400);
  EXPECT_EQ(
      Post("/v1/traces", "application/json", res + "0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"01" + tail).status,
      400);
  // Bad protobuf: a truncated length-delimited field.
  EXPECT_EQ(Post("/v1/traces", "application/x-protobuf", std::string("\x0a\x7f\x0a\x02", 4)).status, 400);
  // Bad Zipkin JSON.
  EXPECT_EQ(Post("/api/v2/spans", "application/json", R"([{"traceId":"zz","id":"1"}])").status, 400);
  EXPECT_EQ(SearchCount("tags=" + PercentEncode("service.name=" + svc)), 0);
  // A valid hex body is accepted with 200 and the request's content type (7 item 10), and then found.
  http::ClientResponse ok = Post("/v1/traces", "application/json",
                                 res + "0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708" + tail);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(SearchCount("tags=" + PercentEncode("service.name=" + svc)), 1);
}

// A huge attribute value is accepted and stored bounded (wire/otlp's 16 KiB value limit), not refused.
TEST_F(NpmTracesTest, HugeAttributeValueIsBounded) {
  const std::string body =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc-huge"}}]},)"
      R"("scopeSpans":[{"spans":[{"traceId":"1102030405060708090a0b0c0d0e0f10","spanId":"1102030405060708",)"
      R"("name":"big","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"blob","value":)"
      R"({"stringValue":")" +
      std::string(1 << 20, 'x') + R"("}}]}]}]}]})";
  http::ClientResponse r = Post("/v1/traces", "application/json", body);
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<Span> spans = TraceV2("1102030405060708090a0b0c0d0e0f10");
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].attributes.size(), 1u);
  EXPECT_LE(spans[0].attributes[0].value.ToString().size(), size_t{16} << 10);
}

// contract.md 7 item 8: echo, v2 by id for an unknown trace, search envelope.
TEST_F(NpmTracesTest, TempoContractVectors) {
  http::ClientResponse echo = Get("/api/echo");
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, "echo");
  EXPECT_EQ(Get("/api/v2/traces/00000000000000000000000000abcdef", {{"Accept", "application/protobuf"}}).status, 404);
  EXPECT_EQ(Get("/api/v2/traces/not-hex", {{"Accept", "application/protobuf"}}).status, 400);
  EXPECT_GE(SearchCount("q=" + PercentEncode("{}") + "&limit=20&spss=3&start=0&end=4000000000"), 0);
}

}  // namespace
}  // namespace vigil
