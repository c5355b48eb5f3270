// POST /v1/logs: OTLP/HTTP log ingestion (protobuf or JSON, gzip or not) into the log store, so OpenTelemetry
// SDKs and Collectors can send logs straight to vigil-store and Grafana's Loki datasource reads them back.
// Records become Loki-style streams as Loki's own OTLP endpoint makes them (wire/otlp/decode_logs_common.h):
// service_name and the other default index labels from resource attributes, everything else as structured
// metadata, detected_level from the severity.
//
// Status codes follow OTLP/HTTP, as POST /v1/traces does (agent/receivers/trace_receivers.h), answering in the
// request's encoding:
//   200  ExportLogsServiceResponse; partial_success {rejected_log_records, error_message} when records were
//        invalid (wrong-length ids) or the store refused some (too old, out of order, line too long, a label set
//        it does not take): the client must not retry those; an empty request is a success;
//   400  google.rpc.Status INVALID_ARGUMENT: malformed body (bad protobuf, bad JSON), or corrupt gzip;
//   413  body larger than max_request_bytes after gzip decoding;
//   415  other Content-Type or Content-Encoding (plain text);
//   503  the store could not commit (disk error, shutting down), with Retry-After: retried.
#ifndef VIGIL_SERVER_INGEST_OTLP_LOGS_HANDLER_H_
#define VIGIL_SERVER_INGEST_OTLP_LOGS_HANDLER_H_

#include <cstddef>

#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "tsdb/logs/log_storage.h"
#include "wire/otlp/decode_common.h"

namespace vigil::server {

struct OtlpLogsOptions {
  // Largest body accepted, after gzip decoding (OTLP's recommended 64 MiB); larger ones get 413.
  size_t max_request_bytes = size_t{64} << 20;
  // Bounds applied while decoding (value sizes, attribute counts, nesting).
  wire::otlp::DecodeLimits limits;
  // Retry-After sent with 503.
  absl::Duration retry_after = absl::Seconds(5);
};

class OtlpLogsHandler {
 public:
  // `storage`, `registry` and `clock` must outlive the handler. `clock` stamps records that carry neither a time
  // nor an observed time. Registers vigil_otlp_logs_requests_total{code} and
  // vigil_otlp_logs_records_total{outcome="accepted|invalid|refused"} in `registry`.
  OtlpLogsHandler(tsdb::logs::LogStorage* storage, metrics::Registry* registry, Clock* clock,
                  OtlpLogsOptions options = {});

  // Thread-safe: handlers run concurrently.
  void Handle(const http::Request& req, http::Response* resp) const;

 private:
  tsdb::logs::LogStorage* storage_;
  Clock* clock_;
  OtlpLogsOptions options_;
  metrics::CounterFamily* requests_;  // by HTTP status code
  metrics::CounterFamily* records_;   // by outcome
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_OTLP_LOGS_HANDLER_H_
