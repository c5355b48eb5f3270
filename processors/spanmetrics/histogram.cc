#include "processors/spanmetrics/histogram.h"

#include <algorithm>

#include "base/strings/float_format.h"

namespace vigil::processors {

void CumulativeHistogram::Observe(const std::vector<double>& bounds, double value) {
  const auto it = std::lower_bound(bounds.begin(), bounds.end(), value);
  if (it != bounds.end()) ++buckets_[static_cast<size_t>(it - bounds.begin())];
  ++count_;
  sum_ += value;
}

Labels WithName(const Labels& base, std::string_view name, std::string_view le) {
  LabelsBuilder b(base);
  b.Set("__name__", name);
  if (!le.empty()) b.Set("le", le);
  return b.Build();
}

void CumulativeHistogram::AppendSamples(std::string_view name, const std::vector<double>& bounds, const Labels& base,
                                        std::vector<FlushSample>* out) const {
  const std::string bucket_name = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i];
    le.clear();
    AppendFloat(bounds[i], &le);
    out->push_back({WithName(base, bucket_name, le), static_cast<double>(cumulative)});
  }
  out->push_back({WithName(base, bucket_name, "+Inf"), static_cast<double>(count_)});
  out->push_back({WithName(base, std::string(name) + "_sum"), sum_});
  out->push_back({WithName(base, std::string(name) + "_count"), static_cast<double>(count_)});
}

}  // namespace vigil::processors
