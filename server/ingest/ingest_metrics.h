// What every ingest path (remote_write, import, later Loki and OTLP) counts, registered once per store, and the
// tally of refused samples each request reports back to its client.
#ifndef VIGIL_SERVER_INGEST_INGEST_METRICS_H_
#define VIGIL_SERVER_INGEST_INGEST_METRICS_H_

#include <array>
#include <cstdint>
#include <string>

#include "base/metrics/registry.h"
#include "tsdb/storage/storage.h"

namespace vigil::server {

struct IngestMetrics {
  // Registers vigil_ingested_samples_total and vigil_rejected_samples_total{reason} (every reason pre-created
  // at 0, so rate() works from the first refusal).
  explicit IngestMetrics(metrics::Registry* registry);

  metrics::Counter* samples_ingested;
  metrics::CounterFamily* samples_rejected;
};

// Counts refused samples by reason for one request and keeps the first message of each reason as an example.
class RejectTally {
 public:
  // Records one refusal; `status` is what Appender::Append returned.
  void Add(const absl::Status& status);
  int64_t total() const { return total_; }
  // "3 out_of_order (e.g. …); 1 duplicate_sample (e.g. …)", or "" when nothing was refused.
  std::string Summary() const;
  // Adds the counts to `metrics`.
  void Publish(IngestMetrics* metrics) const;

 private:
  static constexpr size_t kReasons = static_cast<size_t>(tsdb::RejectReason::kSampleLimit) + 1;
  std::array<int64_t, kReasons> counts_{};
  std::array<std::string, kReasons> examples_;
  int64_t total_ = 0;
};

}  // namespace vigil::server

#endif  // VIGIL_SERVER_INGEST_INGEST_METRICS_H_
