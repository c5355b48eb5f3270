#include "server/ingest/loki_push_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "wire/loki/push_decode.h"

namespace vigil::server {

LokiPushHandler::LokiPushHandler(tsdb::logs::LogStorage* storage, metrics::Registry* registry, LokiPushOptions options)
    : storage_(storage), options_(options) {
  requests_ = *registry->NewCounter("vigil_loki_push_requests_total",
                                    "Loki push requests received, by HTTP status code answered.", {"code"});
  entries_ = (*registry->NewCounter("vigil_loki_push_entries_total", "Log entries stored from Loki pushes.", {}))
                 ->WithLabels({});
  rejected_ = *registry->NewCounter("vigil_loki_push_entries_rejected_total",
                                    "Log entries of Loki pushes the store refused, by reason.", {"reason"});
}

void LokiPushHandler::Handle(const http::Request& req, http::Response* resp) {
  auto finish = [&](int status, std::string body) {
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = std::move(body);
    if (!resp->body.empty() && resp->body.back() != '\n') resp->body.push_back('\n');
    requests_->WithLabels({absl::StrCat(status)})->Inc();
  };

  absl::StatusOr<wire::loki::DecodedPush> push = wire::loki::DecodePushBody(
      req.Header("Content-Type"), req.Header("Content-Encoding"), req.body, options_.max_decoded_bytes);
  if (!push.ok()) {
    const absl::StatusCode code = push.status().code();
    const int status = code == absl::StatusCode::kResourceExhausted ? 413
                       : code == absl::StatusCode::kUnimplemented   ? 415
                                                                    : 400;
    return finish(status, std::string(push.status().message()));
  }

  std::unique_ptr<tsdb::logs::LogAppender> app = storage_->NewAppender();
  size_t index = 0;
  for (wire::loki::PushStream& stream : push->streams) {
    std::vector<tsdb::logs::LogEntry> entries;
    entries.reserve(stream.entries.size());
    for (wire::loki::PushEntry& e : stream.entries) {
      entries.push_back({e.timestamp_ns, std::move(e.line), std::move(e.structured_metadata)});
    }
    // A stream the store refuses refuses the request whole, as a malformed body does.
    if (absl::Status s = app->Append(stream.labels, std::move(entries)); !s.ok()) {
      app->Rollback();
      return finish(400, absl::StrCat("stream ", index, ": ", AV(SV(s.message()))));
    }
    ++index;
  }
  const tsdb::logs::EntryRejections& rejections = app->rejections();
  if (absl::Status s = app->Commit(); !s.ok()) {
    log::Warn("loki push commit failed", {{"err", s}});
    return finish(503, absl::StrCat("log store could not commit the entries, retry: ", AV(SV(s.message()))));
  }
  const uint64_t refused = rejections.total();
  entries_->Add(static_cast<double>(push->entries - refused));
  if (refused > 0) {
    for (size_t i = 0; i < tsdb::logs::kNumEntryRejectReasons; ++i) {
      const auto reason = static_cast<tsdb::logs::EntryRejectReason>(i);
      if (rejections.count(reason) > 0) {
        rejected_->WithLabels({std::string(tsdb::logs::EntryRejectReasonName(reason))})
            ->Add(static_cast<double>(rejections.count(reason)));
      }
    }
    return finish(400, absl::StrCat(push->entries - refused, " entries stored, ", rejections.Summary()));
  }
  finish(204, "");
}

}  // namespace vigil::server
