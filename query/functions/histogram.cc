#include "query/functions/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::query::functions {
namespace {

// Relative differences between neighbouring cumulative counts below this are floating-point noise (e.g. from
// sharded summation) and are ignored rather than reported as non-monotonic.
constexpr double kSmallDeltaTolerance = 1e-12;
constexpr double kMinNormal = 2.2250738585072014e-308;

double NaN() { return std::numeric_limits<double>::quiet_NaN(); }

// Prometheus' almost.Equal for the values a bucket count can take (stale markers never reach here).
bool AlmostEqual(double a, double b, double epsilon) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

// Sorts by upper bound (stable, so equal bounds keep their input order as they merge; a NaN bound, which
// Prometheus does not expect, sorts last and so makes the result NaN) and merges buckets with equal bounds by adding
// their counts. Returns the merged prefix.
std::span<Bucket> SortAndCoalesce(std::span<Bucket> buckets) {
  auto less = [](const Bucket& a, const Bucket& b) {
    if (std::isnan(a.upper_bound)) return false;
    return std::isnan(b.upper_bound) || a.upper_bound < b.upper_bound;
  };
  if (buckets.size() <= 64) {
    // Insertion sort: stable, allocation-free, and fast for the (usually already sorted) handful of buckets.
    for (size_t i = 1; i < buckets.size(); ++i) {
      const Bucket x = buckets[i];
      size_t j = i;
      for (; j > 0 && less(x, buckets[j - 1]); --j) buckets[j] = buckets[j - 1];
      buckets[j] = x;
    }
  } else {
    std::stable_sort(buckets.begin(), buckets.end(), less);
  }
  Bucket last = buckets[0];
  size_t i = 0;
  for (size_t j = 1; j < buckets.size(); ++j) {
    if (buckets[j].upper_bound == last.upper_bound) {
      last.count += buckets[j].count;
    } else {
      buckets[i++] = last;
      last = buckets[j];
    }
  }
  buckets[i] = last;
  return buckets.first(i + 1);
}

// Ignores insignificant differences and removes decreases between successive cumulative counts, recording what it
// changed in `result`.
void EnsureMonotonic(std::span<Bucket> buckets, BucketQuantileResult* result) {
  double min_bucket = std::numeric_limits<double>::infinity();
  double max_bucket = -std::numeric_limits<double>::infinity();
  double max_diff = 0;
  double prev = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    const double cur = buckets[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, kSmallDeltaTolerance)) {
      buckets[i].count = prev;
      result->fixed_precision = true;
      continue;
    }
    if (cur < prev) {
      buckets[i].count = prev;
      result->forced_monotonicity = true;
      min_bucket = std::min(min_bucket, buckets[i].upper_bound);
      max_bucket = std::max(max_bucket, buckets[i].upper_bound);
      max_diff = std::max(max_diff, prev - cur);
      continue;
    }
    prev = cur;
  }
  result->min_bucket = min_bucket;
  result->max_bucket = max_bucket;
  result->max_diff = max_diff;
}

}  // namespace

BucketQuantileResult BucketQuantile(double q, std::span<Bucket> buckets) {
  BucketQuantileResult result;
  if (std::isnan(q)) {
    result.value = NaN();
    return result;
  }
  if (q < 0) {
    result.value = -std::numeric_limits<double>::infinity();
    return result;
  }
  if (q > 1) {
    result.value = std::numeric_limits<double>::infinity();
    return result;
  }
  if (buckets.empty()) {
    result.value = NaN();
    return result;
  }
  buckets = SortAndCoalesce(buckets);
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) {
    result.value = NaN();
    return result;
  }
  EnsureMonotonic(buckets, &result);
  if (buckets.size() < 2) {
    result.value = NaN();
    return result;
  }
  const double observations = buckets.back().count;
  if (observations == 0) {
    result.value = NaN();
    return result;
  }
  double rank = q * observations;
  // The first bucket (excluding +Inf) whose cumulative count reaches the rank, or the +Inf bucket.
  // Go's sort.Search, step for step: with NaN counts the predicate is not monotonic and only the same bisection
  // gives the same bucket.
  size_t lo = 0;
  size_t hi = buckets.size() - 1;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (!(buckets[mid].count >= rank)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const size_t b = lo;
  if (b == buckets.size() - 1) {
    result.value = buckets[buckets.size() - 2].upper_bound;
  } else if (b == 0 && buckets[0].upper_bound <= 0) {
    result.value = buckets[0].upper_bound;
  } else {
    double bucket_start = 0;
    const double bucket_end = buckets[b].upper_bound;
    double count = buckets[b].count;
    if (b > 0) {
      bucket_start = buckets[b - 1].upper_bound;
      count -= buckets[b - 1].count;
      rank -= buckets[b - 1].count;
    }
    result.value = bucket_start + (bucket_end - bucket_start) * (rank / count);
  }
  return result;
}

double BucketFraction(double lower, double upper, std::span<Bucket> buckets) {
  if (buckets.empty()) return NaN();
  buckets = SortAndCoalesce(buckets);
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return NaN();
  const double count = buckets.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return NaN();
  if (lower >= upper) return 0;

  double rank = 0;
  double lower_rank = 0;
  double upper_rank = 0;
  bool lower_set = false;
  bool upper_set = false;
  // Positive buckets only when the first upper bound is above 0: the first bucket then starts at 0.
  double lower_bound = buckets[0].upper_bound <= 0 ? -std::numeric_limits<double>::infinity() : 0.0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const Bucket& b = buckets[i];
    if (i > 0) lower_bound = buckets[i - 1].upper_bound;
    const double upper_bound = b.upper_bound;
    // Rank at v inside this bucket. A bucket reaching down to -Inf cannot be interpolated and counts whole, as the
    // +Inf bucket contributes nothing (finite / Inf = 0).
    auto interpolate = [&](double v) {
      if (std::isinf(lower_bound) && lower_bound < 0) return b.count;
      return rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lower_bound >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = b.count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

}  // namespace vigil::query::functions
