// Range aggregations (count_over_time, rate, *_over_time over unwrapped values...): samples extracted from the
// selected entries once for the whole query, then one window per step, (t - offset - range, t - offset], as
// Loki's batchRangeVectorIterator (the lower bound is not inclusive, the upper one is).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/functions/aggregate.h"
#include "query/logengine/eval_internal.h"
#include "query/logql/pipeline.h"

namespace vigil::logengine::internal {
namespace {

using logql::RangeOp;
using tsdb::logs::Direction;
using tsdb::logs::LogEntryRef;

// The samples of one output series before windowing; t in nanoseconds.
struct RawSeries {
  Labels labels;
  std::vector<Sample> samples;
  bool sorted = true;
};

Labels ApplyGrouping(const Labels& labels, const logql::Grouping& g) {
  LabelsBuilder b(labels);
  if (g.without) {
    b.Drop(g.labels);
  } else {
    b.Keep(g.labels);
  }
  return b.Build();
}

// Loki's extrapolatedRate for rate_counter, kept with its units as Loki computes them (sample times in
// nanoseconds, the range subtracted in milliseconds, durations divided by 1000), so results match Loki's.
double RateCounter(std::span<const Sample> s, int64_t range_ns) {
  if (s.size() < 2) return 0;
  const int64_t range_ms = range_ns / 1000000;
  const int64_t range_start = s.front().t - range_ms;
  const int64_t range_end = s.back().t;
  double result = s.back().v - s.front().v;
  double last = 0;
  for (const Sample& p : s) {
    if (p.v < last) result += last;
    last = p.v;
  }
  double to_start = static_cast<double>(s.front().t - range_start) / 1000;
  double to_end = static_cast<double>(range_end - s.back().t) / 1000;
  double sampled = static_cast<double>(s.back().t - s.front().t) / 1000;
  double avg_gap = sampled / static_cast<double>(s.size() - 1);
  if (result > 0 && s.front().v >= 0) {
    double to_zero = sampled * (s.front().v / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  double threshold = avg_gap * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_gap / 2;
  interval += to_end < threshold ? to_end : avg_gap / 2;
  result = result * (interval / sampled);
  return result / (static_cast<double>(range_ns) / 1e9);
}

// One window's value, as Loki's aggregator functions compute it.
double Aggregate(const logql::RangeAggregationExpr& e, std::span<const Sample> s, std::vector<double>* scratch) {
  const double range_s = static_cast<double>(e.range_ns) / 1e9;
  auto sum = [&] {
    double total = 0;
    for (const Sample& p : s) total += p.v;
    return total;
  };
  switch (e.op) {
    case RangeOp::kCountOverTime:
      return static_cast<double>(s.size());
    case RangeOp::kRate:
      return e.unwrap ? sum() / range_s : static_cast<double>(s.size()) / range_s;
    case RangeOp::kRateCounter:
      return RateCounter(s, e.range_ns);
    case RangeOp::kBytesOverTime:
    case RangeOp::kSumOverTime:
      return sum();
    case RangeOp::kBytesRate:
      return sum() / range_s;
    case RangeOp::kAvgOverTime: {
      double mean = 0, count = 0;
      for (const Sample& p : s) {
        ++count;
        if (std::isinf(mean)) {
          if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
          if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
        }
        mean += p.v / count - mean / count;
      }
      return mean;
    }
    case RangeOp::kMinOverTime: {
      double m = s.front().v;
      for (const Sample& p : s) m = query::functions::MinStep(m, p.v);
      return m;
    }
    case RangeOp::kMaxOverTime: {
      double m = s.front().v;
      for (const Sample& p : s) m = query::functions::MaxStep(m, p.v);
      return m;
    }
    case RangeOp::kStdvarOverTime:
    case RangeOp::kStddevOverTime: {
      double aux = 0, count = 0, mean = 0;
      for (const Sample& p : s) {
        ++count;
        double delta = p.v - mean;
        mean += delta / count;
        aux += delta * (p.v - mean);
      }
      return e.op == RangeOp::kStdvarOverTime ? aux / count : std::sqrt(aux / count);
    }
    case RangeOp::kQuantileOverTime: {
      scratch->clear();
      for (const Sample& p : s) scratch->push_back(p.v);
      return query::functions::Quantile(e.param.value_or(0), *scratch);
    }
    case RangeOp::kFirstOverTime:
      return s.front().v;
    case RangeOp::kLastOverTime:
      return s.back().v;
    case RangeOp::kAbsentOverTime:
      return 1;
  }
  return 0;
}

// The labels absent_over_time reports: the selector's equality matchers (a name matched twice is left out), as
// Loki's absentLabels.
Labels AbsentLabels(const logql::RangeAggregationExpr& e) {
  LabelsBuilder b;
  absl::flat_hash_map<std::string, int> seen;
  for (const Matcher& m : e.selector->matchers) ++seen[m.name()];
  for (const Matcher& m : e.selector->matchers) {
    if (m.type() == MatchType::kEqual && seen[m.name()] == 1) b.Set(m.name(), m.value());
  }
  Labels l = b.Build();
  if (e.grouping) l = ApplyGrouping(l, *e.grouping);
  return l;
}

}  // namespace

absl::Status PipelineError(const logql::LineLabels& labels) {
  Labels built = labels.Build();
  const std::string& err = labels.error();
  return absl::InvalidArgumentError(absl::StrCat(
      "pipeline error: '", err, "' for series: '", built.ToString(),
      "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"", err,
      "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\nThe label filter can "
      "also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n"));
}

absl::StatusOr<EvalValue> EvalRangeAggregation(const logql::RangeAggregationExpr& e, const EvalContext& ctx) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<logql::SampleExtractor> extractor, logql::SampleExtractor::Compile(e));
  const std::vector<int64_t>& steps = ctx.steps_ns;
  // Samples of the window (first - offset - range, last - offset]; the store's range is [start, end).
  const int64_t data_start = steps.front() - e.offset_ns - e.range_ns + 1;
  const int64_t data_end = steps.back() - e.offset_ns + 1;

  std::vector<RawSeries> series;
  absl::flat_hash_map<Labels, size_t> index;
  auto series_of = [&](Labels labels) -> size_t {
    if (e.grouping) labels = ApplyGrouping(labels, *e.grouping);
    auto [it, inserted] = index.try_emplace(labels, series.size());
    if (inserted) series.push_back(RawSeries{.labels = std::move(labels), .samples = {}, .sorted = true});
    return it->second;
  };
  Labels scratch;
  QueryStats* stats = ctx.stats;

  VIGIL_RETURN_IF_ERROR(
      ctx.querier->ForEachStream(e.selector->matchers, data_start, data_end, Direction::kForward,
                                 [&](const Labels& stream, std::span<const LogEntryRef> entries) -> absl::Status {
                                   ++stats->streams;
                                   size_t stream_series = std::numeric_limits<size_t>::max();
                                   for (const LogEntryRef& entry : entries) {
                                     ++stats->lines_processed;
                                     stats->bytes_processed += entry.line.size();
                                     const Labels& input = EntryLabels(stream, entry.structured_metadata, &scratch);
                                     double v = 0;
                                     if (!extractor->Process(entry.timestamp_ns, entry.line, input, &v)) continue;
                                     ++stats->post_filter_lines;
                                     const logql::LineLabels& ll = extractor->labels();
                                     if (ll.HasError()) return PipelineError(ll);
                                     size_t idx = 0;
                                     if (!ll.Changed() && entry.structured_metadata.empty()) {
                                       if (stream_series == std::numeric_limits<size_t>::max())
                                         stream_series = series_of(stream);
                                       idx = stream_series;
                                     } else {
                                       idx = series_of(ll.Build());
                                     }
                                     RawSeries& s = series[idx];
                                     if (!s.samples.empty() && s.samples.back().t > entry.timestamp_ns)
                                       s.sorted = false;
                                     s.samples.push_back(Sample{entry.timestamp_ns, v});
                                   }
                                   return absl::OkStatus();
                                 }));

  for (RawSeries& s : series) {
    if (!s.sorted) {
      std::stable_sort(s.samples.begin(), s.samples.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
    }
  }

  EvalValue out;
  out.steps.resize(steps.size());
  std::vector<size_t> lo(series.size(), 0), hi(series.size(), 0);
  std::vector<double> scratch_values;
  const bool absent = e.op == RangeOp::kAbsentOverTime;
  Labels absent_labels = absent ? AbsentLabels(e) : Labels();
  for (size_t i = 0; i < steps.size(); ++i) {
    const int64_t window_end = steps[i] - e.offset_ns;
    const int64_t window_start = window_end - e.range_ns;
    StepVector& vec = out.steps[i];
    for (size_t j = 0; j < series.size(); ++j) {
      const std::vector<Sample>& samples = series[j].samples;
      while (lo[j] < samples.size() && samples[lo[j]].t <= window_start) ++lo[j];
      if (hi[j] < lo[j]) hi[j] = lo[j];
      while (hi[j] < samples.size() && samples[hi[j]].t <= window_end) ++hi[j];
      if (hi[j] == lo[j]) continue;
      if (absent) {
        vec.clear();
        break;
      }
      std::span<const Sample> window(samples.data() + lo[j], hi[j] - lo[j]);
      vec.push_back(Elem{.labels = series[j].labels, .v = Aggregate(e, window, &scratch_values)});
    }
    if (absent) {
      bool any = false;
      for (size_t j = 0; j < series.size() && !any; ++j) any = hi[j] > lo[j];
      if (!any) vec.push_back(Elem{.labels = absent_labels, .v = 1});
    }
  }
  return out;
}

}  // namespace vigil::logengine::internal
