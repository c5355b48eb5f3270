#include "query/engine/annotations.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/strings/float_format.h"
#include "model/labels.h"

namespace vigil::query {

void Annotations::Warn(std::string message) {
  if (seen_.insert(message).second) warnings_.push_back(std::move(message));
}

void Annotations::Info(std::string message) {
  if (seen_.insert(message).second) infos_.push_back(std::move(message));
}

namespace annotations {
namespace {

// Go's %g of a float64 (shortest representation), which AppendFloat matches.
std::string G(double v) {
  std::string out;
  AppendFloat(v, &out);
  return out;
}

std::string MaybeMetricName(std::string text, std::string_view metric_name) {
  if (metric_name.empty()) return text;
  return absl::StrCat(text, " for metric name ", QuoteLabelValue(metric_name));
}

}  // namespace

std::string PossibleNonCounter(std::string_view metric_name) {
  return absl::StrCat("PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ",
                      QuoteLabelValue(metric_name));
}

std::string BadBucketLabel(std::string_view metric_name, std::string_view le) {
  return MaybeMetricName(
      absl::StrCat("PromQL warning: bucket label \"le\" is missing or has a malformed value of ", QuoteLabelValue(le)),
      metric_name);
}

std::string InvalidQuantile(double q) {
  return absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ", G(q));
}

std::string InvalidRatio(double r, double to) {
  return absl::StrCat("PromQL warning: ratio value should be between -1 and 1, got ", G(r), ", capping to ", G(to));
}

std::string SortInRangeQuery() {
  return "PromQL warning: sort is ineffective for range queries since results are always ordered by labels";
}

std::string HistogramQuantileForcedMonotonicity(std::string_view metric_name) {
  return MaybeMetricName(
      "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see "
      "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
      metric_name);
}

}  // namespace annotations
}  // namespace vigil::query
