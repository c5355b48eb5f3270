// Function calls: dispatch to the range-vector functions (range_functions.cc), the label functions
// (label_functions.cc), and here the element-wise, scalar/vector, sort, absent, timestamp and classic-histogram
// functions.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/float_format.h"
#include "query/engine/eval.h"
#include "query/engine/info_function.h"
#include "query/engine/label_functions.h"
#include "query/engine/range_functions.h"
#include "query/functions/aggregate.h"
#include "query/functions/histogram.h"
#include "query/functions/math.h"
#include "query/promql/functions.h"

namespace vigil::query::internal {
namespace {

int64_t CountPoints(const StepMatrix& m) {
  int64_t n = 0;
  for (const StepSeries& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

// Applies `f(value, step)` to every point of an instant vector in place; a nullopt result removes the point.
// Every series then drops its name.
template <typename F>
void MapPoints(Evaluator* ev, StepMatrix* m, F f) {
  StepMatrix out;
  out.reserve(m->size());
  int64_t removed = 0;
  for (StepSeries& s : *m) {
    size_t w = 0;
    for (const Sample& p : s.points) {
      const size_t step = static_cast<size_t>((p.t - ev->start()) / ev->interval());
      std::optional<double> v = f(p.v, step);
      if (v.has_value()) s.points[w++] = Sample{p.t, *v};
    }
    removed += static_cast<int64_t>(s.points.size() - w);
    s.points.resize(w);
    s.drop_name = true;
    if (!s.points.empty()) out.push_back(std::move(s));
  }
  ev->ctx()->ReleaseSamples(removed);
  *m = std::move(out);
}

// facette/natsort's Compare, which sort_by_label uses: digit runs compare as integers, other runs as strings.
std::vector<std::string_view> Chunks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    size_t j = i;
    while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') == digit)) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int64_t> Atoi(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool NatLess(std::string_view a, std::string_view b) {
  const std::vector<std::string_view> ca = Chunks(a), cb = Chunks(b);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (i >= cb.size()) return false;
    const std::optional<int64_t> ia = Atoi(ca[i]), ib = Atoi(cb[i]);
    if (ia.has_value() && ib.has_value()) {
      if (*ia == *ib) {
        if (i == ca.size() - 1) return true;
        if (i == cb.size() - 1) return false;
        continue;
      }
      return *ia < *ib;
    }
    if (ca[i] == cb[i]) {
      if (i == ca.size() - 1) return true;
      if (i == cb.size() - 1) return false;
      continue;
    }
    return ca[i] < cb[i];
  }
  return false;
}

// Go's sort.Sort on small inputs is an insertion sort; larger inputs use a stable sort with the same order.
template <typename Less>
void GoSort(std::vector<StepSample>* v, Less less) {
  if (v->size() <= 12) {
    for (size_t i = 1; i < v->size(); ++i) {
      for (size_t j = i; j > 0 && less((*v)[j], (*v)[j - 1]); --j) std::swap((*v)[j], (*v)[j - 1]);
    }
  } else {
    std::stable_sort(v->begin(), v->end(), less);
  }
}

// labels.FormatOpenMetricsFloat: the shortest form, with ".0" added to integral values.
std::string OpenMetricsFloat(double v) {
  std::string s;
  AppendFloat(v, &s);
  if (s.find_first_of(".eEIN") == std::string::npos) s.append(".0");
  return s;
}

}  // namespace

absl::StatusOr<NodeValue> Evaluator::EvalCall(const promql::Call& e) {
  const std::string_view name = e.func->name;
  if (IsRangeFunction(name)) return EvalRangeFunction(this, e);
  if (name == "label_replace" || name == "label_join") return EvalLabelFunction(this, e);
  if (name == "info") return EvalInfoFunction(this, e);

  // Scalars of the evaluation context.
  if (name == "time") {
    NodeValue v;
    v.matrix = ScalarMatrix(0);
    for (Sample& p : v.matrix[0].points) p.v = static_cast<double>(p.t) / 1000.0;
    return v;
  }
  if (name == "pi") return NodeValue{ScalarMatrix(functions::Pi()), {}, false};
  if (name == "start") return NodeValue{ScalarMatrix(static_cast<double>(ctx_->query_start) / 1000.0), {}, false};
  if (name == "end") return NodeValue{ScalarMatrix(static_cast<double>(ctx_->query_end) / 1000.0), {}, false};
  if (name == "range") {
    return NodeValue{ScalarMatrix(static_cast<double>(ctx_->query_end - ctx_->query_start) / 1000.0), {}, false};
  }
  if (name == "step") return NodeValue{ScalarMatrix(static_cast<double>(ctx_->query_step) / 1000.0), {}, false};

  // timestamp() of a plain selector reports the samples' own timestamps.
  if (name == "timestamp") {
    const promql::Expr& arg = Unwrap(*e.args[0]);
    if (arg.kind == promql::ExprKind::kVectorSelector) {
      VIGIL_ASSIGN_OR_RETURN(NodeValue v, EvalVectorSelector(static_cast<const promql::VectorSelector&>(arg), true));
      for (StepSeries& s : v.matrix) s.drop_name = true;
      return v;
    }
    VIGIL_ASSIGN_OR_RETURN(NodeValue v, Eval(*e.args[0]));
    for (StepSeries& s : v.matrix) {
      s.drop_name = true;
      for (Sample& p : s.points) p.v = static_cast<double>(p.t) / 1000.0;
    }
    return v;
  }

  // Evaluate the arguments (strings stay as their literal).
  std::vector<NodeValue> args;
  args.reserve(e.args.size());
  for (const promql::ExprPtr& a : e.args) {
    VIGIL_ASSIGN_OR_RETURN(NodeValue v, Eval(*a));
    args.push_back(std::move(v));
  }

  if (functions::ElementFunction f = functions::LookupElementFunction(name);
      f != nullptr && !(name == "round" && args.size() > 1)) {
    if (args.empty()) {  // the date functions without argument apply to the evaluation time
      NodeValue v;
      v.matrix = ScalarMatrix(0);
      for (Sample& p : v.matrix[0].points) p.v = f(static_cast<double>(p.t / 1000));
      return v;
    }
    MapPoints(this, &args[0].matrix, [f](double v, size_t) { return std::optional<double>(f(v)); });
    return std::move(args[0]);
  }
  if (name == "round") {
    const StepMatrix& to = args[1].matrix;
    MapPoints(this, &args[0].matrix,
              [&](double v, size_t step) { return std::optional<double>(functions::Round(v, ScalarAt(to, step))); });
    return std::move(args[0]);
  }
  if (name == "clamp" || name == "clamp_min" || name == "clamp_max") {
    const double inf = std::numeric_limits<double>::infinity();
    MapPoints(this, &args[0].matrix, [&](double v, size_t step) {
      if (name == "clamp") return functions::Clamp(v, ScalarAt(args[1].matrix, step), ScalarAt(args[2].matrix, step));
      if (name == "clamp_min") return functions::Clamp(v, ScalarAt(args[1].matrix, step), inf);
      return functions::Clamp(v, -inf, ScalarAt(args[1].matrix, step));
    });
    return std::move(args[0]);
  }
  if (name == "vector") {
    return std::move(args[0]);  // a scalar's series already has empty labels and a point per step
  }
  if (name == "scalar") {
    NodeValue v;
    v.matrix = ScalarMatrix(std::nan(""));
    std::vector<int> count(NumSteps(), 0);
    for (const StepSeries& s : args[0].matrix) {
      for (const Sample& p : s.points) {
        const size_t step = static_cast<size_t>((p.t - start_) / interval_);
        if (++count[step] == 1) {
          v.matrix[0].points[step].v = p.v;
        } else {
          v.matrix[0].points[step].v = std::nan("");
        }
      }
    }
    ctx_->ReleaseSamples(CountPoints(args[0].matrix));
    return v;
  }
  if (name == "absent") {
    std::vector<char> present(NumSteps(), 0);
    for (const StepSeries& s : args[0].matrix) {
      for (const Sample& p : s.points) present[static_cast<size_t>((p.t - start_) / interval_)] = 1;
    }
    ctx_->ReleaseSamples(CountPoints(args[0].matrix));
    StepSeries s;
    s.metric = LabelsForAbsent(*e.args[0]);
    s.drop_name = true;
    size_t step = 0;
    for (TimestampMs ts = start_; ts <= end_; ts += interval_, ++step) {
      if (!present[step]) s.points.push_back(Sample{ts, 1});
    }
    NodeValue v;
    if (!s.points.empty()) v.matrix.push_back(std::move(s));
    return v;
  }
  if (name == "sort" || name == "sort_desc" || name == "sort_by_label" || name == "sort_by_label_desc") {
    if (start_ != end_) {
      ctx_->annotations.Warn(annotations::SortInRangeQuery());
      return std::move(args[0]);
    }
    StepMatrix& in = args[0].matrix;
    std::vector<std::string> label_names;
    for (size_t i = 1; i < args.size(); ++i) label_names.push_back(args[i].str);
    StepVector vec;
    for (uint32_t i = 0; i < in.size(); ++i) {
      if (!in[i].points.empty()) vec.push_back(StepSample{i, in[i].points[0].v});
    }
    if (name == "sort") {
      GoSort(&vec, [](const StepSample& a, const StepSample& b) { return std::isnan(b.v) || b.v > a.v; });
    } else if (name == "sort_desc") {
      GoSort(&vec, [](const StepSample& a, const StepSample& b) { return std::isnan(b.v) || b.v < a.v; });
    } else {
      const bool desc = name == "sort_by_label_desc";
      std::stable_sort(vec.begin(), vec.end(), [&](const StepSample& a, const StepSample& b) {
        const Labels& la = in[a.series].metric;
        const Labels& lb = in[b.series].metric;
        for (const std::string& l : label_names) {
          const std::string_view va = la.Get(l), vb = lb.Get(l);
          if (va == vb) continue;
          return desc ? !NatLess(va, vb) : NatLess(va, vb);
        }
        const int c = Compare(la, lb);
        return desc ? c > 0 : c < 0;
      });
    }
    NodeValue v;
    for (const StepSample& s : vec) v.matrix.push_back(std::move(in[s.series]));
    return v;
  }
  if (name == "histogram_quantile" || name == "histogram_fraction" || name == "histogram_quantiles") {
    return EvalHistogramFunction(this, e, std::move(args));
  }
  if (name == "histogram_count" || name == "histogram_sum" || name == "histogram_avg" || name == "histogram_stddev" ||
      name == "histogram_stdvar") {
    // Float samples are not histograms: these functions ignore them.
    ctx_->ReleaseSamples(CountPoints(args[0].matrix));
    return NodeValue{};
  }
  if (name == "max_of" || name == "min_of") {
    NodeValue v = std::move(args[0]);
    for (size_t i = 1; i < args.size(); ++i) {
      for (size_t p = 0; p < v.matrix[0].points.size(); ++p) {
        const double o = args[i].matrix[0].points[p].v;
        double& cur = v.matrix[0].points[p].v;
        cur = name == "max_of" ? functions::GoMax(cur, o) : functions::GoMin(cur, o);
      }
    }
    return v;
  }
  return absl::UnimplementedError(absl::StrCat("function ", std::string(name), "() is not supported"));
}

absl::StatusOr<NodeValue> EvalHistogramFunction(Evaluator* ev, const promql::Call& e, std::vector<NodeValue> args) {
  const bool quantile = e.func->name == "histogram_quantile";
  const bool quantiles = e.func->name == "histogram_quantiles";
  StepMatrix& in = quantile ? args[1].matrix : quantiles ? args[0].matrix : args[2].matrix;
  const std::string quantile_label = quantiles ? args[1].str : "";
  const size_t num_q = quantiles ? args.size() - 2 : 1;
  QueryContext* ctx = ev->ctx();
  // Per input series: its bucket bound and the histogram (labels without `le`) it belongs to.
  std::vector<double> bound(in.size(), 0);
  std::vector<int64_t> group(in.size(), -1);
  std::vector<Labels> group_labels;
  absl::flat_hash_map<uint64_t, uint32_t> group_of;
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string le(in[i].metric.Get("le"));
    char* end = nullptr;
    const double b = le.empty() ? 0 : std::strtod(le.c_str(), &end);
    if (le.empty() || end == nullptr || *end != '\0') {
      ctx->annotations.Warn(annotations::BadBucketLabel(in[i].metric.MetricName(), le));
      continue;
    }
    bound[i] = b;
    Labels without_le = LabelsBuilder(in[i].metric).Del("le").Build();
    auto [it, inserted] = group_of.try_emplace(without_le.Hash(), static_cast<uint32_t>(group_labels.size()));
    if (inserted) group_labels.push_back(std::move(without_le));
    group[i] = it->second;
  }
  const StepMatrix* step_args[1] = {&in};
  OutputTable table;
  std::vector<int64_t> out_ids(group_labels.size() * num_q, -1);
  std::vector<std::vector<functions::Bucket>> buckets(group_labels.size());
  std::vector<uint32_t> order;
  std::vector<double> ws;
  VIGIL_ASSIGN_OR_RETURN(
      StepMatrix result,
      ev->RangeEval(
          step_args, &table, [&](TimestampMs, size_t step, std::span<const StepVector> v, std::vector<OutSample>* out) {
            for (uint32_t g : order) buckets[g].clear();
            order.clear();
            for (const StepSample& s : v[0]) {
              if (group[s.series] < 0) continue;
              const uint32_t g = static_cast<uint32_t>(group[s.series]);
              if (buckets[g].empty()) order.push_back(g);
              buckets[g].push_back(functions::Bucket{bound[s.series], s.v});
            }
            // Prometheus validates φ at every step, even without buckets.
            if (quantile) {
              const double q = Evaluator::ScalarAt(args[0].matrix, step);
              if (!functions::IsValidQuantile(q)) ctx->annotations.Warn(annotations::InvalidQuantile(q));
            } else if (quantiles) {
              for (size_t qi = 0; qi < num_q; ++qi) {
                const double q = Evaluator::ScalarAt(args[2 + qi].matrix, step);
                if (!functions::IsValidQuantile(q)) ctx->annotations.Warn(annotations::InvalidQuantile(q));
              }
            }
            if (order.empty()) return absl::OkStatus();
            if (quantiles) {
              for (size_t qi = 0; qi < num_q; ++qi) {
                const double q = Evaluator::ScalarAt(args[2 + qi].matrix, step);
                for (uint32_t g : order) {
                  std::vector<functions::Bucket> scratch = buckets[g];
                  const functions::BucketQuantileResult r = functions::BucketQuantile(q, scratch);
                  if (r.forced_monotonicity) {
                    ctx->annotations.Info(
                        annotations::HistogramQuantileForcedMonotonicity(group_labels[g].MetricName()));
                  }
                  int64_t& id = out_ids[g * num_q + qi];
                  if (id < 0) {
                    id = table.Intern(LabelsBuilder(group_labels[g]).Set(quantile_label, OpenMetricsFloat(q)).Build(),
                                      true);
                  }
                  out->push_back({static_cast<uint32_t>(id), r.value});
                }
              }
              return absl::OkStatus();
            }
            double q = 0, lower = 0, upper = 0;
            if (quantile) {
              q = Evaluator::ScalarAt(args[0].matrix, step);
            } else {
              lower = Evaluator::ScalarAt(args[0].matrix, step);
              upper = Evaluator::ScalarAt(args[1].matrix, step);
            }
            for (uint32_t g : order) {
              double value = 0;
              if (quantile) {
                const functions::BucketQuantileResult r = functions::BucketQuantile(q, buckets[g]);
                value = r.value;
                if (r.forced_monotonicity) {
                  ctx->annotations.Info(annotations::HistogramQuantileForcedMonotonicity(group_labels[g].MetricName()));
                }
              } else {
                value = functions::BucketFraction(lower, upper, buckets[g]);
              }
              if (out_ids[g] < 0) out_ids[g] = table.Intern(group_labels[g], true);
              out->push_back({static_cast<uint32_t>(out_ids[g]), value});
            }
            return absl::OkStatus();
          }));
  ctx->ReleaseSamples(CountPoints(in));
  NodeValue value;
  value.matrix = std::move(result);
  return value;
}

}  // namespace vigil::query::internal
