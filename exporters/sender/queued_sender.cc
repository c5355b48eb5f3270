#include "exporters/sender/queued_sender.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/encoding/varint.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "base/version/version.h"
#include "model/hash.h"

namespace vigil::exporters {
namespace {

// How much of a refusal's body goes into the log (Prometheus truncates error bodies too).
constexpr size_t kMaxLoggedBody = 512;

std::string_view Truncated(std::string_view body) { return body.substr(0, std::min(body.size(), kMaxLoggedBody)); }

// A queued record is varint(metadata length), metadata, body. Splits one; false if the record is malformed.
bool SplitRecord(std::string_view record, std::string_view* metadata, std::string_view* body) {
  uint64_t n = 0;
  size_t pos = 0;
  if (!encoding::ReadVarint(record, &pos, &n) || n > record.size() - pos) return false;
  *metadata = record.substr(pos, n);
  *body = record.substr(pos + n);
  return true;
}

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

absl::StatusOr<std::unique_ptr<QueuedSender>> QueuedSender::Open(QueuedSenderOptions options, http::Client* client,
                                                                 FileSystem* fs, Clock* clock, SenderMetrics* metrics) {
  if (options.protocol.name.empty()) return absl::InvalidArgumentError("queued sender: no protocol name");
  const std::string& proto = options.protocol.name;
  VIGIL_RETURN_IF_ERROR(Annotate(http::ParseUrl(options.url).status(), proto));
  if (options.min_backoff <= absl::ZeroDuration() || options.max_backoff < options.min_backoff) {
    return absl::InvalidArgumentError(
        absl::StrCat(proto, " ", options.url, ": need 0 < min_backoff <= max_backoff, got ",
                     absl::FormatDuration(options.min_backoff), " and ", absl::FormatDuration(options.max_backoff)));
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(proto, " ", options.url, ": timeout must be positive"));
  }
  if (options.queue_dir.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(proto, " ", options.url, ": no queue directory"));
  }
  if (options.remote_name.empty()) {
    options.remote_name = absl::StrFormat("%06x", Hash64(options.url) & 0xffffff);
  }
  std::unique_ptr<QueuedSender> s(new QueuedSender(std::move(options), client, clock));
  if (metrics == nullptr) {
    s->own_registry_ = std::make_unique<metrics::Registry>();
    VIGIL_ASSIGN_OR_RETURN(s->own_metrics_, SenderMetrics::Register(s->own_registry_.get(), s->options_.protocol.name,
                                                                    s->options_.protocol.items));
    metrics = s->own_metrics_.get();
  }
  s->metrics_ = metrics->ForDestination(s->options_.remote_name, s->options_.url);
  queue::DiskQueueOptions q = s->options_.queue;
  q.clock = clock;
  q.metrics = s->metrics_.queue;
  VIGIL_ASSIGN_OR_RETURN(s->queue_, queue::DiskQueue::Open(fs, s->options_.queue_dir, std::move(q)));
  return s;
}

QueuedSender::QueuedSender(QueuedSenderOptions options, http::Client* client, Clock* clock)
    : options_(std::move(options)), client_(client), clock_(clock) {
  base_headers_ = options_.protocol.headers;
  base_headers_.emplace_back("User-Agent", options_.user_agent);
  for (const auto& h : options_.headers) base_headers_.push_back(h);
}

QueuedSender::~QueuedSender() {
  Stop();
  if (queue_ != nullptr) {
    if (absl::Status s = queue_->Close(); !s.ok()) {
      log::Error(absl::StrCat(options_.protocol.name, ": closing the queue failed"),
                 {{"url", options_.url}, {"err", s}});
    }
  }
}

absl::Status QueuedSender::Enqueue(std::string_view body, uint32_t items, std::string_view metadata) {
  std::string head;
  encoding::AppendVarint(metadata.size(), &head);
  head.append(metadata);
  absl::Status s = queue_->Append(head, body, items);
  if (!s.ok()) {
    metrics_.items_dropped->Add(items);
    return Annotate(s, absl::StrCat(options_.protocol.name, " ", options_.url, ": queueing a request"));
  }
  return absl::OkStatus();
}

absl::Status QueuedSender::ForEachQueuedMetadata(const std::function<void(std::string_view metadata)>& fn) {
  return queue_->ForEach([&](const queue::QueueRecord& r) {
    std::string_view metadata, body;
    if (SplitRecord(r.data, &metadata, &body)) fn(metadata);
  });
}

void QueuedSender::Start() {
  absl::MutexLock lock(&thread_mu_);
  if (started_ || stop_.HasBeenNotified()) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void QueuedSender::Stop() {
  absl::MutexLock lock(&thread_mu_);
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (queue_ != nullptr) queue_->Shutdown();
  if (thread_.joinable()) thread_.join();
}

void QueuedSender::Run() {
  queue::QueueRecord record;
  uint64_t retrying_id = 0;  // The record the last attempt failed on; 0 for none.
  int attempt = 0;
  absl::Duration backoff = options_.min_backoff;
  while (!stop_.HasBeenNotified() && queue_->WaitForRecord()) {
    absl::StatusOr<bool> got = queue_->Peek(&record);
    if (!got.ok()) {
      // The disk failed under the queue; try again later rather than spin.
      log::Error(absl::StrCat(options_.protocol.name, ": reading the queue failed"),
                 {{"url", options_.url}, {"err", got.status()}});
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
    const uint32_t items = record.items;
    std::string_view metadata, body;
    if (!SplitRecord(record.data, &metadata, &body)) {
      // Checksummed yet unsplittable: written by another format. Nothing to send; count it and move on.
      log::Error(absl::StrCat(options_.protocol.name, ": dropping a malformed queued record"), {{"url", options_.url}});
      metrics_.items_dropped->Add(items);
      if (absl::Status s = queue_->Ack(id); !s.ok()) {
        log::Error(absl::StrCat(options_.protocol.name, ": acknowledging a record failed"),
                   {{"url", options_.url}, {"err", s}});
      }
      continue;
    }
    absl::Duration retry_after;
    const SendVerdict verdict = SendOnce(body, items, attempt, &retry_after);
    if (verdict == SendVerdict::kRetry) {
      retrying_id = id;
      const absl::Duration wait = retry_after > absl::ZeroDuration() ? retry_after : backoff;
      if (!clock_->SleepFor(wait, &stop_)) return;
      metrics_.items_retried->Add(items);
      backoff = std::min(wait * 2, options_.max_backoff);
      ++attempt;
      continue;
    }
    retrying_id = 0;
    if (options_.on_done) options_.on_done(metadata, verdict);
    if (absl::Status s = queue_->Ack(id); !s.ok()) {
      log::Error(absl::StrCat(options_.protocol.name, ": acknowledging a sent request failed"),
                 {{"url", options_.url}, {"err", s}});
    }
  }
}

SendVerdict QueuedSender::SendOnce(std::string_view body, uint32_t items, int attempt, absl::Duration* retry_after) {
  *retry_after = absl::ZeroDuration();
  http::HeaderList headers = base_headers_;
  if (attempt > 0) headers.emplace_back("Retry-Attempt", absl::StrCat(attempt));
  const size_t bytes = body.size();
  const absl::Time start = clock_->Now();
  absl::StatusOr<http::ClientResponse> r = client_->Post(options_.url, headers, std::string(body), options_.timeout);
  const absl::Time end = clock_->Now();
  metrics_.send_duration->Observe(absl::ToDoubleSeconds(end - start));
  const SendVerdict verdict = Classify(r);
  switch (verdict) {
    case SendVerdict::kAccepted:
      metrics_.items_sent->Add(items);
      metrics_.bytes_sent->Add(static_cast<double>(bytes));
      metrics_.last_send_timestamp->Set(absl::ToDoubleSeconds(end - absl::UnixEpoch()));
      break;
    case SendVerdict::kRetry:
      if (!r.ok()) {
        log::Warn(absl::StrCat(options_.protocol.name, ": sending failed, will retry"),
                  {{"url", options_.url}, {options_.protocol.items, items}, {"attempt", attempt}, {"err", r.status()}});
      } else {
        *retry_after = ParseRetryAfter(r->Header("Retry-After"), end);
        log::Warn(absl::StrCat(options_.protocol.name, ": destination asked to retry"),
                  {{"url", options_.url},
                   {"status", r->status},
                   {options_.protocol.items, items},
                   {"attempt", attempt},
                   {"retry_after", *retry_after},
                   {"body", Truncated(r->body)}});
      }
      break;
    case SendVerdict::kRefused:
      metrics_.items_failed->Add(items);
      log::Error(absl::StrCat(options_.protocol.name, ": destination refused a request, dropping it"),
                 {{"url", options_.url},
                  {"status", r->status},
                  {options_.protocol.items, items},
                  {"body", Truncated(r->body)}});
      break;
  }
  return verdict;
}

}  // namespace vigil::exporters
