// Ships queued remote_write requests to one destination URL: a disk queue of its own (exporters/queue) and one
// sender thread that POSTs the oldest request until the destination accepts or refuses it, as Prometheus'
// remote_write queue manager does (docs/shipping.md; protocol: remote_write 1.0).
//
//   RemoteWriteSenderOptions o;
//   o.url = "http://store:9090/api/v1/write";
//   o.queue_dir = "/var/lib/vigil-agent/queue/store";
//   absl::StatusOr<std::unique_ptr<RemoteWriteSender>> s =
//       RemoteWriteSender::Open(o, &http_client, RealFileSystem(), RealClock(), metrics);
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
#ifndef VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_SENDER_H_
#define VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_SENDER_H_

#include <cstdint>
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
#include "exporters/remote_write/remote_write_metrics.h"
#include "exporters/remote_write/write_request_builder.h"

namespace vigil::remote_write {

// "vigil-agent/<kVersion>", the User-Agent the sender sends by default.
std::string DefaultUserAgent();

struct RemoteWriteSenderOptions {
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
};

// How the sender reacts to one HTTP outcome; exposed for tests and for other exporters with the same rules.
enum class SendVerdict { kAccepted, kRetry, kRefused };
SendVerdict Classify(const absl::StatusOr<http::ClientResponse>& response);

// The wait a Retry-After header value asks for, measured from `now`: whole seconds ("120") or an HTTP date
// ("Wed, 21 Oct 2015 07:28:00 GMT"). Zero when the value is empty, malformed or in the past (then the normal
// backoff applies).
absl::Duration ParseRetryAfter(std::string_view value, absl::Time now);

class RemoteWriteSender {
 public:
  // Opens (recovering) the queue in options.queue_dir. `client`, `fs`, `clock` and `metrics` must outlive the
  // sender; `metrics` may be null (then the sender keeps its metrics in a registry of its own, unexposed).
  // InvalidArgument for a malformed URL or bad backoffs; queue errors as DiskQueue::Open.
  static absl::StatusOr<std::unique_ptr<RemoteWriteSender>> Open(RemoteWriteSenderOptions options, http::Client* client,
                                                                 FileSystem* fs, Clock* clock,
                                                                 RemoteWriteMetrics* metrics);

  // Stops (see Stop) and closes the queue.
  ~RemoteWriteSender();
  RemoteWriteSender(const RemoteWriteSender&) = delete;
  RemoteWriteSender& operator=(const RemoteWriteSender&) = delete;

  // Queues one request body built by WriteRequestBuilder (its snappy-compressed bytes and sample count). Works
  // before Start and after Stop (the record waits on disk). On error (disk full), the request is not queued and
  // its samples are counted as dropped. May drop the oldest queued requests to honour the queue's bound.
  absl::Status Enqueue(const EncodedRequest& request);
  absl::Status Enqueue(std::string_view body, uint32_t samples);

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
  RemoteWriteSender(RemoteWriteSenderOptions options, http::Client* client, Clock* clock);

  void Run();
  // Sends `record` once (its data is moved into the request). Returns the verdict; sets *retry_after from a
  // Retry-After header when the verdict is kRetry.
  SendVerdict SendOnce(queue::QueueRecord* record, int attempt, absl::Duration* retry_after);

  RemoteWriteSenderOptions options_;
  http::Client* const client_;
  Clock* const clock_;
  std::unique_ptr<metrics::Registry> own_registry_;
  std::unique_ptr<RemoteWriteMetrics> own_metrics_;
  DestinationMetrics metrics_;
  http::HeaderList base_headers_;
  std::unique_ptr<queue::DiskQueue> queue_;
  absl::Notification stop_;
  absl::Mutex thread_mu_;
  std::thread thread_ ABSL_GUARDED_BY(thread_mu_);
  bool started_ ABSL_GUARDED_BY(thread_mu_) = false;
};

}  // namespace vigil::remote_write

#endif  // VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_SENDER_H_
