// The agent's remote_write self-metrics, modelled on Prometheus' prometheus_remote_storage_* and named
// vigil_agent_remote_write_*, each labelled with the destination's remote_name and url (as Prometheus labels its
// own). Register the families once per registry, then take one Destination per RemoteWriteSender:
//
//   absl::StatusOr<std::unique_ptr<RemoteWriteMetrics>> m = RemoteWriteMetrics::Register(&registry);
//   RemoteWriteSender::Open(options, client, fs, clock, m->get());   // calls ForDestination itself
#ifndef VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_METRICS_H_
#define VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_METRICS_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/metrics/metric.h"
#include "base/metrics/registry.h"
#include "exporters/queue/disk_queue.h"

namespace vigil::remote_write {

// The metrics of one destination. Pointers stay valid as long as the registry.
struct DestinationMetrics {
  metrics::Counter* samples_sent = nullptr;       // In requests the destination accepted (2xx).
  metrics::Counter* samples_failed = nullptr;     // In requests it refused for good (4xx other than 429).
  metrics::Counter* samples_retried = nullptr;    // In retried requests, once per retry (as Prometheus counts).
  metrics::Counter* samples_dropped = nullptr;    // Never sent: dropped by the queue bound, corrupt, or not queued.
  metrics::Counter* bytes_sent = nullptr;         // Compressed request bytes accepted.
  metrics::Gauge* last_send_timestamp = nullptr;  // Unix seconds of the last accepted request.
  metrics::Histogram* send_duration = nullptr;    // Seconds per HTTP attempt.
  // Wired into the destination's DiskQueue (samples pending, queue records/bytes, queue drops, corruption).
  queue::QueueMetrics queue;
};

class RemoteWriteMetrics {
 public:
  // Registers the families in `registry` (which must outlive this object). AlreadyExists if they are already
  // registered there: call once per registry and share the result among senders.
  static absl::StatusOr<std::unique_ptr<RemoteWriteMetrics>> Register(metrics::Registry* registry);

  // The children for one destination; the same pointers for the same labels.
  DestinationMetrics ForDestination(std::string_view remote_name, std::string_view url);

 private:
  RemoteWriteMetrics() = default;

  metrics::CounterFamily* samples_sent_ = nullptr;
  metrics::CounterFamily* samples_failed_ = nullptr;
  metrics::CounterFamily* samples_retried_ = nullptr;
  metrics::CounterFamily* samples_dropped_ = nullptr;
  metrics::CounterFamily* bytes_sent_ = nullptr;
  metrics::GaugeFamily* last_send_timestamp_ = nullptr;
  metrics::HistogramFamily* send_duration_ = nullptr;
  metrics::GaugeFamily* samples_pending_ = nullptr;
  metrics::GaugeFamily* queue_records_ = nullptr;
  metrics::GaugeFamily* queue_bytes_ = nullptr;
  metrics::CounterFamily* queue_dropped_records_ = nullptr;
  metrics::CounterFamily* queue_dropped_bytes_ = nullptr;
  metrics::CounterFamily* queue_corrupt_ = nullptr;
};

}  // namespace vigil::remote_write

#endif  // VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_METRICS_H_
