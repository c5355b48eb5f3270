// Classic-histogram kernels of PromQL: histogram_quantile() and histogram_fraction() over the `le` buckets of one
// histogram (one label set without `le`) at one evaluation step.
//
//   std::vector<functions::Bucket> b = {{0.1, 3}, {0.5, 8}, {inf, 10}};
//   functions::BucketQuantileResult r = functions::BucketQuantile(0.9, b);   // r.value == 0.5 (falls in +Inf)
#ifndef VIGIL_QUERY_FUNCTIONS_HISTOGRAM_H_
#define VIGIL_QUERY_FUNCTIONS_HISTOGRAM_H_

#include <span>

namespace vigil::query::functions {

// One cumulative bucket of a classic histogram: `count` observations were <= `upper_bound` (the `le` label parsed
// as a float; "+Inf" is infinity).
struct Bucket {
  double upper_bound = 0;
  double count = 0;
};

// The outcome of BucketQuantile with the facts Prometheus reports as annotations.
struct BucketQuantileResult {
  double value = 0;
  // Counts decreased from one bucket to the next and were raised to keep them monotonic; the engine emits
  // Prometheus' "PromQL info: input to histogram_quantile needed to be fixed for monotonicity" with the fields
  // below, merged across steps as Prometheus merges them.
  bool forced_monotonicity = false;
  // Numerically insignificant differences (relative < 1e-12) between neighbouring buckets were ignored. Prometheus
  // reports nothing for this.
  bool fixed_precision = false;
  // The lowest and highest upper bound whose count was raised, and the largest drop that was fixed (meaningful
  // only with forced_monotonicity).
  double min_bucket = 0;
  double max_bucket = 0;
  double max_diff = 0;
};

// histogram_quantile(q, classic buckets), as Prometheus' BucketQuantile. `buckets` is sorted by upper bound and its
// counts are edited in place (equal bounds merged into the sorted prefix, monotonicity fixed), so pass a scratch
// copy. Rules: NaN q -> NaN; q < 0 -> -Inf; q > 1 -> +Inf; empty input, no +Inf bucket, fewer than two distinct
// bounds or zero observations -> NaN. The quantile is interpolated linearly inside its bucket, assuming a lower
// bound of 0 for the first bucket when its upper bound is positive (otherwise that upper bound is the answer); a
// quantile in the +Inf bucket returns the second-highest upper bound. The engine warns for q outside [0, 1]
// (IsValidQuantile in aggregate.h).
BucketQuantileResult BucketQuantile(double q, std::span<Bucket> buckets);

// histogram_fraction(lower, upper, classic buckets): the estimated fraction of observations in [lower, upper], by
// linear interpolation inside buckets (Prometheus' BucketFraction); the +Inf bucket and a first bucket reaching down
// to -Inf contribute nothing to interpolation. NaN when empty, when there is no +Inf bucket, with zero observations
// or a NaN bound; 0 when lower >= upper. Sorts and merges `buckets` in place like BucketQuantile.
double BucketFraction(double lower, double upper, std::span<Bucket> buckets);

}  // namespace vigil::query::functions

#endif  // VIGIL_QUERY_FUNCTIONS_HISTOGRAM_H_
