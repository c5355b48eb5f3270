// POST /api/v1/write: Prometheus remote_write 1.0 ingestion (shared docs contract.md section 4.1).
//
// Status codes, as senders interpret them:
//   204  every sample stored (and in the WAL: the storage's Commit returned OK);
//   400  bad data: undecodable body, invalid labels (nothing of the request is stored), or samples the storage
//        refused (out of order, duplicate, too old, limits) — the other samples of the request ARE stored, so a
//        sender that drops the batch loses only the refused ones; the body says what and how many;
//   413  decoded body larger than the limit;
//   503  the storage could not commit (WAL write failed, shutting down): the sender retries.
#ifndef VIGIL_SERVER_INGEST_REMOTE_WRITE_HANDLER_H_
#define VIGIL_SERVER_INGEST_REMOTE_WRITE_HANDLER_H_

#include <cstddef>
#include <cstdint>

#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "query/metadata/metadata_store.h"
#include "server/ingest/ingest_metrics.h"
#include "tsdb/storage/storage.h"

namespace vigil::server {

struct RemoteWriteOptions {
  // Bound on the uncompressed protobuf, checked before decompression.
  size_t max_decoded_bytes = size_t{256} << 20;
  // Samples one request may carry; more is refused whole with 400 (a sender's batch is usually 2,000).
  int64_t max_samples_per_request = 1'000'000;
};

class RemoteWriteHandler {
 public:
  // `storage`, `ingest`, `registry` and `metadata` must outlive the handler. Registers the request counter in
  // `registry`. The requests' metric metadata goes to `metadata` (null: ignored).
  RemoteWriteHandler(tsdb::Appendable* storage, IngestMetrics* ingest, metrics::Registry* registry,
                     RemoteWriteOptions options = {}, query::MetadataStore* metadata = nullptr);

  void Handle(const http::Request& req, http::Response* resp);

 private:
  tsdb::Appendable* storage_;
  RemoteWriteOptions options_;
  IngestMetrics* ingest_;
  query::MetadataStore* metadata_;
  metrics::CounterFamily* requests_;  // by HTTP status code
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_REMOTE_WRITE_HANDLER_H_
