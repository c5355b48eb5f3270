// Numeric building blocks of PromQL's aggregation operators (sum, avg, stddev, stdvar, quantile, topk/bottomk,
// min/max) and of the kernels in this package: Kahan-Neumaier summation, the overflow-safe mean, the
// running variance, quantile interpolation and NaN-aware orderings, all computed as Prometheus 3 computes them.
//
//   functions::KahanSum sum(first);       // sum by (...): start from the group's first value
//   sum.Add(next);
//   double total = sum.Value();
#ifndef VIGIL_QUERY_FUNCTIONS_AGGREGATE_H_
#define VIGIL_QUERY_FUNCTIONS_AGGREGATE_H_

#include <cstdint>
#include <span>

namespace vigil::query::functions {

// One step of Kahan summation with Neumaier's improvement (Prometheus' kahansum.Inc): adds `inc` to `sum` with
// compensation `c`. When the new sum is ±Inf the compensation resets to 0.
struct KahanState {
  double sum = 0;
  double c = 0;
};
KahanState KahanSumInc(double inc, double sum, double c);

// A compensated running sum. Default-constructed it starts at +0 (as sum_over_time); constructed from a value it
// starts at exactly that value with no compensation (as the sum aggregation takes a group's first value). Both give
// the same results; as in Prometheus a lone -0 sums to +0 because the compensation is added at the end.
class KahanSum {
 public:
  KahanSum() = default;
  explicit KahanSum(double first) : state_{first, 0} {}

  void Add(double v) { state_ = KahanSumInc(v, state_.sum, state_.c); }
  // The sum plus its compensation (just the sum once it is infinite).
  double Value() const;

 private:
  KahanState state_;
};

// The mean of avg and avg_over_time: a Kahan-compensated sum divided by the count while the sum stays finite; from
// the first addition that would overflow to ±Inf on, an incremental mean with compensation. Starts from the first
// value as Prometheus does.
class MeanAccumulator {
 public:
  explicit MeanAccumulator(double first) : sum_(first), mean_(first) {}

  void Add(double v);
  double Mean() const;
  double count() const { return count_; }

 private:
  double sum_;
  double mean_;
  double c_ = 0;
  double count_ = 1;
  bool incremental_ = false;
};

// The running population variance of the stddev and stdvar aggregations (Welford's method without compensation,
// as the engine's aggregation does; stddev_over_time uses the compensated form in over_time.h). A NaN or ±Inf
// first value makes the result NaN.
class VarianceAccumulator {
 public:
  explicit VarianceAccumulator(double first);

  void Add(double v);
  // The population variance (stdvar); its square root is stddev.
  double Variance() const { return m2_ / count_; }
  double Stddev() const;

 private:
  double mean_;
  double m2_;
  double count_ = 1;
};

// Whether `q` is a valid φ for quantile, quantile_over_time and histogram_quantile; for any other q (NaN, < 0, > 1)
// the engine adds "PromQL warning: quantile value should be between 0 and 1, got <q>" but still evaluates.
constexpr bool IsValidQuantile(double q) { return q >= 0 && q <= 1; }

// The φ-quantile of `values` (Prometheus' quantile()): linear interpolation between the two closest ranks at
// q * (n - 1). NaN for empty input or NaN q; -Inf for q < 0; +Inf for q > 1. NaN values sort below every number.
// Sorts `values` in place.
double Quantile(double q, std::span<double> values);

// The same value as Quantile in expected linear time (a selection instead of a full sort); leaves `values` in an
// unspecified order. For callers that do not need the sorted values afterwards (quantile_over_time, mad_over_time).
double QuantileSelect(double q, std::span<double> values);

// Sorts ascending with NaN first, the order Prometheus' quantile and sort() see (a strict weak ordering, unlike
// Prometheus' comparator, so std::sort stays defined).
void SortNaNFirst(std::span<double> values);

// Orderings for topk/bottomk with NaN: topk keeps a candidate over the current smallest kept value when
// TopkReplaces(kept, candidate); bottomk likewise with BottomkReplaces. A number always displaces NaN, and NaN
// never displaces anything, so NaN ranks last for both.
constexpr bool TopkReplaces(double kept, double candidate) {
  return kept < candidate || (kept != kept && candidate == candidate);
}
constexpr bool BottomkReplaces(double kept, double candidate) {
  return kept > candidate || (kept != kept && candidate == candidate);
}

// The strict "a ranks above b" order of topk's output (descending, NaN last) and "a ranks below b" of bottomk's
// (ascending, NaN last). Ties between equal values are left to the caller (Prometheus' heap order is not
// specified either).
constexpr bool TopkBefore(double a, double b) { return a > b || (a == a && b != b); }
constexpr bool BottomkBefore(double a, double b) { return a < b || (a == a && b != b); }

// max and min aggregation steps: the new group value after seeing `v` (a NaN running value is always replaced;
// a NaN `v` never replaces a number).
constexpr double MaxStep(double current, double v) { return (current < v || current != current) ? v : current; }
constexpr double MinStep(double current, double v) { return (current > v || current != current) ? v : current; }

}  // namespace vigil::query::functions

#endif  // VIGIL_QUERY_FUNCTIONS_AGGREGATE_H_
