// A shipper's self-metrics, modelled on Prometheus' prometheus_remote_storage_* and named
// vigil_agent_<protocol>_* (vigil_agent_remote_write_samples_sent_total, vigil_agent_loki_lines_sent_total,
// vigil_agent_otlp_spans_sent_total...), each labelled with the destination's remote_name and url (as Prometheus
// labels its own). Register the families once per registry and protocol, then take one Destination per
// QueuedSender:
//
//   absl::StatusOr<std::unique_ptr<SenderMetrics>> m = SenderMetrics::Register(&registry, "remote_write", "samples");
//   QueuedSender::Open(options, client, fs, clock, m->get());   // calls ForDestination itself
#ifndef VIGIL_EXPORTERS_SENDER_SENDER_METRICS_H_
#define VIGIL_EXPORTERS_SENDER_SENDER_METRICS_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/metrics/metric.h"
#include "base/metrics/registry.h"
#include "exporters/queue/disk_queue.h"

namespace vigil::exporters {

// The metrics of one destination. Pointers stay valid as long as the registry.
struct DestinationMetrics {
  metrics::Counter* items_sent = nullptr;         // In requests the destination accepted (2xx).
  metrics::Counter* items_failed = nullptr;       // In requests it refused for good (4xx other than 429).
  metrics::Counter* items_retried = nullptr;      // In retried requests, once per retry (as Prometheus counts).
  metrics::Counter* items_dropped = nullptr;      // Never sent: dropped by the queue bound, corrupt, or not queued.
  metrics::Counter* bytes_sent = nullptr;         // Compressed request bytes accepted.
  metrics::Gauge* last_send_timestamp = nullptr;  // Unix seconds of the last accepted request.
  metrics::Histogram* send_duration = nullptr;    // Seconds per HTTP attempt.
  // Wired into the destination's DiskQueue (items pending, queue records/bytes, queue drops, corruption).
  queue::QueueMetrics queue;
};

class SenderMetrics {
 public:
  // Registers the families of `protocol` (a metric name part: "remote_write", "loki", "otlp") counting `items`
  // (what a record carries: "samples", "lines", "spans") in `registry`, which must outlive this object.
  // AlreadyExists if they are already registered there: call once per registry and protocol and share the
  // result among that protocol's senders.
  static absl::StatusOr<std::unique_ptr<SenderMetrics>> Register(metrics::Registry* registry, std::string_view protocol,
                                                                 std::string_view items);

  // The children for one destination; the same pointers for the same labels.
  DestinationMetrics ForDestination(std::string_view remote_name, std::string_view url);

 private:
  SenderMetrics() = default;

  metrics::CounterFamily* items_sent_ = nullptr;
  metrics::CounterFamily* items_failed_ = nullptr;
  metrics::CounterFamily* items_retried_ = nullptr;
  metrics::CounterFamily* items_dropped_ = nullptr;
  metrics::CounterFamily* bytes_sent_ = nullptr;
  metrics::GaugeFamily* last_send_timestamp_ = nullptr;
  metrics::HistogramFamily* send_duration_ = nullptr;
  metrics::GaugeFamily* items_pending_ = nullptr;
  metrics::GaugeFamily* queue_records_ = nullptr;
  metrics::GaugeFamily* queue_bytes_ = nullptr;
  metrics::CounterFamily* queue_dropped_records_ = nullptr;
  metrics::CounterFamily* queue_dropped_bytes_ = nullptr;
  metrics::CounterFamily* queue_corrupt_ = nullptr;
};

}  // namespace vigil::exporters

#endif  // VIGIL_EXPORTERS_SENDER_SENDER_METRICS_H_
