#include "exporters/sender/sender_metrics.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::exporters {
namespace {

const std::vector<std::string> kLabels = {"remote_name", "url"};

}  // namespace

absl::StatusOr<std::unique_ptr<SenderMetrics>> SenderMetrics::Register(metrics::Registry* r, std::string_view protocol,
                                                                       std::string_view items) {
  std::unique_ptr<SenderMetrics> m(new SenderMetrics());
  const std::string p = absl::StrCat("vigil_agent_", AV(protocol), "_");
  const std::string i = std::string(items);
  // "Samples", "Lines", "Spans": the help texts start with the item noun.
  const std::string cap = absl::StrCat(absl::AsciiStrToUpper(AV(items.substr(0, 1))), AV(items.substr(1)));
  VIGIL_ASSIGN_OR_RETURN(m->items_sent_,
                         r->NewCounter(absl::StrCat(p, i, "_sent_total"),
                                       absl::StrCat(cap, " in requests the destination accepted."), kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->items_failed_,
      r->NewCounter(
          absl::StrCat(p, i, "_failed_total"),
          absl::StrCat(cap, " in requests the destination refused for good (a 4xx other than 429); not retried."),
          kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->items_retried_,
                         r->NewCounter(absl::StrCat(p, i, "_retried_total"),
                                       absl::StrCat(cap,
                                                    " in requests retried after a 5xx, a 429 or a transport error, "
                                                    "counted once per retry."),
                                       kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->items_dropped_,
      r->NewCounter(absl::StrCat(p, i, "_dropped_total"),
                    absl::StrCat(cap,
                                 " never sent: dropped as the oldest when the queue was full, found corrupt, or not "
                                 "queued because the queue could not be written."),
                    kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->bytes_sent_, r->NewCounter(absl::StrCat(p, "bytes_sent_total"),
                                                       "Compressed request bytes the destination accepted.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->last_send_timestamp_,
                         r->NewGauge(absl::StrCat(p, "last_send_timestamp_seconds"),
                                     "Unix time of the last request the destination accepted.", kLabels));
  std::vector<double> buckets = metrics::DefaultBuckets();
  for (double b : {25.0, 60.0, 120.0}) buckets.push_back(b);  // As Prometheus' sent_batch_duration_seconds.
  VIGIL_ASSIGN_OR_RETURN(m->send_duration_,
                         r->NewHistogram(absl::StrCat(p, "sent_batch_duration_seconds"),
                                         "Duration of each attempt to send a request.", kLabels, buckets));
  VIGIL_ASSIGN_OR_RETURN(
      m->items_pending_,
      r->NewGauge(absl::StrCat(p, i, "_pending"),
                  absl::StrCat(cap, " in the destination's disk queue, waiting to be sent."), kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_records_, r->NewGauge(absl::StrCat(p, "queue_records"),
                                                        "Requests in the destination's disk queue.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_bytes_,
                         r->NewGauge(absl::StrCat(p, "queue_bytes"),
                                     "Compressed bytes of the requests in the destination's disk queue.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(
      m->queue_dropped_records_,
      r->NewCounter(absl::StrCat(p, "queue_dropped_records_total"),
                    "Requests dropped from the disk queue unsent (queue full or corrupt).", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_dropped_bytes_,
                         r->NewCounter(absl::StrCat(p, "queue_dropped_bytes_total"),
                                       "Bytes of the requests dropped from the disk queue unsent.", kLabels));
  VIGIL_ASSIGN_OR_RETURN(m->queue_corrupt_,
                         r->NewCounter(absl::StrCat(p, "queue_corrupt_total"),
                                       "Corrupt regions or records found in the disk queue and skipped.", kLabels));
  return m;
}

DestinationMetrics SenderMetrics::ForDestination(std::string_view remote_name, std::string_view url) {
  DestinationMetrics d;
  d.items_sent = items_sent_->WithLabels({remote_name, url});
  d.items_failed = items_failed_->WithLabels({remote_name, url});
  d.items_retried = items_retried_->WithLabels({remote_name, url});
  d.items_dropped = items_dropped_->WithLabels({remote_name, url});
  d.bytes_sent = bytes_sent_->WithLabels({remote_name, url});
  d.last_send_timestamp = last_send_timestamp_->WithLabels({remote_name, url});
  d.send_duration = send_duration_->WithLabels({remote_name, url});
  d.queue.records = queue_records_->WithLabels({remote_name, url});
  d.queue.bytes = queue_bytes_->WithLabels({remote_name, url});
  d.queue.items = items_pending_->WithLabels({remote_name, url});
  d.queue.dropped_records = queue_dropped_records_->WithLabels({remote_name, url});
  d.queue.dropped_bytes = queue_dropped_bytes_->WithLabels({remote_name, url});
  d.queue.dropped_items = d.items_dropped;
  d.queue.corrupt_regions = queue_corrupt_->WithLabels({remote_name, url});
  return d;
}

}  // namespace vigil::exporters
