// POST /api/v1/import: backfill from Prometheus text 0.0.4 or OpenMetrics 1.0 with timestamps, streamed, so a
// file of any size imports in bounded memory:
//
//   curl --data-binary @fleet.om -H 'Content-Type: application/openmetrics-text' http://store:9201/api/v1/import
//
// The Content-Type selects the format (`application/openmetrics-text` or `text/plain`); anything else is 415,
// since guessing wrong would scale every timestamp by 1000. Samples without a timestamp get the time of the
// request. Samples are committed in batches as the body arrives (each batch is in the WAL before the next is
// read), so an import cut short keeps what was committed; the response says how far it got.
//
//   200  every line parsed: "imported N samples" plus refused samples counted by reason
//   400  a malformed line: "line L, column C: …" plus how many samples were imported before it
//   503  the storage could not commit: retry the import (samples already stored are accepted again silently)
#ifndef VIGIL_SERVER_INGEST_IMPORT_HANDLER_H_
#define VIGIL_SERVER_INGEST_IMPORT_HANDLER_H_

#include <cstdint>

#include "base/clock/clock.h"
#include "base/http/body_reader.h"
#include "base/http/server.h"
#include "query/metadata/metadata_store.h"
#include "server/ingest/ingest_metrics.h"
#include "tsdb/storage/storage.h"

namespace vigil::server {

struct ImportOptions {
  // Samples per commit: bigger batches mean fewer WAL writes, smaller ones less memory per import.
  int64_t commit_every_samples = 50'000;
};

class ImportHandler {
 public:
  // `storage`, `registry`, `clock` and `metadata` must outlive the handler. The files' TYPE/HELP/UNIT lines go to
  // `metadata` (null: ignored).
  ImportHandler(tsdb::Appendable* storage, IngestMetrics* ingest, Clock* clock, ImportOptions options = {},
                query::MetadataStore* metadata = nullptr);

  void Handle(const http::Request& req, http::BodyReader* body, http::Response* resp);

 private:
  tsdb::Appendable* storage_;
  Clock* clock_;
  ImportOptions options_;
  IngestMetrics* ingest_;
  query::MetadataStore* metadata_;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_IMPORT_HANDLER_H_
