// POST /loki/api/v1/push: Loki push ingestion (shared docs contract.md section 2.6, section 7 item 7) into the
// log store.
//
// Status codes, as Promtail, Alloy and Fluent Bit interpret them:
//   204  every entry stored (and durable: the store's Commit returned OK);
//   400  bad data: undecodable body, invalid labels, a numeric JSON timestamp (nothing of the request is
//        stored); or entries the store refused one by one (too old, out of order, too new, line too long): the
//        other entries ARE stored, and the body says what was refused and why — senders drop 4xx batches;
//   413  body larger than the limit after decompression;
//   415  unsupported Content-Encoding;
//   503  the store could not commit (disk error, shutting down): senders retry.
#ifndef VIGIL_SERVER_INGEST_LOKI_PUSH_HANDLER_H_
#define VIGIL_SERVER_INGEST_LOKI_PUSH_HANDLER_H_

#include <cstddef>

#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "tsdb/logs/log_storage.h"

namespace vigil::server {

struct LokiPushOptions {
  // Bound on the body after decompression (snappy or gzip); more is 413.
  size_t max_decoded_bytes = size_t{64} << 20;
};

class LokiPushHandler {
 public:
  // `storage` and `registry` must outlive the handler. Registers vigil_loki_push_requests_total{code},
  // vigil_loki_push_entries_total and vigil_loki_push_entries_rejected_total{reason} in `registry`.
  LokiPushHandler(tsdb::logs::LogStorage* storage, metrics::Registry* registry, LokiPushOptions options = {});

  void Handle(const http::Request& req, http::Response* resp);

 private:
  tsdb::logs::LogStorage* storage_;
  LokiPushOptions options_;
  metrics::CounterFamily* requests_;  // by HTTP status code
  metrics::Counter* entries_;
  metrics::CounterFamily* rejected_;  // by reason
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_LOKI_PUSH_HANDLER_H_
