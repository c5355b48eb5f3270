#include "server/ingest/remote_write_handler.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
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
                                       RemoteWriteOptions options)
    : storage_(storage), options_(options), ingest_(ingest) {
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
  absl::StatusOr<prompb::WriteRequest> decoded = wire::DecodeWriteRequest(req.body, options_.max_decoded_bytes);
  if (!decoded.ok()) {
    int status = decoded.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 400;
    return finish(status, std::string(decoded.status().message()));
  }
  const prompb::WriteRequest& wr = *decoded;

  // Pass 1: the request's shape. Anything wrong here refuses the request whole, so nothing of a malformed
  // request is stored.
  std::vector<Labels> labels;
  labels.reserve(static_cast<size_t>(wr.timeseries_size()));
  int64_t total_samples = 0;
  for (int i = 0; i < wr.timeseries_size(); ++i) {
    const prompb::TimeSeries& ts = wr.timeseries(i);
    absl::StatusOr<Labels> l = wire::ConvertLabels(ts);
    if (!l.ok()) {
      ingest_->samples_rejected->WithLabels({tsdb::RejectReasonName(tsdb::RejectReason::kInvalidLabels)})
          ->Add(static_cast<double>(ts.samples_size()));
      return finish(400, absl::StrCat("invalid series ", i, ": ", AV(SV(l.status().message()))));
    }
    if (l->MetricName().empty()) {
      return finish(400, absl::StrCat("invalid series ", i, " ", l->ToString(), ": no metric name (__name__)"));
    }
    total_samples += ts.samples_size();
    labels.push_back(*std::move(l));
  }
  if (total_samples > options_.max_samples_per_request) {
    ingest_->samples_rejected->WithLabels({tsdb::RejectReasonName(tsdb::RejectReason::kSampleLimit)})
        ->Add(static_cast<double>(total_samples));
    return finish(400, absl::StrCat("request has ", total_samples, " samples, more than the limit of ",
                                    options_.max_samples_per_request));
  }

  // Pass 2: append. Samples the storage refuses are counted by reason; the first message of each reason is
  // reported so the sender's log shows a concrete example.
  std::unique_ptr<tsdb::Appender> app = storage_->NewAppender();
  RejectTally rejected;
  int64_t accepted = 0;
  for (int i = 0; i < wr.timeseries_size(); ++i) {
    const prompb::TimeSeries& ts = wr.timeseries(i);
    tsdb::SeriesRef ref = 0;
    for (const prompb::Sample& s : ts.samples()) {
      absl::StatusOr<tsdb::SeriesRef> r = app->Append(ref, labels[static_cast<size_t>(i)], s.timestamp(), s.value());
      if (r.ok()) {
        ref = *r;
        ++accepted;
        continue;
      }
      rejected.Add(r.status());
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
