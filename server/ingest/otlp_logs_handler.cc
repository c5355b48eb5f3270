#include "server/ingest/otlp_logs_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/http/body_reader.h"
#include "base/http/gzip.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "wire/otlp/decode_logs_json.h"
#include "wire/otlp/decode_logs_proto.h"
#include "wire/otlp/export_response.h"
#include "wire/otlp/logs_response.h"

namespace vigil::server {
namespace {

using wire::otlp::Encoding;

// The media type of a header value, lowercased, without parameters.
std::string MediaType(std::string_view value) {
  std::string_view media = value.substr(0, value.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(AV(media)));
}

}  // namespace

OtlpLogsHandler::OtlpLogsHandler(tsdb::logs::LogStorage* storage, metrics::Registry* registry, Clock* clock,
                                 OtlpLogsOptions options)
    : storage_(storage), clock_(clock), options_(std::move(options)) {
  requests_ = *registry->NewCounter("vigil_otlp_logs_requests_total",
                                    "OTLP/HTTP log export requests received, by HTTP status code answered.", {"code"});
  records_ = *registry->NewCounter("vigil_otlp_logs_records_total",
                                   "OTLP log records received, by outcome (accepted, invalid, refused by the store).",
                                   {"outcome"});
}

void OtlpLogsHandler::Handle(const http::Request& req, http::Response* resp) const {
  const std::string media = MediaType(req.Header("Content-Type"));
  Encoding enc = Encoding::kProtobuf;
  if (media == "application/json") {
    enc = Encoding::kJson;
  } else if (media != "application/x-protobuf" && media != "application/protobuf") {
    requests_->WithLabels({"415"})->Inc();
    resp->status = 415;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = absl::StrCat("unsupported Content-Type \"", req.Header("Content-Type"),
                              "\": OTLP/HTTP takes application/x-protobuf or application/json\n");
    return;
  }
  auto fail = [&](int status, std::string_view message) {
    requests_->WithLabels({absl::StrCat(status)})->Inc();
    resp->status = status;
    resp->content_type = std::string(wire::otlp::ContentType(enc));
    const int code = status == 503 ? wire::otlp::kRpcUnavailable : wire::otlp::kRpcInvalidArgument;
    resp->body = wire::otlp::RpcStatusBody(enc, code, message);
  };

  // The server has usually decoded gzip already; a handler called directly (tests) decodes it here.
  std::string decoded;
  std::string_view body = req.body;
  const std::string encoding = MediaType(req.Header("Content-Encoding"));
  if (encoding == "gzip" || encoding == "x-gzip") {
    absl::StatusOr<std::string> d = http::GzipDecompress(req.body, options_.max_request_bytes);
    if (!d.ok()) {
      if (d.status().code() == absl::StatusCode::kResourceExhausted) {
        return fail(413, http::BodyTooLargeMessage(options_.max_request_bytes));
      }
      return fail(400, absl::StrCat("could not decode the gzip body: ", AV(SV(d.status().message()))));
    }
    decoded = *std::move(d);
    body = decoded;
  } else if (!encoding.empty() && encoding != "identity") {
    return fail(415, absl::StrCat("unsupported Content-Encoding \"", encoding, "\": send gzip or no encoding"));
  }
  if (body.size() > options_.max_request_bytes) return fail(413, http::BodyTooLargeMessage(options_.max_request_bytes));

  absl::StatusOr<wire::otlp::DecodedLogs> logs = enc == Encoding::kJson
                                                     ? wire::otlp::DecodeLogsJson(body, options_.limits)
                                                     : wire::otlp::DecodeLogsProto(body, options_.limits);
  if (!logs.ok()) return fail(400, SV(logs.status().message()));

  const int64_t now_ns = absl::ToUnixNanos(clock_->Now());
  int64_t refused = 0;
  std::string refusal;
  std::unique_ptr<tsdb::logs::LogAppender> app = storage_->NewAppender();
  for (wire::otlp::DecodedLogStream& stream : logs->streams) {
    if (stream.entries.empty()) continue;
    const auto n = static_cast<int64_t>(stream.entries.size());
    std::vector<tsdb::logs::LogEntry> entries;
    entries.reserve(stream.entries.size());
    for (wire::otlp::DecodedLogEntry& e : stream.entries) {
      entries.push_back(
          {e.timestamp_ns != 0 ? e.timestamp_ns : now_ns, std::move(e.line), std::move(e.structured_metadata)});
    }
    // A label set the store does not take refuses that stream's records, not the whole request.
    if (absl::Status s = app->Append(stream.labels, std::move(entries)); !s.ok()) {
      refused += n;
      if (refusal.empty()) refusal = absl::StrCat("stream ", stream.labels.ToString(), ": ", AV(SV(s.message())));
    }
  }
  const tsdb::logs::EntryRejections& rejections = app->rejections();
  const auto store_refused = static_cast<int64_t>(rejections.total());
  std::string store_summary = store_refused > 0 ? rejections.Summary() : "";
  if (absl::Status s = app->Commit(); !s.ok()) {
    log::Warn("otlp logs commit failed", {{"err", s}});
    resp->headers.emplace_back("Retry-After", absl::StrCat(absl::ToInt64Seconds(options_.retry_after)));
    return fail(503, absl::StrCat("log store could not commit the records, retry: ", AV(SV(s.message()))));
  }
  refused += store_refused;
  const int64_t accepted = logs->entries - refused;
  records_->WithLabels({"accepted"})->Add(static_cast<double>(accepted));
  if (logs->rejected_log_records > 0) {
    records_->WithLabels({"invalid"})->Add(static_cast<double>(logs->rejected_log_records));
  }
  if (refused > 0) records_->WithLabels({"refused"})->Add(static_cast<double>(refused));

  std::vector<std::string> why;
  if (logs->rejected_log_records > 0) {
    why.push_back(absl::StrCat(logs->rejected_log_records, " invalid; first: ", logs->rejection_message));
  }
  if (!refusal.empty()) why.push_back(refusal);
  if (!store_summary.empty()) why.push_back(store_summary);
  requests_->WithLabels({"200"})->Inc();
  resp->status = 200;
  resp->content_type = std::string(wire::otlp::ContentType(enc));
  resp->body = wire::otlp::ExportLogsResponseBody(enc, logs->rejected_log_records + refused, absl::StrJoin(why, "; "));
}

}  // namespace vigil::server
