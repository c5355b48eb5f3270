#include "query/functions/range.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/functions/aggregate.h"

namespace vigil::query::functions {
namespace {

// A window length in seconds as Go's time.Duration.Seconds() computes it (whole seconds plus the remainder), so
// rates divide by the same double Prometheus does.
double RangeSeconds(TimestampMs range_start_ms, TimestampMs range_end_ms) {
  const int64_t ms = range_end_ms - range_start_ms;
  const int64_t whole = ms / 1000;
  const int64_t rem_ns = (ms % 1000) * 1000000;
  return static_cast<double>(whole) + static_cast<double>(rem_ns) / 1e9;
}

TimestampMs StartAt(StartTimestamps sts, size_t i) { return i < sts.size() ? sts[i] : 0; }

// Whether the current sample's start timestamp says the counter restarted between the previous and the current
// sample (Prometheus' isStartTimestampReset). 0 is "unknown"; ST == T is OTel's "unknown start".
bool IsStartTimestampReset(TimestampMs prev_st, TimestampMs prev_t, TimestampMs cur_st, TimestampMs cur_t) {
  if (cur_st == 0 || cur_st >= cur_t) return false;
  if (cur_st < prev_t) return false;
  if (cur_st > prev_t) return true;
  // cur_st == prev_t: a reset for delta-style series, not for cumulative series with unknown start.
  if (prev_st > prev_t) return false;
  return prev_st != 0 && prev_st != prev_t;
}

bool StartTimeOverlaps(TimestampMs prev_st, TimestampMs prev_t, TimestampMs cur_st) {
  return cur_st != 0 && cur_st < prev_t && cur_st != prev_st;
}

// Index of the first sample in [0, n) with t > bound, or n (Go's sort.Search over a prefix).
size_t FirstAfter(std::span<const Sample> s, size_t n, TimestampMs bound) {
  return static_cast<size_t>(
      std::partition_point(s.begin(), s.begin() + n, [bound](const Sample& x) { return x.t <= bound; }) - s.begin());
}

// Index of the first sample in [0, n) with t >= bound, or n.
size_t FirstAtOrAfter(std::span<const Sample> s, size_t n, TimestampMs bound) {
  return static_cast<size_t>(
      std::partition_point(s.begin(), s.begin() + n, [bound](const Sample& x) { return x.t < bound; }) - s.begin());
}

// The value at `t` on the line through p1 and p2; a counter that dropped is taken to restart from 0 at p1.
double Interpolate(const Sample& p1, const Sample& p2, TimestampMs t, bool is_counter) {
  double y1 = p1.v;
  const double y2 = p2.v;
  if (is_counter && y2 < y1) y1 = 0;
  return y1 + (y2 - y1) * static_cast<double>(t - p1.t) / static_cast<double>(p2.t - p1.t);
}

// The sum of values lost to counter resets along left, points..., right.
double CorrectForCounterResets(double left, double right, std::span<const Sample> points) {
  double correction = 0;
  double prev = left;
  for (const Sample& p : points) {
    if (p.v < prev) correction += prev;
    prev = p.v;
  }
  if (right < prev) correction += prev;
  return correction;
}

std::string GoPercentF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return absl::StrFormat("%f", v);
}

}  // namespace

std::optional<double> ExtrapolatedRate(std::span<const Sample> samples, TimestampMs range_start_ms,
                                       TimestampMs range_end_ms, bool is_counter, bool is_rate,
                                       StartTimestamps start_timestamps, RangeAnnotations* annotations,
                                       bool may_have_resets) {
  if (samples.empty()) return std::nullopt;
  const size_t num_minus_one = samples.size() - 1;
  const TimestampMs first_t = samples.front().t;
  const TimestampMs last_t = samples.back().t;
  double result = samples.back().v - samples.front().v;
  if (is_counter && (may_have_resets || !start_timestamps.empty())) {
    bool overlap_detected = false;
    for (size_t i = 1; i < samples.size(); ++i) {
      const Sample& prev = samples[i - 1];
      const Sample& cur = samples[i];
      const bool have_sts = i < start_timestamps.size();
      if (!overlap_detected && have_sts && StartTimeOverlaps(start_timestamps[i - 1], prev.t, start_timestamps[i])) {
        overlap_detected = true;
        if (annotations != nullptr) annotations->start_time_overlap = true;
      }
      if (cur.v < prev.v ||
          (have_sts && IsStartTimestampReset(start_timestamps[i - 1], prev.t, start_timestamps[i], cur.t))) {
        result += prev.v;
      }
    }
  }

  double duration_to_start = static_cast<double>(first_t - range_start_ms) / 1000;
  double duration_to_end = static_cast<double>(range_end_ms - last_t) / 1000;
  double sampled_interval = static_cast<double>(last_t - first_t) / 1000;
  double average_between_samples = 0;
  if (num_minus_one > 0) average_between_samples = sampled_interval / static_cast<double>(num_minus_one);
  const double extrapolation_threshold = average_between_samples * 1.1;

  const TimestampMs first_st = start_timestamps.empty() ? 0 : start_timestamps[0];
  if (is_counter && first_st != 0 && first_st > range_start_ms && first_st < first_t) {
    // The first sample's start lies inside the window: assume a zero sample there instead of extrapolating left.
    duration_to_start = 0;
    sampled_interval = static_cast<double>(last_t - first_st) / 1000;
    result += samples.front().v;
  } else if (num_minus_one == 0) {
    return std::nullopt;
  } else {
    // Extrapolate to the start only if the first sample is within ~1.1 sample intervals of it; otherwise assume
    // the series starts half an interval before its first sample.
    if (duration_to_start >= extrapolation_threshold) duration_to_start = average_between_samples / 2;
    if (is_counter) {
      // A counter cannot go below zero: stop extrapolating where the fitted line would cross zero.
      double duration_to_zero = duration_to_start;
      if (result > 0 && samples.front().v >= 0) duration_to_zero = sampled_interval * (samples.front().v / result);
      if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
    }
  }
  if (duration_to_end >= extrapolation_threshold) duration_to_end = average_between_samples / 2;

  double factor = 1.0;
  if (sampled_interval != 0) factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  if (is_rate) factor /= RangeSeconds(range_start_ms, range_end_ms);
  return result * factor;
}

std::optional<double> ExtendedRate(std::span<const Sample> samples, TimestampMs range_start_ms,
                                   TimestampMs range_end_ms, bool smoothed, bool is_counter, bool is_rate) {
  if (samples.empty()) return std::nullopt;
  size_t last = samples.size() - 1;
  size_t first = FirstAfter(samples, last, range_start_ms);
  first = first == 0 ? 0 : first - 1;
  if (smoothed) last = FirstAtOrAfter(samples, last, range_end_ms);
  if (samples[last].t <= range_start_ms) return std::nullopt;
  if (smoothed && samples[first].t > range_end_ms) return std::nullopt;

  double left = samples[first].v;
  if (smoothed && samples[first].t < range_start_ms) {
    left = Interpolate(samples[first], samples[first + 1], range_start_ms, is_counter);
  }
  double right = samples[last].v;
  if (smoothed && last > 0 && samples[last].t > range_end_ms) {
    right = Interpolate(samples[last - 1], samples[last], range_end_ms, is_counter);
  }
  double result = right - left;
  if (is_counter) {
    // Only samples strictly inside the window matter here; the boundary values already account for resets.
    size_t inner_first = first;
    size_t inner_end = last + 1;
    if (samples[first].t <= range_start_ms) ++inner_first;
    if (samples[last].t >= range_end_ms) --inner_end;
    if (inner_end < inner_first) inner_end = inner_first;
    result += CorrectForCounterResets(left, right, samples.subspan(inner_first, inner_end - inner_first));
  }
  if (is_rate) result /= RangeSeconds(range_start_ms, range_end_ms);
  return result;
}

std::vector<Sample> ExtendWindow(std::span<const Sample> samples, TimestampMs range_start_ms, TimestampMs range_end_ms,
                                 bool smoothed) {
  std::vector<Sample> out;
  if (samples.empty()) return out;
  size_t last = samples.size() - 1;
  size_t first = FirstAfter(samples, last, range_start_ms);
  first = first == 0 ? 0 : first - 1;
  if (smoothed) last = FirstAtOrAfter(samples, last, range_end_ms);
  if (samples[last].t <= range_start_ms) return out;
  double left = samples[first].v;
  if (smoothed && samples[first].t < range_start_ms) {
    left = Interpolate(samples[first], samples[first + 1], range_start_ms, false);
  }
  double right = samples[last].v;
  if (smoothed && last > 0 && samples[last].t > range_end_ms) {
    right = Interpolate(samples[last - 1], samples[last], range_end_ms, false);
  }
  size_t inner_first = first;
  size_t inner_end = last + 1;
  if (samples[first].t <= range_start_ms) ++inner_first;
  if (samples[last].t >= range_end_ms) --inner_end;
  if (inner_end < inner_first) inner_end = inner_first;
  out.reserve(inner_end - inner_first + 2);
  out.push_back({range_start_ms, left});
  out.insert(out.end(), samples.begin() + inner_first, samples.begin() + inner_end);
  out.push_back({range_end_ms, right});
  return out;
}

std::optional<double> InstantRate(std::span<const Sample> samples, bool is_rate, StartTimestamps start_timestamps) {
  if (samples.size() < 2) return std::nullopt;
  const size_t i1 = samples.size() - 1;
  const size_t i0 = i1 - 1;
  const Sample& s0 = samples[i0];
  const Sample& s1 = samples[i1];
  const int64_t interval_ms = s1.t - s0.t;
  if (interval_ms == 0) return std::nullopt;
  double result = s1.v;
  const bool reset =
      s1.v < s0.v || IsStartTimestampReset(StartAt(start_timestamps, i0), s0.t, StartAt(start_timestamps, i1), s1.t);
  // After a counter reset the last value itself is the increase.
  if (!is_rate || !reset) result = s1.v - s0.v;
  if (is_rate) result /= static_cast<double>(interval_ms) / 1000;
  return result;
}

std::optional<double> Changes(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  int64_t changes = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const double prev = samples[i - 1].v;
    const double cur = samples[i].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
  }
  return static_cast<double>(changes);
}

std::optional<double> Resets(std::span<const Sample> samples, StartTimestamps start_timestamps) {
  if (samples.empty()) return std::nullopt;
  int64_t resets = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const Sample& prev = samples[i - 1];
    const Sample& cur = samples[i];
    if (cur.v < prev.v ||
        IsStartTimestampReset(StartAt(start_timestamps, i - 1), prev.t, StartAt(start_timestamps, i), cur.t)) {
      ++resets;
    }
  }
  return static_cast<double>(resets);
}

std::optional<size_t> AnchoredFirstIndex(std::span<const Sample> samples, TimestampMs range_start_ms) {
  const size_t after = FirstAfter(samples, samples.size(), range_start_ms);
  if (after >= samples.size()) return std::nullopt;
  return after == 0 ? 0 : after - 1;
}

LinearFit LinearRegression(std::span<const Sample> samples, TimestampMs intercept_time_ms) {
  LinearFit fit;
  if (samples.empty()) {
    fit.slope = fit.intercept = std::nan("");
    return fit;
  }
  double n = 0;
  KahanState sum_x, sum_y, sum_xy, sum_x2;
  const double init_y = samples.front().v;
  bool const_y = true;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    // NaN != NaN, so a NaN sample ends the constant case as in Prometheus.
    if (const_y && i > 0 && s.v != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(s.t - intercept_time_ms) / 1e3;
    sum_x = KahanSumInc(x, sum_x.sum, sum_x.c);
    sum_y = KahanSumInc(s.v, sum_y.sum, sum_y.c);
    sum_xy = KahanSumInc(x * s.v, sum_xy.sum, sum_xy.c);
    sum_x2 = KahanSumInc(x * x, sum_x2.sum, sum_x2.c);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      fit.slope = fit.intercept = std::nan("");
      return fit;
    }
    fit.slope = 0;
    fit.intercept = init_y;
    return fit;
  }
  const double sx = sum_x.sum + sum_x.c;
  const double sy = sum_y.sum + sum_y.c;
  const double sxy = sum_xy.sum + sum_xy.c;
  const double sx2 = sum_x2.sum + sum_x2.c;
  const double cov_xy = sxy - sx * sy / n;
  const double var_x = sx2 - sx * sx / n;
  fit.slope = cov_xy / var_x;
  fit.intercept = sy / n - fit.slope * sx / n;
  return fit;
}

std::optional<double> Deriv(std::span<const Sample> samples) {
  if (samples.size() < 2) return std::nullopt;
  // Times relative to the first sample keep the sums small (Prometheus issue 2674).
  return LinearRegression(samples, samples.front().t).slope;
}

std::optional<double> PredictLinear(std::span<const Sample> samples, TimestampMs eval_t_ms, double duration_s) {
  if (samples.size() < 2) return std::nullopt;
  const LinearFit fit = LinearRegression(samples, eval_t_ms);
  return fit.slope * duration_s + fit.intercept;
}

absl::Status ValidateSmoothingFactors(double sf, double tf) {
  if (sf <= 0 || sf >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid smoothing factor. Expected: 0 < sf < 1, got: ", GoPercentF(sf)));
  }
  if (tf <= 0 || tf >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid trend factor. Expected: 0 < tf < 1, got: ", GoPercentF(tf)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<double>> DoubleExponentialSmoothing(std::span<const Sample> samples, double sf,
                                                                 double tf) {
  if (absl::Status s = ValidateSmoothingFactors(sf, tf); !s.ok()) return s;
  if (samples.size() < 2) return std::optional<double>();
  double s0 = 0;
  double s1 = samples[0].v;
  double b = samples[1].v - samples[0].v;
  for (size_t i = 1; i < samples.size(); ++i) {
    const double x = sf * samples[i].v;
    // The trend at i-1; at the very first step it is the initial difference.
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return std::optional<double>(s1);
}

}  // namespace vigil::query::functions
