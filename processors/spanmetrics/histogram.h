// A cumulative Prometheus-style histogram (bucket counts, sum, count) kept in memory by the span metrics
// processor, and the flat list of samples a flush writes for it.
#ifndef VIGIL_PROCESSORS_SPANMETRICS_HISTOGRAM_H_
#define VIGIL_PROCESSORS_SPANMETRICS_HISTOGRAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"

namespace vigil::processors {

// One sample to write at flush time: a full label set (with __name__) and a value.
struct FlushSample {
  Labels labels;
  double value = 0;
};

// Counts observations into fixed upper bounds (ascending, +Inf implied). Not thread-safe: the owner locks.
class CumulativeHistogram {
 public:
  explicit CumulativeHistogram(size_t num_bounds) : buckets_(num_bounds, 0) {}

  // Adds `value` (seconds) to every bucket whose bound is >= value, and to the sum and count.
  void Observe(const std::vector<double>& bounds, double value);

  // Appends `<name>_bucket{le=...}` for each bound and +Inf, `<name>_sum` and `<name>_count`, each with the
  // labels of `base` (which must not hold __name__ or le).
  void AppendSamples(std::string_view name, const std::vector<double>& bounds, const Labels& base,
                     std::vector<FlushSample>* out) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<uint64_t> buckets_;  // non-cumulative per bound; cumulated when written
  uint64_t count_ = 0;
  double sum_ = 0;
};

// `base` plus __name__=`name` (and le=`le` when not empty).
Labels WithName(const Labels& base, std::string_view name, std::string_view le = {});

}  // namespace vigil::processors

#endif  // VIGIL_PROCESSORS_SPANMETRICS_HISTOGRAM_H_
