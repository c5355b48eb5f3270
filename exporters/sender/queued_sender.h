// Ships queued requests to one destination URL: a disk queue of its own (exporters/queue) and one sender thread
// that POSTs the oldest request until the destination accepts or refuses it, as Prometheus' remote_write queue
// manager does (docs/shipping.md). The same code ships every signal; only the protocol differs: remote_write
// (exporters/remote_write), Loki push (logs) and OTLP/HTTP (traces).
//
//   QueuedSenderOptions o;
//   o.protocol = remote_write::RemoteWriteProtocol();
//   o.url = "http://store:9090/api/v1/write";
//   o.queue_dir = "/var/lib/vigil-agent/queue/store";
//   absl::StatusOr<std::unique_ptr<QueuedSender>> s =
//       QueuedSender::Open(o, &http_client, RealFileSystem(), RealClock(), metrics);
//   (*s)->Start();
//   for (const EncodedRequest& r : builder.Finish()) (*s)->Enqueue(r);   // every collection cycle
//   ...
//   (*s)->Stop();    // on shutdown; unsent requests stay queued on disk for the next start
//
// Per request, by answer:
// - 2xx: acknowledged (removed from the queue); counted as sent.
// - 5xx, 429, or no answer (connection refused, timeout): retried, forever, with exponential backoff from
//   min_backoff doubling to max_backoff; a Retry-After header (seconds or HTTP date) on a 429 or 5xx replaces
//   the next wait, as Prometheus does. Requests stay in order: nothing newer is sent meanwhile.
// - Any other status (400 for an invalid sample, 401, 404, 413...): dropped, counted as failed, logged with the
//   start of the answer's body. Retrying would not change the answer.
// A request dropped by the queue's size bound while it is being retried is abandoned for the next one.
#ifndef VIGIL_EXPORTERS_SENDER_QUEUED_SENDER_H_
#define VIGIL_EXPORTERS_SENDER_QUEUED_SENDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/http/client.h"
#include "base/metrics/registry.h"
#include "exporters/queue/disk_queue.h"
#include "exporters/sender/sender_metrics.h"

namespace vigil::exporters {

// "vigil-agent/<kVersion>", the User-Agent the sender sends by default.
std::string DefaultUserAgent();

// How the sender reacts to one HTTP outcome; exposed for tests and for other exporters with the same rules.
enum class SendVerdict { kAccepted, kRetry, kRefused };
SendVerdict Classify(const absl::StatusOr<http::ClientResponse>& response);

// What a destination speaks.
struct SenderProtocol {
  // Names the protocol in logs and metric names ("remote_write", "loki", "otlp"): a metric name part.
  std::string name;
  // What a record's item count counts, in metric names ("samples", "lines", "spans").
  std::string items = "items";
  // Sent with every request: Content-Type, Content-Encoding, a protocol version header.
  http::HeaderList headers;
};

struct QueuedSenderOptions {
  // Required.
  SenderProtocol protocol;
  // The destination, an http:// URL (e.g. "http://store:9090/api/v1/write").
  std::string url;
  // The remote_name label of the metrics; empty means 6 hex digits of a hash of the URL (as Prometheus names
  // an unnamed remote_write by a hash of its config).
  std::string remote_name;
  // The disk queue's directory; one per destination, never shared.
  std::string queue_dir;
  // The disk queue's bound, segment size and sync policy. Its `metrics` and `clock` are set by the sender.
  queue::DiskQueueOptions queue;
  // Prometheus' queue_config defaults.
  absl::Duration min_backoff = absl::Milliseconds(30);
  absl::Duration max_backoff = absl::Seconds(5);
  // Prometheus' remote_timeout default: bounds each HTTP attempt.
  absl::Duration timeout = absl::Seconds(30);
  // Sent as User-Agent.
  std::string user_agent = DefaultUserAgent();
  // More headers sent with every request (e.g. Authorization, X-Scope-OrgID).
  http::HeaderList headers;
  // Called on the sender thread when a record leaves the queue by an answer (kAccepted or kRefused), with the
  // metadata given to Enqueue, before the next record is sent. For a producer whose own state follows what
  // the destination took (the log tailer's positions file). Must not call back into the sender.
  std::function<void(std::string_view metadata, SendVerdict verdict)> on_done;
};

// The wait a Retry-After header value asks for, measured from `now`: whole seconds ("120") or an HTTP date
// ("Wed, 21 Oct 2015 07:28:00 GMT"). Zero when the value is empty, malformed or in the past (then the normal
// backoff applies).
absl::Duration ParseRetryAfter(std::string_view value, absl::Time now);

class QueuedSender {
 public:
  // Opens (recovering) the queue in options.queue_dir. `client`, `fs`, `clock` and `metrics` must outlive the
  // sender; `metrics` may be null (then the sender keeps its metrics in a registry of its own, unexposed).
  // InvalidArgument for a malformed URL or bad backoffs; queue errors as DiskQueue::Open.
  static absl::StatusOr<std::unique_ptr<QueuedSender>> Open(QueuedSenderOptions options, http::Client* client,
                                                            FileSystem* fs, Clock* clock, SenderMetrics* metrics);

  // Stops (see Stop) and closes the queue.
  ~QueuedSender();
  QueuedSender(const QueuedSender&) = delete;
  QueuedSender& operator=(const QueuedSender&) = delete;

  // Queues one request body (already encoded and compressed as the protocol wants) carrying `items` items, and
  // `metadata` for on_done (stored beside the body, never sent). Works before Start and after Stop (the record
  // waits on disk). On error (disk full), the request is not queued and its items are counted as dropped. May
  // drop the oldest queued requests to honour the queue's bound.
  absl::Status Enqueue(std::string_view body, uint32_t items, std::string_view metadata = {});

  // Calls `fn` with the metadata of every request still queued, oldest first: after a restart, what the
  // producer had queued but the destination has not yet taken. Queue I/O errors are returned.
  absl::Status ForEachQueuedMetadata(const std::function<void(std::string_view metadata)>& fn);

  // Starts the sender thread. Call at most once.
  void Start();
  // Stops the sender thread: it finishes an HTTP attempt in flight (bounded by `timeout`), does not wait out a
  // backoff, and leaves every unacknowledged request in the queue. Idempotent; the sender cannot be restarted.
  void Stop();

  // The queue, for its stats and for draining (queue()->WaitUntilEmpty()).
  queue::DiskQueue* queue() { return queue_.get(); }
  const std::string& url() const { return options_.url; }
  const std::string& remote_name() const { return options_.remote_name; }
  // This destination's metrics.
  const DestinationMetrics& metrics() const { return metrics_; }

 private:
  QueuedSender(QueuedSenderOptions options, http::Client* client, Clock* clock);

  void Run();
  // Sends `body` (of a record carrying `items`) once. Returns the verdict; sets *retry_after from a Retry-After
  // header when the verdict is kRetry.
  SendVerdict SendOnce(std::string_view body, uint32_t items, int attempt, absl::Duration* retry_after);

  QueuedSenderOptions options_;
  http::Client* const client_;
  Clock* const clock_;
  std::unique_ptr<metrics::Registry> own_registry_;
  std::unique_ptr<SenderMetrics> own_metrics_;
  DestinationMetrics metrics_;
  http::HeaderList base_headers_;
  std::unique_ptr<queue::DiskQueue> queue_;
  absl::Notification stop_;
  absl::Mutex thread_mu_;
  std::thread thread_ ABSL_GUARDED_BY(thread_mu_);
  bool started_ ABSL_GUARDED_BY(thread_mu_) = false;
};

}  // namespace vigil::exporters

#endif  // VIGIL_EXPORTERS_SENDER_QUEUED_SENDER_H_
