#include "agent/receivers/trace_receivers.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/http/body_reader.h"
#include "base/http/gzip.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "wire/otlp/decode_json.h"
#include "wire/otlp/decode_proto.h"
#include "wire/otlp/export_response.h"
#include "wire/zipkin/decode_json.h"

namespace vigil::receivers {
namespace {

using wire::otlp::Encoding;

// The media type of a Content-Type value, lowercased, without parameters: "application/json; charset=utf-8"
// gives "application/json".
std::string MediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(AV(media)));
}

void PlainText(http::Response* resp, int status, std::string message) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::move(message);
  if (!resp->body.empty() && resp->body.back() != '\n') resp->body.push_back('\n');
}

int RpcCodeForHttp(int status) {
  switch (status) {
    case 429:
      return wire::otlp::kRpcResourceExhausted;
    case 503:
      return wire::otlp::kRpcUnavailable;
    case 500:
      return wire::otlp::kRpcInternal;
    default:
      return wire::otlp::kRpcInvalidArgument;
  }
}

}  // namespace

struct TraceReceivers::Metrics {
  metrics::CounterFamily* requests = nullptr;
  metrics::CounterFamily* spans = nullptr;
};

int HttpStatusForSinkError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

TraceReceivers::TraceReceivers(SpanSink* sink, metrics::Registry* registry, TraceReceiverOptions options)
    : sink_(sink), options_(std::move(options)) {
  if (registry == nullptr) return;
  absl::StatusOr<metrics::CounterFamily*> requests = registry->NewCounter(
      "vigil_trace_receiver_requests_total",
      "Trace ingestion requests (OTLP/HTTP, Zipkin), by protocol and HTTP status answered.", {"protocol", "code"});
  absl::StatusOr<metrics::CounterFamily*> spans = registry->NewCounter(
      "vigil_trace_receiver_spans_total",
      "Spans received, by protocol and outcome: accepted by the sink, invalid (dropped: zero ids, no timestamp), "
      "refused (the sink refused their request).",
      {"protocol", "outcome"});
  if (!requests.ok() || !spans.ok()) {
    log::Error("trace receiver metrics not registered", {{"err", !requests.ok() ? requests.status() : spans.status()}});
    return;
  }
  auto m = std::make_shared<Metrics>();
  m->requests = *requests;
  m->spans = *spans;
  metrics_ = std::move(m);
}

void TraceReceivers::Count(std::string_view protocol, int code, int64_t accepted, int64_t invalid,
                           int64_t refused) const {
  if (metrics_ == nullptr) return;
  const std::string code_text = absl::StrCat(code);
  metrics_->requests->WithLabels({protocol, code_text})->Inc();
  if (accepted > 0) metrics_->spans->WithLabels({protocol, "accepted"})->Add(static_cast<double>(accepted));
  if (invalid > 0) metrics_->spans->WithLabels({protocol, "invalid"})->Add(static_cast<double>(invalid));
  if (refused > 0) metrics_->spans->WithLabels({protocol, "refused"})->Add(static_cast<double>(refused));
}

TraceReceivers::Body TraceReceivers::ReadBody(const http::Request& req) const {
  Body b;
  const std::string encoding = MediaType(req.Header("Content-Encoding"));
  if (encoding.empty() || encoding == "identity") {
    if (req.body.size() > options_.max_request_bytes) {
      b.status = 413;
      b.message = http::BodyTooLargeMessage(options_.max_request_bytes);
      return b;
    }
    b.view = req.body;
    return b;
  }
  if (encoding != "gzip" && encoding != "x-gzip") {
    b.status = 415;
    b.message = absl::StrCat("unsupported Content-Encoding \"", encoding, "\": send gzip or no encoding");
    return b;
  }
  absl::StatusOr<std::string> decoded = http::GzipDecompress(req.body, options_.max_request_bytes);
  if (!decoded.ok()) {
    if (decoded.status().code() == absl::StatusCode::kResourceExhausted) {
      b.status = 413;
      b.message = http::BodyTooLargeMessage(options_.max_request_bytes);
    } else {
      b.status = 400;
      b.message = absl::StrCat("could not decode the gzip body: ", AV(SV(decoded.status().message())));
    }
    return b;
  }
  b.decoded = *std::move(decoded);
  b.view = b.decoded;
  return b;
}

void TraceReceivers::HandleOtlp(const http::Request& req, http::Response* resp) const {
  const std::string media = MediaType(req.Header("Content-Type"));
  Encoding enc = Encoding::kProtobuf;
  if (media == "application/x-protobuf" || media == "application/protobuf") {
    enc = Encoding::kProtobuf;
  } else if (media == "application/json") {
    enc = Encoding::kJson;
  } else {
    Count("otlp", 415, 0, 0, 0);
    return PlainText(resp, 415,
                     absl::StrCat("unsupported Content-Type \"", req.Header("Content-Type"),
                                  "\": OTLP/HTTP takes application/x-protobuf or application/json"));
  }
  auto fail = [&](int status, std::string_view message) {
    resp->status = status;
    resp->content_type = std::string(wire::otlp::ContentType(enc));
    resp->body = wire::otlp::RpcStatusBody(enc, RpcCodeForHttp(status), message);
  };

  Body body = ReadBody(req);
  if (body.status != 0) {
    Count("otlp", body.status, 0, 0, 0);
    return fail(body.status, body.message);
  }
  absl::StatusOr<wire::otlp::DecodedSpans> decoded = enc == Encoding::kJson
                                                         ? wire::otlp::DecodeTracesJson(body.view, options_.limits)
                                                         : wire::otlp::DecodeTracesProto(body.view, options_.limits);
  if (!decoded.ok()) {
    Count("otlp", 400, 0, 0, 0);
    return fail(400, SV(decoded.status().message()));
  }
  const auto accepted = static_cast<int64_t>(decoded->spans.size());
  if (!decoded->spans.empty()) {
    absl::Status s = sink_->ConsumeFrom(req.remote_addr, std::move(decoded->spans));
    if (const int status = HttpStatusForSinkError(s); status != 0) {
      if (status == 429 || status == 503) {
        resp->headers.emplace_back("Retry-After", absl::StrCat(absl::ToInt64Seconds(options_.retry_after)));
      }
      Count("otlp", status, 0, decoded->rejected_spans, accepted);
      return fail(status, SV(s.message()));
    }
  }
  Count("otlp", 200, accepted, decoded->rejected_spans, 0);
  resp->status = 200;
  resp->content_type = std::string(wire::otlp::ContentType(enc));
  std::string message;
  if (decoded->rejected_spans > 0) {
    message = absl::StrCat(decoded->rejected_spans, " spans rejected; first: ", decoded->rejection_message);
  }
  resp->body = wire::otlp::ExportTraceResponseBody(enc, decoded->rejected_spans, message);
}

void TraceReceivers::HandleZipkin(const http::Request& req, http::Response* resp) const {
  const std::string media = MediaType(req.Header("Content-Type"));
  if (!media.empty() && media != "application/json") {
    Count("zipkin", 415, 0, 0, 0);
    if (media == "application/x-protobuf" || media == "application/protobuf") {
      return PlainText(resp, 415, "Zipkin protobuf bodies are not supported: send Zipkin v2 JSON (application/json)");
    }
    return PlainText(resp, 415,
                     absl::StrCat("unsupported Content-Type \"", req.Header("Content-Type"),
                                  "\": send Zipkin v2 JSON (application/json)"));
  }
  Body body = ReadBody(req);
  if (body.status != 0) {
    Count("zipkin", body.status, 0, 0, 0);
    return PlainText(resp, body.status, body.message);
  }
  absl::StatusOr<wire::otlp::DecodedSpans> decoded = wire::zipkin::DecodeSpansJson(body.view, options_.limits);
  if (!decoded.ok()) {
    Count("zipkin", 400, 0, 0, 0);
    return PlainText(resp, 400, std::string(decoded.status().message()));
  }
  const auto accepted = static_cast<int64_t>(decoded->spans.size());
  if (!decoded->spans.empty()) {
    absl::Status s = sink_->ConsumeFrom(req.remote_addr, std::move(decoded->spans));
    if (const int status = HttpStatusForSinkError(s); status != 0) {
      if (status == 429 || status == 503) {
        resp->headers.emplace_back("Retry-After", absl::StrCat(absl::ToInt64Seconds(options_.retry_after)));
      }
      Count("zipkin", status, 0, decoded->rejected_spans, accepted);
      return PlainText(resp, status, std::string(s.message()));
    }
  }
  Count("zipkin", 202, accepted, decoded->rejected_spans, 0);
  resp->status = 202;
  resp->body.clear();
}

void TraceReceivers::RegisterOtlp(http::Server* server) const {
  server->Post("/v1/traces", [this](const http::Request& req, http::Response* resp) { HandleOtlp(req, resp); });
}

void TraceReceivers::RegisterZipkin(http::Server* server) const {
  server->Post("/api/v2/spans", [this](const http::Request& req, http::Response* resp) { HandleZipkin(req, resp); });
}

}  // namespace vigil::receivers
