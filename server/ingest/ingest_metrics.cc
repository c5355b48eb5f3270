#include "server/ingest/ingest_metrics.h"

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::server {

IngestMetrics::IngestMetrics(metrics::Registry* registry) {
  samples_ingested = registry->Counter("vigil_ingested_samples_total", "Samples stored from any ingest path.");
  samples_rejected =
      *registry->NewCounter("vigil_rejected_samples_total", "Samples refused at ingest, by reason.", {"reason"});
  for (size_t i = 1; i <= static_cast<size_t>(tsdb::RejectReason::kSampleLimit); ++i) {
    samples_rejected->WithLabels({tsdb::RejectReasonName(static_cast<tsdb::RejectReason>(i))});
  }
}

void RejectTally::Add(const absl::Status& status) {
  size_t idx = static_cast<size_t>(tsdb::GetRejectReason(status));
  if (idx >= kReasons) idx = 0;
  if (counts_[idx]++ == 0) examples_[idx] = std::string(status.message());
  ++total_;
}

std::string RejectTally::Summary() const {
  std::string out;
  for (size_t idx = 0; idx < kReasons; ++idx) {
    if (counts_[idx] == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : "; ", counts_[idx], " ",
                    AV(tsdb::RejectReasonName(static_cast<tsdb::RejectReason>(idx))), " (e.g. ", examples_[idx], ")");
  }
  return out;
}

void RejectTally::Publish(IngestMetrics* metrics) const {
  for (size_t idx = 0; idx < kReasons; ++idx) {
    if (counts_[idx] == 0) continue;
    metrics->samples_rejected->WithLabels({tsdb::RejectReasonName(static_cast<tsdb::RejectReason>(idx))})
        ->Add(static_cast<double>(counts_[idx]));
  }
}

}  // namespace vigil::server
