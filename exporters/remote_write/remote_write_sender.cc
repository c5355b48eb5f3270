#include "exporters/remote_write/remote_write_sender.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "base/version/version.h"
#include "model/hash.h"

namespace vigil::remote_write {
namespace {

// How much of a refusal's body goes into the log (Prometheus truncates error bodies too).
constexpr size_t kMaxLoggedBody = 512;

std::string_view Truncated(std::string_view body) { return body.substr(0, std::min(body.size(), kMaxLoggedBody)); }

}  // namespace

std::string DefaultUserAgent() { return absl::StrCat("vigil-agent/", AV(kVersion)); }

SendVerdict Classify(const absl::StatusOr<http::ClientResponse>& response) {
  if (!response.ok()) return SendVerdict::kRetry;  // No answer: the request may never have arrived.
  if (response->status / 100 == 2) return SendVerdict::kAccepted;
  if (http::IsRetryableStatus(response->status)) return SendVerdict::kRetry;
  return SendVerdict::kRefused;
}

absl::Duration ParseRetryAfter(std::string_view value, absl::Time now) {
  const absl::string_view v = absl::StripAsciiWhitespace(AV(value));
  if (v.empty()) return absl::ZeroDuration();
  int64_t seconds = 0;
  if (absl::ascii_isdigit(static_cast<unsigned char>(v[0])) && absl::SimpleAtoi(v, &seconds)) {
    return absl::Seconds(seconds);
  }
  absl::Time at;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", v, absl::UTCTimeZone(), &at, &err)) {
    return absl::ZeroDuration();
  }
  return std::max(at - now, absl::ZeroDuration());
}

absl::StatusOr<std::unique_ptr<RemoteWriteSender>> RemoteWriteSender::Open(RemoteWriteSenderOptions options,
                                                                           http::Client* client, FileSystem* fs,
                                                                           Clock* clock, RemoteWriteMetrics* metrics) {
  VIGIL_RETURN_IF_ERROR(Annotate(http::ParseUrl(options.url).status(), "remote_write"));
  if (options.min_backoff <= absl::ZeroDuration() || options.max_backoff < options.min_backoff) {
    return absl::InvalidArgumentError(
        absl::StrCat("remote_write ", options.url, ": need 0 < min_backoff <= max_backoff, got ",
                     absl::FormatDuration(options.min_backoff), " and ", absl::FormatDuration(options.max_backoff)));
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("remote_write ", options.url, ": timeout must be positive"));
  }
  if (options.queue_dir.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("remote_write ", options.url, ": no queue directory"));
  }
  if (options.remote_name.empty()) {
    options.remote_name = absl::StrFormat("%06x", Hash64(options.url) & 0xffffff);
  }
  std::unique_ptr<RemoteWriteSender> s(new RemoteWriteSender(std::move(options), client, clock));
  if (metrics == nullptr) {
    s->own_registry_ = std::make_unique<metrics::Registry>();
    VIGIL_ASSIGN_OR_RETURN(s->own_metrics_, RemoteWriteMetrics::Register(s->own_registry_.get()));
    metrics = s->own_metrics_.get();
  }
  s->metrics_ = metrics->ForDestination(s->options_.remote_name, s->options_.url);
  queue::DiskQueueOptions q = s->options_.queue;
  q.clock = clock;
  q.metrics = s->metrics_.queue;
  VIGIL_ASSIGN_OR_RETURN(s->queue_, queue::DiskQueue::Open(fs, s->options_.queue_dir, std::move(q)));
  return s;
}

RemoteWriteSender::RemoteWriteSender(RemoteWriteSenderOptions options, http::Client* client, Clock* clock)
    : options_(std::move(options)), client_(client), clock_(clock) {
  base_headers_ = {
      {"Content-Encoding", "snappy"},
      {"Content-Type", "application/x-protobuf"},
      {"User-Agent", options_.user_agent},
      {"X-Prometheus-Remote-Write-Version", "0.1.0"},
  };
  for (const auto& h : options_.headers) base_headers_.push_back(h);
}

RemoteWriteSender::~RemoteWriteSender() {
  Stop();
  if (queue_ != nullptr) {
    if (absl::Status s = queue_->Close(); !s.ok()) {
      log::Error("remote_write: closing the queue failed", {{"url", options_.url}, {"err", s}});
    }
  }
}

absl::Status RemoteWriteSender::Enqueue(const EncodedRequest& request) {
  return Enqueue(request.body, request.samples);
}

absl::Status RemoteWriteSender::Enqueue(std::string_view body, uint32_t samples) {
  absl::Status s = queue_->Append(body, samples);
  if (!s.ok()) {
    metrics_.samples_dropped->Add(samples);
    return Annotate(s, absl::StrCat("remote_write ", options_.url, ": queueing a request"));
  }
  return absl::OkStatus();
}

void RemoteWriteSender::Start() {
  absl::MutexLock lock(&thread_mu_);
  if (started_ || stop_.HasBeenNotified()) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void RemoteWriteSender::Stop() {
  absl::MutexLock lock(&thread_mu_);
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (queue_ != nullptr) queue_->Shutdown();
  if (thread_.joinable()) thread_.join();
}

void RemoteWriteSender::Run() {
  queue::QueueRecord record;
  uint64_t retrying_id = 0;  // The record the last attempt failed on; 0 for none.
  int attempt = 0;
  absl::Duration backoff = options_.min_backoff;
  while (!stop_.HasBeenNotified() && queue_->WaitForRecord()) {
    absl::StatusOr<bool> got = queue_->Peek(&record);
    if (!got.ok()) {
      // The disk failed under the queue; try again later rather than spin.
      log::Error("remote_write: reading the queue failed", {{"url", options_.url}, {"err", got.status()}});
      if (!clock_->SleepFor(backoff, &stop_)) return;
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    if (!*got) continue;
    if (record.id != retrying_id) {
      // A new record (or the one being retried was dropped by the queue's bound): start from scratch.
      attempt = 0;
      backoff = options_.min_backoff;
    }
    const uint64_t id = record.id;
    const uint32_t samples = record.items;
    absl::Duration retry_after;
    const SendVerdict verdict = SendOnce(&record, attempt, &retry_after);
    if (verdict == SendVerdict::kRetry) {
      retrying_id = id;
      const absl::Duration wait = retry_after > absl::ZeroDuration() ? retry_after : backoff;
      if (!clock_->SleepFor(wait, &stop_)) return;
      metrics_.samples_retried->Add(samples);
      backoff = std::min(wait * 2, options_.max_backoff);
      ++attempt;
      continue;
    }
    retrying_id = 0;
    if (absl::Status s = queue_->Ack(id); !s.ok()) {
      log::Error("remote_write: acknowledging a sent request failed", {{"url", options_.url}, {"err", s}});
    }
  }
}

SendVerdict RemoteWriteSender::SendOnce(queue::QueueRecord* record, int attempt, absl::Duration* retry_after) {
  *retry_after = absl::ZeroDuration();
  http::HeaderList headers = base_headers_;
  if (attempt > 0) headers.emplace_back("Retry-Attempt", absl::StrCat(attempt));
  const size_t bytes = record->data.size();
  const absl::Time start = clock_->Now();
  absl::StatusOr<http::ClientResponse> r =
      client_->Post(options_.url, headers, std::move(record->data), options_.timeout);
  const absl::Time end = clock_->Now();
  metrics_.send_duration->Observe(absl::ToDoubleSeconds(end - start));
  const SendVerdict verdict = Classify(r);
  switch (verdict) {
    case SendVerdict::kAccepted:
      metrics_.samples_sent->Add(record->items);
      metrics_.bytes_sent->Add(static_cast<double>(bytes));
      metrics_.last_send_timestamp->Set(absl::ToDoubleSeconds(end - absl::UnixEpoch()));
      break;
    case SendVerdict::kRetry:
      if (!r.ok()) {
        log::Warn("remote_write: sending failed, will retry",
                  {{"url", options_.url}, {"samples", record->items}, {"attempt", attempt}, {"err", r.status()}});
      } else {
        *retry_after = ParseRetryAfter(r->Header("Retry-After"), end);
        log::Warn("remote_write: destination asked to retry", {{"url", options_.url},
                                                               {"status", r->status},
                                                               {"samples", record->items},
                                                               {"attempt", attempt},
                                                               {"retry_after", *retry_after},
                                                               {"body", Truncated(r->body)}});
      }
      break;
    case SendVerdict::kRefused:
      metrics_.samples_failed->Add(record->items);
      log::Error(
          "remote_write: destination refused a request, dropping it",
          {{"url", options_.url}, {"status", r->status}, {"samples", record->items}, {"body", Truncated(r->body)}});
      break;
  }
  return verdict;
}

}  // namespace vigil::remote_write
