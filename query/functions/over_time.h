// The *_over_time kernels of PromQL for float samples: one value summarising a series' samples in a window.
//
// Inputs are one series' samples in the window (range_start, range_end], oldest first, stale markers removed. An
// empty window yields std::nullopt (no output element), as in Prometheus; so does every kernel below for empty
// input. Native-histogram samples are not handled here: the engine passes the float samples only and raises the
// "histogram ignored" annotations itself.
//
//   std::optional<double> avg = functions::AvgOverTime(window);
#ifndef VIGIL_QUERY_FUNCTIONS_OVER_TIME_H_
#define VIGIL_QUERY_FUNCTIONS_OVER_TIME_H_

#include <optional>
#include <span>
#include <vector>

#include "model/sample.h"

namespace vigil::query::functions {

// avg_over_time(): the mean, summed with Kahan compensation; once the running sum would overflow to ±Inf it
// switches to an incremental mean (as Prometheus 3), so avg of {1e308, 1e308} is 1e308, not +Inf.
std::optional<double> AvgOverTime(std::span<const Sample> samples);

// sum_over_time(): Kahan-compensated sum (an infinite sum is returned without its compensation term).
std::optional<double> SumOverTime(std::span<const Sample> samples);

// count_over_time(): the number of samples.
std::optional<double> CountOverTime(std::span<const Sample> samples);

// min_over_time() / max_over_time(): NaN only wins when every sample is NaN (a NaN running value is replaced by
// the next sample, and a NaN sample never replaces a number).
std::optional<double> MinOverTime(std::span<const Sample> samples);
std::optional<double> MaxOverTime(std::span<const Sample> samples);

// first_over_time() / last_over_time(): the oldest / newest sample's value.
std::optional<double> FirstOverTime(std::span<const Sample> samples);
std::optional<double> LastOverTime(std::span<const Sample> samples);

// present_over_time(): 1 for a non-empty window.
std::optional<double> PresentOverTime(std::span<const Sample> samples);

// stddev_over_time() / stdvar_over_time(): population standard deviation / variance, by Welford's method with
// Kahan-compensated mean and sum of squares (Prometheus' varianceOverTime). Any NaN or ±Inf yields NaN.
std::optional<double> StddevOverTime(std::span<const Sample> samples);
std::optional<double> StdvarOverTime(std::span<const Sample> samples);

// quantile_over_time(q, ...): the φ-quantile with linear interpolation between closest ranks (see Quantile in
// aggregate.h): q < 0 gives -Inf, q > 1 gives +Inf, NaN q gives NaN; NaN samples sort below all numbers. The
// engine warns for q outside [0, 1] (IsValidQuantile in aggregate.h). `scratch`, if given, is reused for the sorted
// copy so a caller looping over series allocates once.
std::optional<double> QuantileOverTime(double q, std::span<const Sample> samples,
                                       std::vector<double>* scratch = nullptr);

// mad_over_time(): the median absolute deviation from the median. Any NaN sample makes it NaN.
std::optional<double> MadOverTime(std::span<const Sample> samples, std::vector<double>* scratch = nullptr);

// ts_of_min_over_time() / ts_of_max_over_time(): the timestamp in seconds of the minimum / maximum value; on ties
// the newest such sample wins. NaN handling as MinOverTime/MaxOverTime.
std::optional<double> TsOfMinOverTime(std::span<const Sample> samples);
std::optional<double> TsOfMaxOverTime(std::span<const Sample> samples);

// ts_of_first_over_time() / ts_of_last_over_time(): the oldest / newest sample's timestamp in seconds.
std::optional<double> TsOfFirstOverTime(std::span<const Sample> samples);
std::optional<double> TsOfLastOverTime(std::span<const Sample> samples);

}  // namespace vigil::query::functions

#endif  // VIGIL_QUERY_FUNCTIONS_OVER_TIME_H_
