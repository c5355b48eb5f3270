#include "server/ingest/remote_write_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "server/ingest/remote_write_metadata.h"
#include "wire/remote_write/decode.h"

namespace vigil::server {
namespace {

void Reply(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::move(body);
  if (!resp->body.empty() && resp->body.back() != '\n') resp->body.push_back('\n');
}

}  // namespace

RemoteWriteHandler::RemoteWriteHandler(tsdb::Appendable* storage, IngestMetrics* ingest, metrics::Registry* registry,
                                       RemoteWriteOptions options, query::MetadataStore* metadata)
    : storage_(storage), options_(options), ingest_(ingest), metadata_(metadata) {
  requests_ = *registry->NewCounter("vigil_remote_write_requests_total",
                                    "remote_write requests received, by HTTP status code answered.", {"code"});
}

void RemoteWriteHandler::Handle(const http::Request& req, http::Response* resp) {
  auto finish = [&](int status, std::string body) {
    Reply(resp, status, std::move(body));
    requests_->WithLabels({absl::StrCat(status)})->Inc();
  };

  const std::string encoding = req.Header("Content-Encoding");
  if (!encoding.empty() && encoding != "snappy") {
    return finish(415,
                  absl::StrCat("unsupported Content-Encoding \"", AV(encoding), "\": remote_write bodies are snappy"));
  }
  absl::StatusOr<std::string> raw = wire::UncompressSnappy(req.body, options_.max_decoded_bytes);
  if (!raw.ok()) {
    int status = raw.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 400;
    return finish(status, std::string(raw.status().message()));
  }

  // Pass 1: the request's shape. Anything wrong here refuses the request whole, so nothing of a malformed
  // request is stored. Label sets are built once here; samples are copied out of the request bytes.
  struct PendingSeries {
    Labels labels;
    size_t first_sample;
    size_t num_samples;
  };
  thread_local std::vector<PendingSeries> series;
  thread_local std::vector<Sample> samples;
  series.clear();
  samples.clear();
  int64_t total_samples = 0;
  absl::Status shape = wire::ForEachTimeSeries(*raw, [&](const wire::TimeSeriesView& ts) -> absl::Status {
    if (absl::Status s = wire::ValidateLabels(ts.labels); !s.ok()) {
      ingest_->samples_rejected->WithLabels({tsdb::RejectReasonName(tsdb::RejectReason::kInvalidLabels)})
          ->Add(static_cast<double>(ts.samples.size()));
      return absl::InvalidArgumentError(absl::StrCat("invalid series ", ts.index, ": ", AV(SV(s.message()))));
    }
    Labels labels = Labels::FromPairs(ts.labels);
    if (labels.MetricName().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid series ", ts.index, " ", labels.ToString(), ": no metric name (__name__)"));
    }
    total_samples += static_cast<int64_t>(ts.samples.size());
    series.push_back(PendingSeries{std::move(labels), samples.size(), ts.samples.size()});
    samples.insert(samples.end(), ts.samples.begin(), ts.samples.end());
    return absl::OkStatus();
  });
  if (!shape.ok()) return finish(400, std::string(shape.message()));
  if (total_samples > options_.max_samples_per_request) {
    ingest_->samples_rejected->WithLabels({tsdb::RejectReasonName(tsdb::RejectReason::kSampleLimit)})
        ->Add(static_cast<double>(total_samples));
    return finish(400, absl::StrCat("request has ", total_samples, " samples, more than the limit of ",
                                    options_.max_samples_per_request));
  }

  // Metadata (type, help, unit per family) is kept for /api/v1/metadata. Checked before anything is stored, so a
  // malformed metadata entry refuses the request whole like any other malformed part.
  if (metadata_ != nullptr) {
    struct PendingMetadata {
      std::string family, help, unit;
      exposition::MetricType type;
    };
    std::vector<PendingMetadata> pending;
    absl::Status md = ForEachMetadata(*raw, [&](const MetadataView& m) {
      pending.push_back({std::string(m.family), std::string(m.help), std::string(m.unit), m.type});
    });
    if (!md.ok()) return finish(400, std::string(md.message()));
    for (const PendingMetadata& m : pending) metadata_->Put(m.family, m.type, m.help, m.unit);
  }

  // Pass 2: append. Samples the storage refuses are counted by reason and reported; the rest are stored.
  std::unique_ptr<tsdb::Appender> app = storage_->NewAppender();
  RejectTally rejected;
  int64_t accepted = 0;
  for (const PendingSeries& ps : series) {
    tsdb::SeriesRef ref = 0;
    for (size_t i = ps.first_sample; i < ps.first_sample + ps.num_samples; ++i) {
      absl::StatusOr<tsdb::SeriesRef> r = app->Append(ref, ps.labels, samples[i].t, samples[i].v);
      if (r.ok()) {
        ref = *r;
        ++accepted;
      } else {
        rejected.Add(r.status());
      }
    }
  }
  if (absl::Status s = app->Commit(); !s.ok()) {
    log::Warn("remote_write commit failed", {{"err", s}});
    return finish(503, absl::StrCat("storage could not commit the samples, retry: ", AV(SV(s.message()))));
  }
  ingest_->samples_ingested->Add(static_cast<double>(accepted));
  rejected.Publish(ingest_);
  if (rejected.total() > 0) {
    return finish(400, absl::StrCat(accepted, " samples stored, refused: ", rejected.Summary()));
  }
  finish(204, "");
}

}  // namespace vigil::server
