// Range-vector kernels of PromQL: rate/increase/delta (with Prometheus 3's extrapolation), irate/idelta, changes,
// resets, deriv, predict_linear and double_exponential_smoothing, for float samples.
//
// Each kernel works on one series' samples as the engine selected them for one evaluation step: oldest first,
// stale markers removed, restricted to the left-open window (range_start_ms, range_end_ms] unless a kernel says
// otherwise (the anchored/smoothed variants). A result of std::nullopt means "this series contributes no output
// element at this step", exactly where Prometheus drops the element.
//
//   std::span<const Sample> w = ...;  // samples in (t - 5m, t]
//   std::optional<double> r = functions::ExtrapolatedRate(w, t - 300000, t, /*is_counter=*/true, /*is_rate=*/true);
#ifndef VIGIL_QUERY_FUNCTIONS_RANGE_H_
#define VIGIL_QUERY_FUNCTIONS_RANGE_H_

#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "model/sample.h"

namespace vigil::query::functions {

// Per-sample start ("created") timestamps in milliseconds, parallel to a span of samples (index i belongs to
// sample i); 0 means unknown. An empty span means the series carries none, which is the usual case. A shorter span
// than the samples covers only its prefix, as in Prometheus.
using StartTimestamps = std::span<const TimestampMs>;

// Annotations a range kernel may raise. The engine turns a set flag into Prometheus' message for the series.
struct RangeAnnotations {
  // A sample's start timestamp lies before the previous sample's timestamp and differs from the previous start
  // timestamp ("PromQL warning: start timestamp overlap ..."); raised at most once per call.
  bool start_time_overlap = false;
};

// rate(), increase() and delta() over the default (non-anchored, non-smoothed) window, as Prometheus 3's
// extrapolatedRate: the difference between the last and first sample, corrected for counter resets when
// `is_counter` (a drop in value, or a start-timestamp reset, adds the previous value), extrapolated towards the
// window's edges when the first/last samples lie within 1.1 average sample intervals of them (else by half an
// interval), never extrapolating a counter below zero, and divided by the window length in seconds when
// `is_rate`.
//
// rate = (counter, rate), increase = (counter, !rate), delta = (!counter, !rate).
// Returns nullopt with fewer than two samples, unless `start_timestamps` put the first sample's start inside the
// window (then a single sample suffices, as in Prometheus 3.12+). Window bounds are the selector's, i.e.
// range_start_ms = eval_t - range - offset and range_end_ms = eval_t - offset.
// `may_have_resets` false tells that no sample of `samples` is below its predecessor (the engine knows it from a
// per-series count): the scan for counter resets is then skipped, with the same result.
std::optional<double> ExtrapolatedRate(std::span<const Sample> samples, TimestampMs range_start_ms,
                                       TimestampMs range_end_ms, bool is_counter, bool is_rate,
                                       StartTimestamps start_timestamps = {}, RangeAnnotations* annotations = nullptr,
                                       bool may_have_resets = true);

// rate(), increase() and delta() for the `anchored` and `smoothed` selector modifiers (Prometheus 3.7+'s
// extendedRate). Unlike the other kernels, `samples` are all samples the engine loaded for the extended window, as
// Prometheus loads them: (range_start_ms - lookback_delta, range_end_ms] for `anchored`, and
// (range_start_ms - lookback_delta, range_end_ms + lookback_delta] for `smoothed`. The kernel picks the last sample
// at or before range_start_ms (and, smoothed, the first at or after range_end_ms) itself. Anchored takes the
// boundary samples as they are; smoothed interpolates linearly to both window edges (treating a drop as a reset
// from zero for counters). Returns nullopt for an empty input, when no sample lies after range_start_ms, or
// (smoothed) when no sample lies at or before range_end_ms.
std::optional<double> ExtendedRate(std::span<const Sample> samples, TimestampMs range_start_ms,
                                   TimestampMs range_end_ms, bool smoothed, bool is_counter, bool is_rate);

// irate() (`is_rate`) and idelta() (!`is_rate`): the difference of the last two samples, per second for irate.
// For irate, a drop in value (or a start-timestamp reset) means a reset, so the last value itself is the increase.
// Returns nullopt with fewer than two samples or when the last two share a timestamp.
std::optional<double> InstantRate(std::span<const Sample> samples, bool is_rate, StartTimestamps start_timestamps = {});

// changes(): how often the value changed between consecutive samples (NaN to NaN is no change). nullopt when
// empty. For `anchored` selectors pass the window starting at the last sample at or before the range start (see
// AnchoredFirstIndex).
std::optional<double> Changes(std::span<const Sample> samples);

// resets(): how often the value dropped between consecutive samples, or a start timestamp signalled a reset.
// nullopt when empty. For `anchored` selectors pass the window as for Changes.
std::optional<double> Resets(std::span<const Sample> samples, StartTimestamps start_timestamps = {});

// The range vector a bare `anchored`/`smoothed` matrix selector returns (Prometheus' extendFloats): a sample at
// range_start_ms with the boundary value (anchored: the last sample at or before the start; smoothed: interpolated
// there), the samples strictly inside (range_start_ms, range_end_ms), and a sample at range_end_ms with the last
// value (smoothed: interpolated to the end). `samples` as for ExtendedRate. Empty when no sample lies after
// range_start_ms. Interpolation treats values as a gauge, as Prometheus does here.
std::vector<Sample> ExtendWindow(std::span<const Sample> samples, TimestampMs range_start_ms, TimestampMs range_end_ms,
                                 bool smoothed);

// For `anchored` changes()/resets(): the index in `samples` (all loaded samples of the extended window, oldest
// first, loaded as for ExtendedRate's anchored case) of the first sample to consider, i.e. the last one at or before
// range_start_ms, or 0 if there is none. Returns nullopt when no sample lies after range_start_ms (Prometheus then
// outputs nothing). Subspan the start timestamps, if any, the same way.
std::optional<size_t> AnchoredFirstIndex(std::span<const Sample> samples, TimestampMs range_start_ms);

// Least-squares fit of value against time (seconds relative to `intercept_time_ms`), with Kahan-compensated sums
// as Prometheus' linearRegression. A constant series has slope 0 and intercept equal to the value, unless that
// value is ±Inf (then both are NaN). Empty input gives NaN for both.
struct LinearFit {
  double slope = 0;
  double intercept = 0;
};
LinearFit LinearRegression(std::span<const Sample> samples, TimestampMs intercept_time_ms);

// deriv(): the per-second slope of the least-squares fit. nullopt with fewer than two samples.
std::optional<double> Deriv(std::span<const Sample> samples);

// predict_linear(v, duration_s): the fitted value `duration_s` seconds after `eval_t_ms` (the evaluation
// timestamp, not the window end). nullopt with fewer than two samples.
std::optional<double> PredictLinear(std::span<const Sample> samples, TimestampMs eval_t_ms, double duration_s);

// Checks double_exponential_smoothing's factors as Prometheus does: an InvalidArgument error (the whole query
// fails) unless 0 < sf < 1 and 0 < tf < 1. NaN passes the check, as it does in Prometheus. The messages match
// Prometheus': "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000".
absl::Status ValidateSmoothingFactors(double sf, double tf);

// double_exponential_smoothing(v, sf, tf) (Holt's linear method, formerly holt_winters): the last smoothed value.
// Fails as ValidateSmoothingFactors (checked before looking at the samples, so it fails even for short series);
// otherwise nullopt with fewer than two samples.
absl::StatusOr<std::optional<double>> DoubleExponentialSmoothing(std::span<const Sample> samples, double sf, double tf);

}  // namespace vigil::query::functions

#endif  // VIGIL_QUERY_FUNCTIONS_RANGE_H_
