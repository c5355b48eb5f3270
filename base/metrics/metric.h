// The three metric kinds of Vigil's self-monitoring: Counter, Gauge and Histogram.
//
// Updates are lock-free and allocation-free (relaxed atomics), so they are safe on any hot path: a sample append,
// a WAL write, an HTTP request. Values are read at scrape time by Registry::RenderText. Metrics are usually
// obtained from a Registry (registry.h), which owns them; standalone construction is for tests and embedding.
#ifndef VIGIL_BASE_METRICS_METRIC_H_
#define VIGIL_BASE_METRICS_METRIC_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace vigil::metrics {

// A monotonically increasing count (requests served, bytes written). Never goes down: negative, zero and NaN
// increments passed to Add() are ignored, because a counter that drops looks like a process restart to rate().
// Whole-number increments are counted exactly in a 64-bit integer; fractional ones (seconds spent) are summed
// in a double, so Inc() is a single atomic add.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds 1.
  void Inc() { whole_.fetch_add(1, std::memory_order_relaxed); }

  // Adds `delta` if it is > 0 (see the class comment); +Inf makes the counter +Inf.
  void Add(double delta) {
    if (!(delta > 0)) return;
    if (delta < kMaxExactInteger) {
      const auto whole = static_cast<uint64_t>(delta);
      if (static_cast<double>(whole) == delta) {
        whole_.fetch_add(whole, std::memory_order_relaxed);
        return;
      }
    }
    fraction_.fetch_add(delta, std::memory_order_relaxed);
  }

  // The current value.
  double Value() const;

  // Appends the current value in text-format spelling; exact even for integer counts beyond 2^53.
  void AppendText(std::string* out) const;

 private:
  static constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

  std::atomic<uint64_t> whole_{0};
  std::atomic<double> fraction_{0};
};

// A value that goes up and down (queue length, bytes in use, a timestamp).
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void Sub(double delta) { value_.fetch_sub(delta, std::memory_order_relaxed); }
  void Inc() { Add(1); }
  void Dec() { Sub(1); }
  // Sets the value to the current Unix time in seconds (with a fractional part), as Prometheus clients do for
  // "last successful run" style gauges.
  void SetToCurrentTime();

  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Checks histogram upper bounds: at least one finite bound, strictly increasing, no NaN. A trailing +Inf is
// allowed (the +Inf bucket always exists anyway). Registry::NewHistogram calls this.
absl::Status ValidateBuckets(std::span<const double> upper_bounds);

// Prometheus' default buckets, for request latencies in seconds: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
std::vector<double> DefaultBuckets();

// `count` bounds start, start+width, ... . Empty (which ValidateBuckets rejects) if count < 1 or width <= 0.
std::vector<double> LinearBuckets(double start, double width, int count);

// `count` bounds start, start*factor, ... . Empty (which ValidateBuckets rejects) if count < 1, start <= 0 or
// factor <= 1.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A histogram's counts at one moment: cumulative_counts[i] counts observations <= upper_bounds[i]; the last
// element is the +Inf bucket and equals `count`.
struct HistogramSnapshot {
  std::vector<uint64_t> cumulative_counts;
  double sum = 0;
  uint64_t count = 0;
};

// Counts observations (latencies, sizes) into buckets with fixed upper bounds, plus their sum and count. Bounds
// are inclusive, as Prometheus' `le` ("less or equal") says: Observe(0.1) lands in the le="0.1" bucket. NaN
// observations land in the +Inf bucket only (and make the sum NaN), as in the Go client.
class Histogram {
 public:
  // `upper_bounds` should pass ValidateBuckets (the registry checks it); a trailing +Inf is dropped. Unsorted
  // bounds give meaningless buckets but no undefined behaviour.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  // The finite upper bounds (without +Inf).
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

  // Reads the counts. Each bucket is read atomically but not all together, so a snapshot taken during concurrent
  // Observe calls may include an observation in the buckets but not yet in `sum` (or the reverse); `count` is
  // always the +Inf bucket, so the buckets themselves stay consistent.
  HistogramSnapshot Snapshot() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // Non-cumulative; upper_bounds_.size() + 1 (+Inf) entries.
  std::atomic<double> sum_{0};
};

}  // namespace vigil::metrics

#endif  // VIGIL_BASE_METRICS_METRIC_H_
