#include "agent/receivers/trace_receivers.h"

#include <algorithm>
#include <string>
#include <vector>

#include "agent/receivers/fake_span_sink.h"
#include "base/http/gzip.h"
#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "wire/otlp/encode.h"
#include "wire/otlp/encode_json.h"
#include "wire/otlp/rpc_status.pb.h"
#include "wire/otlp/test_util.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::receivers {
namespace {

TraceReceiverOptions SmallLimit() {
  TraceReceiverOptions options;
  options.max_request_bytes = 1 << 20;
  return options;
}

using ::testing::HasSubstr;
using ::testing::Pair;

http::Request Post(std::string path, std::string content_type, std::string body) {
  http::Request req;
  req.method = "POST";
  req.path = std::move(path);
  if (!content_type.empty()) req.headers.emplace("Content-Type", std::move(content_type));
  req.body = std::move(body);
  return req;
}

std::string Header(const http::Response& resp, std::string_view name) {
  for (const auto& [k, v] : resp.headers) {
    if (k == name) return v;
  }
  return "";
}

google::rpc::Status ProtoStatus(const http::Response& resp) {
  google::rpc::Status status;
  EXPECT_TRUE(status.ParseFromString(resp.body));
  return status;
}

class TraceReceiversTest : public ::testing::Test {
 protected:
  http::Response Otlp(http::Request req) {
    http::Response resp;
    receivers_.HandleOtlp(req, &resp);
    return resp;
  }
  http::Response Zipkin(http::Request req) {
    http::Response resp;
    receivers_.HandleZipkin(req, &resp);
    return resp;
  }

  FakeSpanSink sink_;
  metrics::Registry registry_;
  TraceReceivers receivers_{&sink_, &registry_, SmallLimit()};
  const std::vector<Span> spans_ = wire::otlp::testing::TypicalSpans(10);
};

TEST_F(TraceReceiversTest, OtlpProtobufSucceeds) {
  http::Response resp = Otlp(Post("/v1/traces", "application/x-protobuf", wire::otlp::EncodeTracesProto(spans_)));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/x-protobuf");
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse body;
  ASSERT_TRUE(body.ParseFromString(resp.body));
  EXPECT_FALSE(body.has_partial_success());
  EXPECT_EQ(sink_.spans().size(), spans_.size());
  EXPECT_EQ(sink_.calls(), 1);
  EXPECT_THAT(registry_.RenderText(),
              HasSubstr(R"(vigil_trace_receiver_spans_total{protocol="otlp",outcome="accepted"} 10)"));
}

TEST_F(TraceReceiversTest, OtlpJsonSucceedsWithCharset) {
  http::Response resp =
      Otlp(Post("/v1/traces", "Application/JSON; charset=utf-8", wire::otlp::EncodeTracesJson(spans_)));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body, "{}");
  // The encoder groups spans by resource, so compare in span id order.
  auto by_id = [](std::vector<Span> v) {
    std::sort(v.begin(), v.end(), [](const Span& a, const Span& b) { return a.span_id < b.span_id; });
    return v;
  };
  std::vector<Span> got = by_id(sink_.spans());
  std::vector<Span> want = by_id(spans_);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(got[i] == want[i]) << "span " << want[i].span_id.Hex();
}

TEST_F(TraceReceiversTest, OtlpRoutesThroughServer) {
  http::Server server;
  receivers_.RegisterOtlp(&server);
  receivers_.RegisterZipkin(&server);
  http::Response resp = server.Handle(Post("/v1/traces", "application/x-protobuf", ""));
  EXPECT_EQ(resp.status, 200);
  http::Request get = Post("/v1/traces", "", "");
  get.method = "GET";
  EXPECT_EQ(server.Handle(get).status, 405);
  EXPECT_EQ(server.Handle(Post("/api/v2/spans", "application/json", "[]")).status, 202);
  EXPECT_EQ(sink_.calls(), 0);  // empty requests never reach the sink
}

TEST_F(TraceReceiversTest, OtlpJsonBase64IdsAre400) {
  const std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==",)"
                           R"("spanId":"7uGbfsPBsXQ=","name":"op"}]}]}]})";
  http::Response resp = Otlp(Post("/v1/traces", "application/json", body));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/json");
  rapidjson::Document doc;
  doc.Parse(resp.body.c_str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["code"].GetInt(), 3);
  EXPECT_THAT(doc["message"].GetString(), HasSubstr("hex, not base64"));
  EXPECT_EQ(sink_.calls(), 0);
}

TEST_F(TraceReceiversTest, OtlpMalformedProtobufIs400WithStatus) {
  http::Response resp = Otlp(Post("/v1/traces", "application/x-protobuf", "\x0a\x7f garbage"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/x-protobuf");
  google::rpc::Status status = ProtoStatus(resp);
  EXPECT_EQ(status.code(), 3);
  EXPECT_THAT(status.message(), HasSubstr("malformed protobuf at byte"));
}

TEST_F(TraceReceiversTest, OtlpPartialSuccess) {
  std::vector<Span> spans = spans_;
  spans[3].trace_id = TraceId();
  http::Response resp = Otlp(Post("/v1/traces", "application/x-protobuf", wire::otlp::EncodeTracesProto(spans)));
  EXPECT_EQ(resp.status, 200);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse body;
  ASSERT_TRUE(body.ParseFromString(resp.body));
  ASSERT_TRUE(body.has_partial_success());
  EXPECT_EQ(body.partial_success().rejected_spans(), 1);
  EXPECT_THAT(body.partial_success().error_message(), HasSubstr("trace id is missing or all zero"));
  EXPECT_EQ(sink_.spans().size(), spans.size() - 1);

  http::Response json = Otlp(Post("/v1/traces", "application/json", wire::otlp::EncodeTracesJson(spans)));
  EXPECT_EQ(json.status, 200);
  EXPECT_THAT(json.body, HasSubstr(R"("partialSuccess":{"rejectedSpans":"1")"));
}

TEST_F(TraceReceiversTest, OtlpAllRejectedNeverReachesSink) {
  std::vector<Span> spans(1, spans_[0]);
  spans[0].span_id = SpanId();
  http::Response resp = Otlp(Post("/v1/traces", "application/x-protobuf", wire::otlp::EncodeTracesProto(spans)));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(sink_.calls(), 0);
}

TEST_F(TraceReceiversTest, OtlpGzip) {
  http::Request req =
      Post("/v1/traces", "application/x-protobuf", *http::GzipCompress(wire::otlp::EncodeTracesProto(spans_)));
  req.headers.emplace("Content-Encoding", "gzip");
  EXPECT_EQ(Otlp(req).status, 200);
  EXPECT_EQ(sink_.spans().size(), spans_.size());

  http::Request corrupt = Post("/v1/traces", "application/x-protobuf", "not gzip");
  corrupt.headers.emplace("Content-Encoding", "gzip");
  http::Response bad = Otlp(corrupt);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(ProtoStatus(bad).message(), HasSubstr("gzip"));

  http::Request bomb = Post("/v1/traces", "application/x-protobuf", *http::GzipCompress(std::string(2 << 20, '\0')));
  bomb.headers.emplace("Content-Encoding", "gzip");
  http::Response too_big = Otlp(bomb);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_THAT(ProtoStatus(too_big).message(), HasSubstr("limit is 1048576 bytes"));

  http::Request br = Post("/v1/traces", "application/x-protobuf", "x");
  br.headers.emplace("Content-Encoding", "br");
  EXPECT_EQ(Otlp(br).status, 415);
}

TEST_F(TraceReceiversTest, OtlpOverLimitIs413) {
  http::Response resp = Otlp(Post("/v1/traces", "application/json", std::string((1 << 20) + 1, ' ')));
  EXPECT_EQ(resp.status, 413);
  EXPECT_EQ(resp.content_type, "application/json");
}

TEST_F(TraceReceiversTest, OtlpUnsupportedContentTypeIs415) {
  http::Response resp = Otlp(Post("/v1/traces", "text/plain", "x"));
  EXPECT_EQ(resp.status, 415);
  EXPECT_THAT(resp.body, HasSubstr("application/x-protobuf or application/json"));
  EXPECT_EQ(Otlp(Post("/v1/traces", "", "x")).status, 415);
}

TEST_F(TraceReceiversTest, OtlpSinkErrorsMapToRetryableOrNot) {
  struct Case {
    absl::Status status;
    int http;
    int rpc;
    bool retry_after;
  };
  const Case cases[] = {
      {absl::ResourceExhaustedError("queue full"), 429, 8, true},
      {absl::UnavailableError("shutting down"), 503, 14, true},
      {absl::InvalidArgumentError("too old"), 400, 3, false},
      {absl::InternalError("bug"), 500, 13, false},
  };
  const std::string body = wire::otlp::EncodeTracesProto(spans_);
  for (const Case& c : cases) {
    sink_.FailWith(c.status);
    http::Response resp = Otlp(Post("/v1/traces", "application/x-protobuf", body));
    EXPECT_EQ(resp.status, c.http) << c.status;
    google::rpc::Status status = ProtoStatus(resp);
    EXPECT_EQ(status.code(), c.rpc);
    EXPECT_EQ(status.message(), c.status.message());
    EXPECT_EQ(Header(resp, "Retry-After"), c.retry_after ? "5" : "") << c.status;
  }
  EXPECT_TRUE(sink_.spans().empty());
  EXPECT_THAT(registry_.RenderText(),
              HasSubstr(R"(vigil_trace_receiver_requests_total{protocol="otlp",code="429"} 1)"));
  EXPECT_THAT(registry_.RenderText(),
              HasSubstr(R"(vigil_trace_receiver_spans_total{protocol="otlp",outcome="refused"} 40)"));
}

constexpr char kZipkin[] =
    R"([{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","name":"get",)"
    R"("timestamp":1472470996199000,"duration":207000,"localEndpoint":{"serviceName":"frontend"}},)"
    R"({"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b983"}])";

TEST_F(TraceReceiversTest, ZipkinAccepts) {
  http::Response resp = Zipkin(Post("/api/v2/spans", "application/json", kZipkin));
  EXPECT_EQ(resp.status, 202);
  EXPECT_EQ(resp.body, "");
  ASSERT_EQ(sink_.spans().size(), 1u);  // the second has no timestamp
  EXPECT_EQ(ServiceName(sink_.spans()[0]), "frontend");
  EXPECT_EQ(Zipkin(Post("/api/v2/spans", "", kZipkin)).status, 202);
  EXPECT_THAT(registry_.RenderText(),
              HasSubstr(R"(vigil_trace_receiver_spans_total{protocol="zipkin",outcome="invalid"} 2)"));
}

TEST_F(TraceReceiversTest, ZipkinErrors) {
  http::Response bad = Zipkin(Post("/api/v2/spans", "application/json", R"([{"traceId":"xyz"}])"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("spans[0].traceId"));
  EXPECT_EQ(Zipkin(Post("/api/v2/spans", "application/x-protobuf", "x")).status, 415);
  EXPECT_EQ(Zipkin(Post("/api/v2/spans", "application/json", std::string((1 << 20) + 1, ' '))).status, 413);
  http::Request gz = Post("/api/v2/spans", "application/json", *http::GzipCompress(kZipkin));
  gz.headers.emplace("Content-Encoding", "gzip");
  EXPECT_EQ(Zipkin(gz).status, 202);
  sink_.FailWith(absl::UnavailableError("down"));
  http::Response unavailable = Zipkin(Post("/api/v2/spans", "application/json", kZipkin));
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(Header(unavailable, "Retry-After"), "5");
}

TEST(HttpStatusForSinkErrorTest, Maps) {
  EXPECT_EQ(HttpStatusForSinkError(absl::OkStatus()), 0);
  EXPECT_EQ(HttpStatusForSinkError(absl::ResourceExhaustedError("")), 429);
  EXPECT_EQ(HttpStatusForSinkError(absl::UnavailableError("")), 503);
  EXPECT_EQ(HttpStatusForSinkError(absl::InvalidArgumentError("")), 400);
  EXPECT_EQ(HttpStatusForSinkError(absl::DeadlineExceededError("")), 500);
}

TEST(TraceReceiversMetricsTest, WorksWithoutRegistry) {
  FakeSpanSink sink;
  TraceReceivers receivers(&sink, nullptr);
  http::Response resp;
  receivers.HandleZipkin(Post("/api/v2/spans", "application/json", "[]"), &resp);
  EXPECT_EQ(resp.status, 202);
}

}  // namespace
}  // namespace vigil::receivers
