#include "query/functions/over_time.h"

#include <cmath>
#include <limits>

#include "query/functions/aggregate.h"

namespace vigil::query::functions {
namespace {

// Picks the sample `better(candidate, current)` prefers, scanning oldest to newest; a NaN current value is always
// replaced (so NaN wins only when every sample is NaN).
template <typename Better>
const Sample& Select(std::span<const Sample> samples, Better better) {
  const Sample* best = &samples.front();
  for (const Sample& s : samples) {
    if (better(s.v, best->v) || std::isnan(best->v)) best = &s;
  }
  return *best;
}

double Seconds(TimestampMs t) { return static_cast<double>(t) / 1000; }

double Variance(std::span<const Sample> samples) {
  double count = 0;
  KahanState mean, aux;
  for (const Sample& s : samples) {
    count += 1;
    const double delta = s.v - (mean.sum + mean.c);
    mean = KahanSumInc(delta / count, mean.sum, mean.c);
    aux = KahanSumInc(delta * (s.v - (mean.sum + mean.c)), aux.sum, aux.c);
  }
  return (aux.sum + aux.c) / count;
}

std::span<double> CopyValues(std::span<const Sample> samples, std::vector<double>* scratch,
                             std::vector<double>* local) {
  std::vector<double>* out = scratch != nullptr ? scratch : local;
  out->clear();
  out->reserve(samples.size());
  for (const Sample& s : samples) out->push_back(s.v);
  return std::span<double>(*out);
}

}  // namespace

std::optional<double> AvgOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  MeanAccumulator mean(samples.front().v);
  for (const Sample& s : samples.subspan(1)) mean.Add(s.v);
  return mean.Mean();
}

std::optional<double> SumOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  KahanSum sum;
  for (const Sample& s : samples) sum.Add(s.v);
  return sum.Value();
}

std::optional<double> CountOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return static_cast<double>(samples.size());
}

std::optional<double> MinOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Select(samples, [](double cur, double best) { return cur < best; }).v;
}

std::optional<double> MaxOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Select(samples, [](double cur, double best) { return cur > best; }).v;
}

std::optional<double> FirstOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return samples.front().v;
}

std::optional<double> LastOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return samples.back().v;
}

std::optional<double> PresentOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return 1.0;
}

std::optional<double> StddevOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return std::sqrt(Variance(samples));
}

std::optional<double> StdvarOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Variance(samples);
}

std::optional<double> QuantileOverTime(double q, std::span<const Sample> samples, std::vector<double>* scratch) {
  if (samples.empty()) return std::nullopt;
  std::vector<double> local;
  return QuantileSelect(q, CopyValues(samples, scratch, &local));
}

std::optional<double> MadOverTime(std::span<const Sample> samples, std::vector<double>* scratch) {
  if (samples.empty()) return std::nullopt;
  for (const Sample& s : samples) {
    // The median, and so the deviation, is undefined with a NaN sample.
    if (std::isnan(s.v)) return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> local;
  std::span<double> values = CopyValues(samples, scratch, &local);
  const double median = QuantileSelect(0.5, values);
  for (double& v : values) v = std::fabs(v - median);
  return QuantileSelect(0.5, values);
}

std::optional<double> TsOfMinOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Seconds(Select(samples, [](double cur, double best) { return cur <= best; }).t);
}

std::optional<double> TsOfMaxOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Seconds(Select(samples, [](double cur, double best) { return cur >= best; }).t);
}

std::optional<double> TsOfFirstOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Seconds(samples.front().t);
}

std::optional<double> TsOfLastOverTime(std::span<const Sample> samples) {
  if (samples.empty()) return std::nullopt;
  return Seconds(samples.back().t);
}

}  // namespace vigil::query::functions
