#include "base/metrics/metric.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/metrics/text_format.h"

namespace vigil::metrics {

double Counter::Value() const {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) + fraction_.load(std::memory_order_relaxed);
}

void Counter::AppendText(std::string* out) const {
  const uint64_t whole = whole_.load(std::memory_order_relaxed);
  const double fraction = fraction_.load(std::memory_order_relaxed);
  if (fraction == 0) {
    char buf[24];
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), whole);
    out->append(buf, r.ptr);
    return;
  }
  AppendValue(static_cast<double>(whole) + fraction, out);
}

void Gauge::SetToCurrentTime() { Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())); }

absl::Status ValidateBuckets(std::span<const double> upper_bounds) {
  size_t n = upper_bounds.size();
  if (n > 0 && upper_bounds[n - 1] == INFINITY) --n;
  if (n == 0) return absl::InvalidArgumentError("a histogram needs at least one finite bucket upper bound");
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(upper_bounds[i])) return absl::InvalidArgumentError("histogram bucket upper bound is NaN");
    if (i > 0 && !(upper_bounds[i - 1] < upper_bounds[i])) {
      return absl::InvalidArgumentError(absl::StrCat("histogram bucket upper bounds must be strictly increasing, but ",
                                                     FormatValue(upper_bounds[i]), " follows ",
                                                     FormatValue(upper_bounds[i - 1])));
    }
  }
  return absl::OkStatus();
}

std::vector<double> DefaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

std::vector<double> LinearBuckets(double start, double width, int count) {
  std::vector<double> bounds;
  if (count < 1 || !(width > 0)) return bounds;
  bounds.reserve(count);
  for (int i = 0; i < count; ++i) bounds.push_back(start + width * i);
  return bounds;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  if (count < 1 || !(start > 0) || !(factor > 1)) return bounds;
  bounds.reserve(count);
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) bounds.push_back(bound);
  return bounds;
}

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  if (!upper_bounds_.empty() && upper_bounds_.back() == INFINITY) upper_bounds_.pop_back();
  const size_t n = upper_bounds_.size() + 1;
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(n);
  for (size_t i = 0; i < n; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // The first bound >= value: bounds are inclusive. NaN compares false with everything, so it goes to +Inf.
  const size_t bucket = std::isnan(value)
                            ? upper_bounds_.size()
                            : static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                                                  upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  const size_t n = upper_bounds_.size() + 1;
  s.cumulative_counts.resize(n);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative_counts[i] = total;
  }
  s.count = total;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace vigil::metrics
