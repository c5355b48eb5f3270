// Functions over a range vector (matrix selector or subquery): rate, increase, delta, irate, idelta, changes,
// resets, deriv, predict_linear, double_exponential_smoothing, every *_over_time and absent_over_time. Each series'
// samples are loaded once and a left-open window (t - range, t] slides over them step by step.
#include "query/engine/range_functions.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/engine/eval.h"
#include "query/functions/aggregate.h"
#include "query/functions/over_time.h"
#include "query/functions/range.h"
#include "query/promql/functions.h"

namespace vigil::query::internal {
namespace {

enum class RangeFn {
  kRate,
  kIncrease,
  kDelta,
  kIrate,
  kIdelta,
  kChanges,
  kResets,
  kDeriv,
  kPredictLinear,
  kDoubleExponentialSmoothing,
  kAvg,
  kSum,
  kCount,
  kMin,
  kMax,
  kFirst,
  kLast,
  kPresent,
  kStddev,
  kStdvar,
  kQuantile,
  kMad,
  kTsOfMin,
  kTsOfMax,
  kTsOfFirst,
  kTsOfLast,
  kAbsent,
};

const absl::flat_hash_map<std::string_view, RangeFn>& RangeFunctions() {
  static const auto* m = new absl::flat_hash_map<std::string_view, RangeFn>{
      {"rate", RangeFn::kRate},
      {"increase", RangeFn::kIncrease},
      {"delta", RangeFn::kDelta},
      {"irate", RangeFn::kIrate},
      {"idelta", RangeFn::kIdelta},
      {"changes", RangeFn::kChanges},
      {"resets", RangeFn::kResets},
      {"deriv", RangeFn::kDeriv},
      {"predict_linear", RangeFn::kPredictLinear},
      {"double_exponential_smoothing", RangeFn::kDoubleExponentialSmoothing},
      {"avg_over_time", RangeFn::kAvg},
      {"sum_over_time", RangeFn::kSum},
      {"count_over_time", RangeFn::kCount},
      {"min_over_time", RangeFn::kMin},
      {"max_over_time", RangeFn::kMax},
      {"first_over_time", RangeFn::kFirst},
      {"last_over_time", RangeFn::kLast},
      {"present_over_time", RangeFn::kPresent},
      {"stddev_over_time", RangeFn::kStddev},
      {"stdvar_over_time", RangeFn::kStdvar},
      {"quantile_over_time", RangeFn::kQuantile},
      {"mad_over_time", RangeFn::kMad},
      {"ts_of_min_over_time", RangeFn::kTsOfMin},
      {"ts_of_max_over_time", RangeFn::kTsOfMax},
      {"ts_of_first_over_time", RangeFn::kTsOfFirst},
      {"ts_of_last_over_time", RangeFn::kTsOfLast},
      {"absent_over_time", RangeFn::kAbsent},
  };
  return *m;
}

}  // namespace

bool IsRangeFunction(std::string_view name) { return RangeFunctions().contains(name); }

absl::StatusOr<NodeValue> EvalRangeFunction(Evaluator* ev, const promql::Call& call) {
  const RangeFn fn = RangeFunctions().at(call.func->name);
  // The matrix argument and the scalar arguments around it.
  size_t matrix_arg = 0;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const promql::Expr& a = Unwrap(*call.args[i]);
    if (a.kind == promql::ExprKind::kMatrixSelector || a.kind == promql::ExprKind::kSubquery) {
      matrix_arg = i;
      break;
    }
  }
  std::vector<StepMatrix> scalars(call.args.size());
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    VIGIL_ASSIGN_OR_RETURN(NodeValue v, ev->Eval(*call.args[i]));
    scalars[i] = std::move(v.matrix);
  }
  auto scalar = [&](size_t arg, size_t step) { return Evaluator::ScalarAt(scalars[arg], step); };

  QueryContext* ctx = ev->ctx();
  // A subquery's points were counted when it was evaluated; selected samples are counted here, as each series
  // streams by, and released once every series is done (the limit sees the same total as loading them all).
  const bool from_subquery = Unwrap(*call.args[matrix_arg]).kind == promql::ExprKind::kSubquery;
  int64_t loaded = 0;

  const bool keeps_name = fn == RangeFn::kLast || fn == RangeFn::kFirst;
  const size_t steps = ev->NumSteps();
  std::vector<double> scratch;
  // For rate and increase: resets_before[i] counts the samples before i that are below their predecessor, so a
  // window without a counter reset (nearly all of them) skips the per-window scan for resets.
  std::vector<uint32_t> resets_before;
  std::vector<char> found;
  if (fn == RangeFn::kAbsent) found.assign(steps, 0);

  NodeValue out;
  int64_t produced = 0;
  Evaluator::RangeInput in;
  VIGIL_RETURN_IF_ERROR(ev->ForEachRangeSeries(*call.args[matrix_arg], &in, [&](LoadedSeries& ls) -> absl::Status {
    if (!from_subquery) {
      loaded += static_cast<int64_t>(ls.samples.size());
      VIGIL_RETURN_IF_ERROR(ctx->AddSamples(static_cast<int64_t>(ls.samples.size())));
    }
    StepSeries s;
    s.drop_name = !keeps_name || ls.drop_name;
    const std::vector<Sample>& samples = ls.samples;
    if (fn == RangeFn::kRate || fn == RangeFn::kIncrease) {
      resets_before.assign(samples.size() + 1, 0);
      for (size_t i = 0; i < samples.size(); ++i) {
        resets_before[i + 1] = resets_before[i] + (i > 0 && samples[i].v < samples[i - 1].v ? 1 : 0);
      }
    }
    // Whether a sample in (lo, hi) is below its predecessor.
    auto resets_in = [&](size_t lo, size_t hi) { return resets_before[hi] != resets_before[lo + 1]; };
    size_t lo = 0, hi = 0;
    size_t step = 0;
    for (TimestampMs ts = ev->start(); ts <= ev->end(); ts += ev->interval(), ++step) {
      const TimestampMs ref = ev->RefTime(in.at, in.at_ms, in.offset_ms, ts);
      const TimestampMs range_start = ref - in.range_ms;
      while (hi < samples.size() && samples[hi].t <= ref) ++hi;
      while (lo < hi && samples[lo].t <= range_start) ++lo;
      if (lo >= hi) continue;
      const std::span<const Sample> w(samples.data() + lo, hi - lo);
      std::optional<double> r;
      switch (fn) {
        case RangeFn::kRate:
          r = functions::ExtrapolatedRate(w, range_start, ref, true, true, {}, nullptr, resets_in(lo, hi));
          break;
        case RangeFn::kIncrease:
          r = functions::ExtrapolatedRate(w, range_start, ref, true, false, {}, nullptr, resets_in(lo, hi));
          break;
        case RangeFn::kDelta:
          r = functions::ExtrapolatedRate(w, range_start, ref, false, false);
          break;
        case RangeFn::kIrate:
          r = functions::InstantRate(w, true);
          break;
        case RangeFn::kIdelta:
          r = functions::InstantRate(w, false);
          break;
        case RangeFn::kChanges:
          r = functions::Changes(w);
          break;
        case RangeFn::kResets:
          r = functions::Resets(w);
          break;
        case RangeFn::kDeriv:
          r = functions::Deriv(w);
          break;
        case RangeFn::kPredictLinear:
          r = functions::PredictLinear(w, ts, scalar(1, step));
          break;
        case RangeFn::kDoubleExponentialSmoothing: {
          VIGIL_ASSIGN_OR_RETURN(r, functions::DoubleExponentialSmoothing(w, scalar(1, step), scalar(2, step)));
          break;
        }
        case RangeFn::kAvg:
          r = functions::AvgOverTime(w);
          break;
        case RangeFn::kSum:
          r = functions::SumOverTime(w);
          break;
        case RangeFn::kCount:
          r = functions::CountOverTime(w);
          break;
        case RangeFn::kMin:
          r = functions::MinOverTime(w);
          break;
        case RangeFn::kMax:
          r = functions::MaxOverTime(w);
          break;
        case RangeFn::kFirst:
          r = functions::FirstOverTime(w);
          break;
        case RangeFn::kLast:
          r = functions::LastOverTime(w);
          break;
        case RangeFn::kPresent:
          r = functions::PresentOverTime(w);
          break;
        case RangeFn::kStddev:
          r = functions::StddevOverTime(w);
          break;
        case RangeFn::kStdvar:
          r = functions::StdvarOverTime(w);
          break;
        case RangeFn::kQuantile: {
          const double q = scalar(0, step);
          if (!functions::IsValidQuantile(q)) ctx->annotations.Warn(annotations::InvalidQuantile(q));
          r = functions::QuantileOverTime(q, w, &scratch);
          break;
        }
        case RangeFn::kMad:
          r = functions::MadOverTime(w, &scratch);
          break;
        case RangeFn::kTsOfMin:
          r = functions::TsOfMinOverTime(w);
          break;
        case RangeFn::kTsOfMax:
          r = functions::TsOfMaxOverTime(w);
          break;
        case RangeFn::kTsOfFirst:
          r = functions::TsOfFirstOverTime(w);
          break;
        case RangeFn::kTsOfLast:
          r = functions::TsOfLastOverTime(w);
          break;
        case RangeFn::kAbsent:
          found[step] = 1;
          break;
      }
      if (!r.has_value()) continue;
      if (s.points.empty()) s.points.reserve(steps);
      s.points.push_back(Sample{ts, *r});
    }
    if ((fn == RangeFn::kRate || fn == RangeFn::kIncrease) && !s.points.empty()) {
      const std::string_view name = ls.metric.MetricName();
      if (!name.empty() && !absl::EndsWith(AV(name), "_total") && !absl::EndsWith(AV(name), "_sum") &&
          !absl::EndsWith(AV(name), "_count") && !absl::EndsWith(AV(name), "_bucket")) {
        ctx->annotations.Info(annotations::PossibleNonCounter(name));
      }
    }
    if (s.points.empty()) return absl::OkStatus();
    produced += static_cast<int64_t>(s.points.size());
    s.metric = std::move(ls.metric);
    out.matrix.push_back(std::move(s));
    return absl::OkStatus();
  }));
  ctx->ReleaseSamples(loaded);
  VIGIL_RETURN_IF_ERROR(ctx->AddSamples(produced));

  if (fn == RangeFn::kAbsent) {
    StepSeries s;
    s.drop_name = true;
    s.metric = LabelsForAbsent(*call.args[matrix_arg]);
    size_t step = 0;
    for (TimestampMs ts = ev->start(); ts <= ev->end(); ts += ev->interval(), ++step) {
      if (!found[step]) s.points.push_back(Sample{ts, 1});
    }
    out.matrix.clear();
    if (!s.points.empty()) out.matrix.push_back(std::move(s));
  }
  return out;
}

Labels LabelsForAbsent(const promql::Expr& arg) {
  const promql::Expr& e = Unwrap(arg);
  const promql::VectorSelector* vs = nullptr;
  if (e.kind == promql::ExprKind::kVectorSelector) {
    vs = static_cast<const promql::VectorSelector*>(&e);
  } else if (e.kind == promql::ExprKind::kMatrixSelector) {
    vs =
        static_cast<const promql::VectorSelector*>(static_cast<const promql::MatrixSelector&>(e).vector_selector.get());
  }
  if (vs == nullptr) return Labels();
  LabelsBuilder b;
  absl::flat_hash_map<std::string, bool> has;
  for (const Matcher& m : vs->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    if (m.type() == MatchType::kEqual && !has[m.name()]) {
      b.Set(m.name(), m.value());
      has[m.name()] = true;
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

}  // namespace vigil::query::internal
