#include "server/ingest/import_handler.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "wire/exposition/format.h"
#include "wire/exposition/parser.h"

namespace vigil::server {
namespace {

void Reply(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::move(body);
  resp->body.push_back('\n');
}

// Receives parsed samples and appends them, committing every `commit_every` samples. Consecutive samples of
// the same series (the usual layout of an export) reuse the series ref instead of building Labels again.
class ImportSink {
 public:
  ImportSink(tsdb::Appendable* storage, int64_t commit_every, TimestampMs now, query::MetadataStore* metadata)
      : storage_(storage), app_(storage->NewAppender()), commit_every_(commit_every), now_(now), metadata_(metadata) {}

  absl::Status OnSample(const exposition::ParsedSample& s) {
    s.SortedLabels(&labels_);
    if (!SameSeriesAsLast()) {
      last_key_.clear();
      for (const Label& l : labels_) absl::StrAppend(&last_key_, AV(l.name), "\xff", AV(l.value), "\xff");
      ref_ = 0;
      current_ = s.ToLabels();
    }
    TimestampMs t = s.has_timestamp ? s.timestamp_ms : now_;
    absl::StatusOr<tsdb::SeriesRef> r = app_->Append(ref_, current_, t, s.value);
    if (r.ok()) {
      ref_ = *r;
      ++pending_;
    } else {
      rejected_.Add(r.status());
    }
    if (pending_ >= commit_every_) return Commit();
    return absl::OkStatus();
  }

  absl::Status OnMetadata(const exposition::FamilyMetadata& m) {
    if (metadata_ != nullptr) metadata_->Put(m.name, m.type, m.help, m.unit);
    return absl::OkStatus();
  }

  absl::Status Commit() {
    absl::Status s = app_->Commit();
    if (!s.ok()) return absl::UnavailableError(absl::StrCat("storage commit failed: ", AV(SV(s.message()))));
    committed_ += pending_;
    pending_ = 0;
    // Refs stay valid across commits of the same storage.
    return absl::OkStatus();
  }

  int64_t committed() const { return committed_; }
  const RejectTally& rejected() const { return rejected_; }

 private:
  bool SameSeriesAsLast() const {
    if (last_key_.empty()) return false;
    std::string_view key = last_key_;
    for (const Label& l : labels_) {
      if (key.size() < l.name.size() + l.value.size() + 2) return false;
      if (key.substr(0, l.name.size()) != l.name) return false;
      key.remove_prefix(l.name.size());
      if (key[0] != '\xff') return false;
      key.remove_prefix(1);
      if (key.substr(0, l.value.size()) != l.value) return false;
      key.remove_prefix(l.value.size());
      if (key[0] != '\xff') return false;
      key.remove_prefix(1);
    }
    return key.empty();
  }

  tsdb::Appendable* storage_;
  std::unique_ptr<tsdb::Appender> app_;
  int64_t commit_every_;
  TimestampMs now_;
  query::MetadataStore* metadata_;
  std::vector<Label> labels_;
  std::string last_key_;
  Labels current_;
  tsdb::SeriesRef ref_ = 0;
  int64_t pending_ = 0;
  int64_t committed_ = 0;
  RejectTally rejected_;
};

}  // namespace

ImportHandler::ImportHandler(tsdb::Appendable* storage, IngestMetrics* ingest, Clock* clock, ImportOptions options,
                             query::MetadataStore* metadata)
    : storage_(storage), clock_(clock), options_(options), ingest_(ingest), metadata_(metadata) {}

void ImportHandler::Handle(const http::Request& req, http::BodyReader* body, http::Response* resp) {
  std::string content_type = req.Header("Content-Type");
  std::optional<exposition::Format> format = exposition::FormatFromContentType(content_type);
  if (!format.has_value()) {
    return Reply(resp, 415,
                 absl::StrCat("unsupported Content-Type \"", content_type,
                              "\": send application/openmetrics-text (timestamps in seconds) or text/plain "
                              "(Prometheus text format, timestamps in milliseconds)"));
  }
  exposition::Parser parser(*format);
  ImportSink sink(storage_, options_.commit_every_samples, FromTime(clock_->Now()), metadata_);
  std::string piece;
  absl::Status status;
  while (status.ok() && body->Read(&piece)) status = parser.Feed(piece, sink);
  if (status.ok() && !body->status().ok()) status = body->status();
  if (status.ok()) status = parser.Finish(sink);
  // Whatever parsed before an error is kept: commit it so the response's count is what is stored.
  absl::Status commit = sink.Commit();

  ingest_->samples_ingested->Add(static_cast<double>(sink.committed()));
  sink.rejected().Publish(ingest_);
  std::string summary = absl::StrCat("imported ", sink.committed(), " samples");
  if (sink.rejected().total() > 0) absl::StrAppend(&summary, "; refused: ", sink.rejected().Summary());

  if (!body->status().ok()) {
    // The server answers 413 or 400 for a body that could not be read (BodyReader contract); say what was kept.
    return Reply(resp, 400,
                 absl::StrCat("could not read the request body: ", AV(SV(body->status().message())), " (", summary,
                              " before that)"));
  }
  if (!status.ok()) {
    int code = status.code() == absl::StatusCode::kUnavailable ? 503 : 400;
    return Reply(resp, code, absl::StrCat(AV(SV(status.message())), " (", summary, " before that)"));
  }
  if (!commit.ok()) return Reply(resp, 503, absl::StrCat(AV(SV(commit.message())), " (", summary, ")"));
  log::Info("import done", {{"samples", sink.committed()}, {"refused", sink.rejected().total()}});
  Reply(resp, 200, summary);
}

}  // namespace vigil::server
