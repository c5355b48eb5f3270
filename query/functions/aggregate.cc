#include "query/functions/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::query::functions {

KahanState KahanSumInc(double inc, double sum, double c) {
  // The compensation depends on every intermediate rounding, so this must not be contracted into FMAs or
  // reassociated: the build uses ISO C++ (-ffp-contract=off) and no -ffast-math.
  const double total = sum + inc;
  if (std::isinf(total)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - total) + inc;
  } else {
    c += (inc - total) + sum;
  }
  return KahanState{total, c};
}

double KahanSum::Value() const {
  if (std::isinf(state_.sum)) return state_.sum;
  return state_.sum + state_.c;
}

void MeanAccumulator::Add(double v) {
  count_ += 1;
  if (!incremental_) {
    const KahanState next = KahanSumInc(v, sum_, c_);
    if (!std::isinf(next.sum)) {
      sum_ = next.sum;
      c_ = next.c;
      return;
    }
    // The direct sum would overflow: continue with an incremental mean from here on.
    incremental_ = true;
    mean_ = sum_ / (count_ - 1);
    c_ /= (count_ - 1);
  }
  const double q = (count_ - 1) / count_;
  const KahanState next = KahanSumInc(v / count_, q * mean_, q * c_);
  mean_ = next.sum;
  c_ = next.c;
}

double MeanAccumulator::Mean() const {
  if (incremental_) return mean_ + c_;
  return sum_ / count_ + c_ / count_;
}

VarianceAccumulator::VarianceAccumulator(double first)
    : mean_(first), m2_(std::isfinite(first) ? 0.0 : std::numeric_limits<double>::quiet_NaN()) {}

void VarianceAccumulator::Add(double v) {
  count_ += 1;
  const double delta = v - mean_;
  mean_ += delta / count_;
  m2_ += delta * (v - mean_);
}

double VarianceAccumulator::Stddev() const { return std::sqrt(Variance()); }

namespace {

// Ascending with NaN below every number (and NaNs equivalent to each other): a strict weak ordering.
bool NaNFirstLess(double a, double b) {
  if (std::isnan(a)) return !std::isnan(b);
  return a < b;
}

}  // namespace

void SortNaNFirst(std::span<double> values) { std::sort(values.begin(), values.end(), NaNFirstLess); }

double Quantile(double q, std::span<double> values) {
  if (values.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  SortNaNFirst(values);
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) + values[static_cast<size_t>(upper)] * weight;
}

double QuantileSelect(double q, std::span<double> values) {
  if (values.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  const size_t upper = static_cast<size_t>(std::min(n - 1, static_cast<double>(lower) + 1));
  const double weight = rank - std::floor(rank);
  // The order statistics at `lower` and `upper` are what a full sort would put there.
  std::nth_element(values.begin(), values.begin() + lower, values.end(), NaNFirstLess);
  const double lower_value = values[lower];
  double upper_value = lower_value;
  if (upper != lower) upper_value = *std::min_element(values.begin() + upper, values.end(), NaNFirstLess);
  return lower_value * (1 - weight) + upper_value * weight;
}

}  // namespace vigil::query::functions
