#include "exporters/remote_write/remote_write_metrics.h"

#include <string>
#include <vector>

#include "base/status/status_macros.h"

namespace vigil::remote_write {
namespace {

const std::vector<std::string> kLabels = {"remote_name", "url"};

}  // namespace

absl::StatusOr<std::unique_ptr<RemoteWriteMetrics>> RemoteWriteMetrics::Register(metrics::Registry* r) {
  std::unique_ptr<RemoteWriteMetrics> m(new RemoteWriteMetrics());
  VIGIL_ASSIGN_OR_RETURN(m->samples_sent_, r->NewCounter("vigil_agent_remote_write_samples_sent_total",
                                                         "Samples in requests the destination accepted.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->samples_failed_,
      r->NewCounter("vigil_agent_remote_write_samples_failed_total",
                    "Samples in requests the destination refused for good (a 4xx other than 429); not retried.",
                    kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->samples_retried_,
                         r->NewCounter("vigil_agent_remote_write_samples_retried_total",
                                       "Samples in requests retried after a 5xx, a 429 or a transport error, "
                                       "counted once per retry.",
                                       kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->samples_dropped_,
      r->NewCounter("vigil_agent_remote_write_samples_dropped_total",
                    "Samples never sent: dropped as the oldest when the queue was full, found corrupt, or not "
                    "queued because the queue could not be written.",
                    kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->bytes_sent_, r->NewCounter("vigil_agent_remote_write_bytes_sent_total",
                                                       "Compressed request bytes the destination accepted.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->last_send_timestamp_,
                         r->NewGauge("vigil_agent_remote_write_last_send_timestamp_seconds",
                                     "Unix time of the last request the destination accepted.", kLabels));
  std::vector<double> buckets = metrics::DefaultBuckets();
  for (double b : {25.0, 60.0, 120.0}) buckets.push_back(b);  // As Prometheus' sent_batch_duration_seconds.
  VIGIL_ASSIGN_OR_RETURN(m->send_duration_,
                         r->NewHistogram("vigil_agent_remote_write_sent_batch_duration_seconds",
                                         "Duration of each attempt to send a request.", kLabels, buckets));
  VIGIL_ASSIGN_OR_RETURN(m->samples_pending_,
                         r->NewGauge("vigil_agent_remote_write_samples_pending",
                                     "Samples in the destination's disk queue, waiting to be sent.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_records_, r->NewGauge("vigil_agent_remote_write_queue_records",
                                                        "Requests in the destination's disk queue.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_bytes_,
                         r->NewGauge("vigil_agent_remote_write_queue_bytes",
                                     "Compressed bytes of the requests in the destination's disk queue.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->queue_dropped_records_,
      r->NewCounter("vigil_agent_remote_write_queue_dropped_records_total",
                    "Requests dropped from the disk queue unsent (queue full or corrupt).", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_dropped_bytes_,
                         r->NewCounter("vigil_agent_remote_write_queue_dropped_bytes_total",
                                       "Bytes of the requests dropped from the disk queue unsent.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_corrupt_,
                         r->NewCounter("vigil_agent_remote_write_queue_corrupt_total",
                                       "Corrupt regions or records found in the disk queue and skipped.", kLabels));
  return m;
}

DestinationMetrics RemoteWriteMetrics::ForDestination(std::string_view remote_name, std::string_view url) {
  DestinationMetrics d;
  d.samples_sent = samples_sent_->WithLabels({remote_name, url});
  d.samples_failed = samples_failed_->WithLabels({remote_name, url});
  d.samples_retried = samples_retried_->WithLabels({remote_name, url});
  d.samples_dropped = samples_dropped_->WithLabels({remote_name, url});
  d.bytes_sent = bytes_sent_->WithLabels({remote_name, url});
  d.last_send_timestamp = last_send_timestamp_->WithLabels({remote_name, url});
  d.send_duration = send_duration_->WithLabels({remote_name, url});
  d.queue.records = queue_records_->WithLabels({remote_name, url});
  d.queue.bytes = queue_bytes_->WithLabels({remote_name, url});
  d.queue.items = samples_pending_->WithLabels({remote_name, url});
  d.queue.dropped_records = queue_dropped_records_->WithLabels({remote_name, url});
  d.queue.dropped_bytes = queue_dropped_bytes_->WithLabels({remote_name, url});
  d.queue.dropped_items = d.samples_dropped;
  d.queue.corrupt_regions = queue_corrupt_->WithLabels({remote_name, url});
  return d;
}

}  // namespace vigil::remote_write
