// The warnings and infos ("annotations") a PromQL query returns beside its result, with Prometheus 3's texts.
// Messages are kept without Prometheus' position suffix; each distinct message is kept once, in first-seen order.
#ifndef VIGIL_QUERY_ENGINE_ANNOTATIONS_H_
#define VIGIL_QUERY_ENGINE_ANNOTATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace vigil::query {

// Collects the distinct warnings and infos of one query.
class Annotations {
 public:
  void Warn(std::string message);
  void Info(std::string message);
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& infos() const { return infos_; }

 private:
  absl::flat_hash_set<std::string> seen_;
  std::vector<std::string> warnings_;
  std::vector<std::string> infos_;
};

// Prometheus' annotation texts.
namespace annotations {
// "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"<name>\""
std::string PossibleNonCounter(std::string_view metric_name);
// "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"<le>\" for metric name ..."
std::string BadBucketLabel(std::string_view metric_name, std::string_view le);
// "PromQL warning: quantile value should be between 0 and 1, got <q>"
std::string InvalidQuantile(double q);
// "PromQL warning: ratio value should be between -1 and 1, got <r>, capping to <to>"
std::string InvalidRatio(double r, double to);
// "PromQL warning: sort is ineffective for range queries since results are always ordered by labels"
std::string SortInRangeQuery();
// "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (...) for metric name ..."
std::string HistogramQuantileForcedMonotonicity(std::string_view metric_name);
}  // namespace annotations

}  // namespace vigil::query

#endif  // VIGIL_QUERY_ENGINE_ANNOTATIONS_H_
