// HTTP receivers for traces (contract.md sections 3.5 and 3.6), mounted by vigil-agent (apps send to the agent)
// and by vigil-store (agents and apps send to the store):
//
//   POST /v1/traces      OTLP/HTTP: Content-Type application/x-protobuf (or application/protobuf) or
//                        application/json; Content-Encoding gzip. Answers in the request's encoding:
//     200  ExportTraceServiceResponse; partial_success {rejected_spans, error_message} when some spans were
//          invalid (zero ids) — the client must not retry those; an empty request is a success;
//     400  google.rpc.Status INVALID_ARGUMENT: malformed body (bad protobuf, bad JSON, base64 or wrong-length ids),
//          or the sink refused the data for good; not retried;
//     413  body larger than max_request_bytes (after gzip decoding); not retried;
//     415  other Content-Type or Content-Encoding (plain text: the encoding to answer in is unknown);
//     429  the sink is full (ResourceExhausted), with Retry-After: retried;
//     503  the sink is unavailable (Unavailable), with Retry-After: retried;
//     500  any other sink error; not retried.
//   POST /api/v2/spans   Zipkin v2 JSON (Content-Type application/json or none; gzip): 202 Accepted with an empty
//                        body (spans without a timestamp are dropped and counted), 400/413/415/429/503/500 with a
//                        plain-text reason as above. Zipkin's protobuf encoding is answered 415.
//
// The http::Server in front must allow bodies of max_request_bytes (ServerOptions::max_request_bytes defaults to
// 32 MiB; OTLP recommends accepting 64 MiB). The server decodes gzip before the handler runs; a handler called
// without it (Server::Handle in tests) decodes gzip itself, with the same bound.
//
//   receivers::TraceReceivers receivers(&sink, &metrics::Registry::Default());
//   receivers.RegisterOtlp(&server);     // agent: on :4318; store: on its one port
//   receivers.RegisterZipkin(&server);   // agent: on :9411; store: on its one port
#ifndef VIGIL_AGENT_RECEIVERS_TRACE_RECEIVERS_H_
#define VIGIL_AGENT_RECEIVERS_TRACE_RECEIVERS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/receivers/span_sink.h"
#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "wire/otlp/decode_common.h"

namespace vigil::receivers {

struct TraceReceiverOptions {
  // Largest body accepted, after gzip decoding (OTLP's recommended 64 MiB); larger ones get 413.
  size_t max_request_bytes = size_t{64} << 20;
  // Per-span bounds applied while decoding (value sizes, attribute/event/link counts, nesting).
  wire::otlp::DecodeLimits limits;
  // Retry-After sent with 429 and 503.
  absl::Duration retry_after = absl::Seconds(5);
};

// The OTLP/HTTP and Zipkin trace endpoints over one sink. Thread-safe: handlers run concurrently.
class TraceReceivers {
 public:
  // `sink` must outlive this object (and the servers it is registered with). With a non-null `registry`,
  // registers vigil_trace_receiver_requests_total{protocol,code} and
  // vigil_trace_receiver_spans_total{protocol,outcome="accepted|invalid|refused"}; one TraceReceivers per
  // registry (a second gets AlreadyExists, logged, and counts nothing).
  TraceReceivers(SpanSink* sink, metrics::Registry* registry, TraceReceiverOptions options = {});

  // POST /v1/traces.
  void HandleOtlp(const http::Request& req, http::Response* resp) const;
  // POST /api/v2/spans.
  void HandleZipkin(const http::Request& req, http::Response* resp) const;

  // Registers the route on `server`. This object must outlive the server.
  void RegisterOtlp(http::Server* server) const;
  void RegisterZipkin(http::Server* server) const;

 private:
  struct Metrics;
  // A request body after Content-Encoding decoding, or the HTTP status and message to refuse it with (413 too
  // large, 415 unknown encoding, 400 corrupt gzip).
  struct Body {
    int status = 0;
    std::string message;
    std::string decoded;    // holds the bytes when they had to be decoded
    std::string_view view;  // the bytes to parse: into `decoded` or into the request
  };
  Body ReadBody(const http::Request& req) const;
  // Counts one request of `protocol` ("otlp" or "zipkin") answered `code`, and its spans by outcome.
  void Count(std::string_view protocol, int code, int64_t accepted, int64_t invalid, int64_t refused) const;

  SpanSink* sink_;
  TraceReceiverOptions options_;
  std::shared_ptr<const Metrics> metrics_;  // null without a registry
};

// Maps a sink's status to the HTTP status of a refusal (429, 503, 400 or 500); OK maps to 0.
int HttpStatusForSinkError(const absl::Status& status);

}  // namespace vigil::receivers

#endif  // VIGIL_AGENT_RECEIVERS_TRACE_RECEIVERS_H_
