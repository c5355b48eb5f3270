// Aggregation operators: sum avg count min max group stddev stdvar quantile topk bottomk limitk limit_ratio
// count_values, grouped by(...)/without(...), with Prometheus 3's float behaviour, errors and warnings.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/float_format.h"
#include "query/engine/eval.h"
#include "query/functions/aggregate.h"

namespace vigil::query::internal {
namespace {

using promql::AggregateOp;

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest round-tripping digits in plain decimal notation.
std::string FormatFloatFixed(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

// One candidate of topk/bottomk/limitk/limit_ratio: the input series and its value.
struct Candidate {
  uint32_t series;
  double v;
};

// A binary heap with the operations and element order of Go's container/heap, so that the order of equal values
// in topk/bottomk output matches Prometheus.
template <typename Less>
class GoHeap {
 public:
  explicit GoHeap(Less less) : less_(less) {}
  std::vector<Candidate>& items() { return items_; }
  void Push(Candidate c) {
    items_.push_back(c);
    Up(items_.size() - 1);
  }
  void Fix(size_t i) {
    if (!Down(i, items_.size())) Up(i);
  }
  // Go's sort.Sort(sort.Reverse(heap)) for the small sizes where it is an insertion sort (stable); larger inputs
  // fall back to a stable sort with the same order.
  void SortReverse() {
    auto rev_less = [this](const Candidate& a, const Candidate& b) { return less_(b, a); };
    if (items_.size() <= 12) {
      for (size_t i = 1; i < items_.size(); ++i) {
        for (size_t j = i; j > 0 && rev_less(items_[j], items_[j - 1]); --j) std::swap(items_[j], items_[j - 1]);
      }
    } else {
      std::stable_sort(items_.begin(), items_.end(), rev_less);
    }
  }

 private:
  void Up(size_t j) {
    while (j > 0) {
      const size_t i = (j - 1) / 2;
      if (!less_(items_[j], items_[i])) break;
      std::swap(items_[i], items_[j]);
      j = i;
    }
  }
  bool Down(size_t i0, size_t n) {
    size_t i = i0;
    for (;;) {
      const size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (j1 + 1 < n && less_(items_[j1 + 1], items_[j1])) j = j1 + 1;
      if (!less_(items_[j], items_[i])) break;
      std::swap(items_[i], items_[j]);
      i = j;
    }
    return i > i0;
  }
  Less less_;
  std::vector<Candidate> items_;
};

// vectorByValueHeap's order (NaN first, then ascending) and vectorByReverseValueHeap's (NaN first, descending).
struct ByValue {
  bool operator()(const Candidate& a, const Candidate& b) const { return std::isnan(a.v) || a.v < b.v; }
};
struct ByReverseValue {
  bool operator()(const Candidate& a, const Candidate& b) const { return std::isnan(a.v) || a.v > b.v; }
};

struct Group {
  bool seen = false;
  bool drop_name = false;
  double value = 0;
  double count = 0;
  std::optional<functions::KahanSum> sum;
  std::optional<functions::MeanAccumulator> mean;
  std::optional<functions::VarianceAccumulator> var;
  std::vector<double> values;
};

int64_t CountPoints(const StepMatrix& m) {
  int64_t n = 0;
  for (const StepSeries& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

}  // namespace

absl::StatusOr<NodeValue> Evaluator::EvalAggregate(const promql::AggregateExpr& e) {
  std::vector<std::string> grouping = e.grouping;
  std::sort(grouping.begin(), grouping.end());
  const AggregateOp op = e.op;

  // count_values: the label name parameter.
  std::string value_label;
  StepMatrix param;
  if (op == AggregateOp::kCountValues) {
    VIGIL_ASSIGN_OR_RETURN(NodeValue p, Eval(*e.param));
    value_label = p.str;
    if (value_label.empty() || !IsValidUtf8(value_label)) {
      return absl::FailedPreconditionError(absl::StrCat("invalid label name ", QuoteLabelValue(value_label)));
    }
    if (!e.without) {
      grouping.push_back(value_label);
      std::sort(grouping.begin(), grouping.end());
    }
  } else if (e.param != nullptr) {
    VIGIL_ASSIGN_OR_RETURN(NodeValue p, Eval(*e.param));
    param = std::move(p.matrix);
  }

  VIGIL_ASSIGN_OR_RETURN(NodeValue input, Eval(*e.expr));
  StepMatrix& in = input.matrix;
  const int64_t input_points = CountPoints(in);
  const StepMatrix* args[1] = {&in};
  OutputTable table;

  if (op == AggregateOp::kCountValues) {
    LabelsBuilder lb;
    absl::flat_hash_map<uint64_t, std::pair<uint32_t, double>> counts;
    std::vector<uint64_t> order;
    VIGIL_ASSIGN_OR_RETURN(
        StepMatrix result,
        RangeEval(args, &table, [&](TimestampMs, size_t, std::span<const StepVector> v, std::vector<OutSample>* out) {
          counts.clear();
          order.clear();
          for (const StepSample& s : v[0]) {
            lb.Reset(in[s.series].metric);
            lb.Set(value_label, FormatFloatFixed(s.v));
            Labels metric = lb.Build();
            const uint64_t key = MatchSignature(metric, grouping, !e.without);
            auto it = counts.find(key);
            if (it != counts.end()) {
              it->second.second += 1;
              continue;
            }
            LabelsBuilder gb(metric);
            if (e.without) {
              gb.Drop(grouping);
              gb.Del(kMetricNameLabel);
            } else {
              gb.Keep(grouping);
            }
            counts.emplace(key, std::make_pair(table.Intern(gb.Build(), false), 1.0));
            order.push_back(key);
          }
          for (uint64_t key : order) out->push_back({counts[key].first, counts[key].second});
          return absl::OkStatus();
        }));
    ctx_->ReleaseSamples(input_points);
    NodeValue value;
    value.matrix = std::move(result);
    return value;
  }

  // Input series -> group.
  absl::flat_hash_map<uint64_t, uint32_t> group_of_key;
  std::vector<uint32_t> group_of(in.size());
  std::vector<uint32_t> group_first_series;
  for (size_t i = 0; i < in.size(); ++i) {
    const uint64_t key = MatchSignature(in[i].metric, grouping, !e.without);
    auto [it, inserted] = group_of_key.try_emplace(key, static_cast<uint32_t>(group_first_series.size()));
    if (inserted) group_first_series.push_back(static_cast<uint32_t>(i));
    group_of[i] = it->second;
  }
  const size_t num_groups = group_first_series.size();
  const bool selecting = op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk ||
                         op == AggregateOp::kLimitRatio;

  // Parameter checks over all steps, as Prometheus does before evaluating.
  if (!param.empty()) {
    double pmin = std::numeric_limits<double>::infinity(), pmax = -pmin;
    bool any_nan = false;
    for (const Sample& p : param[0].points) {
      if (std::isnan(p.v)) {
        any_nan = true;
        continue;
      }
      pmin = std::min(pmin, p.v);
      pmax = std::max(pmax, p.v);
    }
    switch (op) {
      case AggregateOp::kTopk:
      case AggregateOp::kBottomk:
      case AggregateOp::kLimitk:
        if (!any_nan && pmax < 1) return NodeValue{};
        if (any_nan) return absl::FailedPreconditionError("Parameter value is NaN");
        if (pmin <= -9.223372036854775808e18) {
          std::string f;
          AppendFloat(pmin, &f);
          return absl::FailedPreconditionError(absl::StrCat("Scalar value ", f, " underflows int64"));
        }
        if (pmax >= 9.223372036854775807e18) {
          std::string f;
          AppendFloat(pmax, &f);
          return absl::FailedPreconditionError(absl::StrCat("Scalar value ", f, " overflows int64"));
        }
        break;
      case AggregateOp::kLimitRatio:
        if (!any_nan && pmax == 0 && pmin == 0) return NodeValue{};
        if (any_nan) return absl::FailedPreconditionError("Ratio value is NaN");
        if (pmax > 1.0) ctx_->annotations.Warn(annotations::InvalidRatio(pmax, 1.0));
        if (pmin < -1.0) ctx_->annotations.Warn(annotations::InvalidRatio(pmin, -1.0));
        break;
      case AggregateOp::kQuantile:
        if (any_nan) ctx_->annotations.Warn(annotations::InvalidQuantile(std::nan("")));
        if (pmax > 1) ctx_->annotations.Warn(annotations::InvalidQuantile(pmax));
        if (pmin < 0) ctx_->annotations.Warn(annotations::InvalidQuantile(pmin));
        break;
      default:
        break;
    }
  }

  std::vector<Group> groups(num_groups);
  std::vector<int64_t> out_ids(selecting ? in.size() : num_groups, -1);
  auto group_id = [&](uint32_t g) {
    if (out_ids[g] < 0) {
      const Labels& m = in[group_first_series[g]].metric;
      LabelsBuilder b(m);
      if (e.without) {
        b.Drop(grouping);
        b.Del(kMetricNameLabel);
      } else if (!grouping.empty()) {
        b.Keep(grouping);
      }
      out_ids[g] = table.Intern(grouping.empty() && !e.without ? Labels() : b.Build(), false);
    }
    return static_cast<uint32_t>(out_ids[g]);
  };
  auto series_id = [&](uint32_t s) {
    if (out_ids[s] < 0) out_ids[s] = table.Intern(in[s].metric, in[s].drop_name);
    return static_cast<uint32_t>(out_ids[s]);
  };

  // Per-step scratch, reused across steps.
  std::vector<char> seen(num_groups, 0);
  std::vector<uint32_t> group_order;
  std::vector<GoHeap<ByValue>> heaps;
  std::vector<GoHeap<ByReverseValue>> rheaps;
  if (selecting) {
    heaps.assign(num_groups, GoHeap<ByValue>(ByValue{}));
    if (op == AggregateOp::kBottomk) rheaps.assign(num_groups, GoHeap<ByReverseValue>(ByReverseValue{}));
  }

  VIGIL_ASSIGN_OR_RETURN(
      StepMatrix result,
      RangeEval(
          args, &table,
          [&](TimestampMs, size_t step, std::span<const StepVector> v, std::vector<OutSample>* out) -> absl::Status {
            const StepVector& vec = v[0];
            const double p = param.empty() ? 0 : ScalarAt(param, step);
            if (selecting) {
              int64_t k = 0;
              double r = 0;
              if (op == AggregateOp::kLimitRatio) {
                if (p == 0) return absl::OkStatus();
                r = std::clamp(p, -1.0, 1.0);
              } else {
                k = std::min(static_cast<int64_t>(p), static_cast<int64_t>(in.size()));
                if (k < 1) return absl::OkStatus();
              }
              for (uint32_t g : group_order) {
                heaps[g].items().clear();
                if (!rheaps.empty()) rheaps[g].items().clear();
                seen[g] = 0;
              }
              group_order.clear();
              for (const StepSample& s : vec) {
                const uint32_t g = group_of[s.series];
                const Candidate c{s.series, s.v};
                if (!seen[g]) {
                  seen[g] = 1;
                  group_order.push_back(g);
                }
                switch (op) {
                  case AggregateOp::kTopk: {
                    auto& h = heaps[g];
                    if (static_cast<int64_t>(h.items().size()) < k) {
                      h.Push(c);
                    } else if (h.items()[0].v < c.v || (std::isnan(h.items()[0].v) && !std::isnan(c.v))) {
                      h.items()[0] = c;
                      if (k > 1) h.Fix(0);
                    }
                    break;
                  }
                  case AggregateOp::kBottomk: {
                    auto& h = rheaps[g];
                    if (static_cast<int64_t>(h.items().size()) < k) {
                      h.Push(c);
                    } else if (h.items()[0].v > c.v || (std::isnan(h.items()[0].v) && !std::isnan(c.v))) {
                      h.items()[0] = c;
                      if (k > 1) h.Fix(0);
                    }
                    break;
                  }
                  case AggregateOp::kLimitk:
                    if (static_cast<int64_t>(heaps[g].items().size()) < k) heaps[g].Push(c);
                    break;
                  default: {  // limit_ratio
                    const double offset = static_cast<double>(in[s.series].metric.Hash()) /
                                          static_cast<double>(std::numeric_limits<uint64_t>::max());
                    if ((r >= 0 && offset < r) || (r < 0 && offset >= 1.0 + r)) heaps[g].Push(c);
                    break;
                  }
                }
              }
              for (uint32_t g : group_order) {
                std::vector<Candidate>* items = nullptr;
                if (op == AggregateOp::kBottomk) {
                  rheaps[g].SortReverse();
                  items = &rheaps[g].items();
                } else {
                  if (op == AggregateOp::kTopk) heaps[g].SortReverse();
                  items = &heaps[g].items();
                }
                for (const Candidate& c : *items) out->push_back({series_id(c.series), c.v});
              }
              return absl::OkStatus();
            }

            for (uint32_t gi : group_order) groups[gi].seen = false;
            group_order.clear();
            for (const StepSample& s : vec) {
              Group& g = groups[group_of[s.series]];
              const double f = s.v;
              if (!g.seen) {
                g.seen = true;
                group_order.push_back(group_of[s.series]);
                g.drop_name = in[s.series].drop_name;
                g.value = f;
                g.count = 1;
                switch (op) {
                  case AggregateOp::kSum:
                    g.sum.emplace(f);
                    break;
                  case AggregateOp::kAvg:
                    g.mean.emplace(f);
                    break;
                  case AggregateOp::kStddev:
                  case AggregateOp::kStdvar:
                    g.var.emplace(f);
                    break;
                  case AggregateOp::kQuantile:
                    g.values.clear();
                    g.values.push_back(f);
                    break;
                  case AggregateOp::kGroup:
                    g.value = 1;
                    break;
                  default:
                    break;
                }
                continue;
              }
              if (in[s.series].drop_name) g.drop_name = true;
              switch (op) {
                case AggregateOp::kSum:
                  g.sum->Add(f);
                  break;
                case AggregateOp::kAvg:
                  g.mean->Add(f);
                  break;
                case AggregateOp::kMax:
                  g.value = functions::MaxStep(g.value, f);
                  break;
                case AggregateOp::kMin:
                  g.value = functions::MinStep(g.value, f);
                  break;
                case AggregateOp::kCount:
                  g.count += 1;
                  break;
                case AggregateOp::kStddev:
                case AggregateOp::kStdvar:
                  g.var->Add(f);
                  break;
                case AggregateOp::kQuantile:
                  g.values.push_back(f);
                  break;
                default:
                  break;
              }
            }
            for (uint32_t gi : group_order) {
              Group& g = groups[gi];
              double value = g.value;
              switch (op) {
                case AggregateOp::kSum:
                  value = g.sum->Value();
                  break;
                case AggregateOp::kAvg:
                  value = g.mean->Mean();
                  break;
                case AggregateOp::kCount:
                  value = g.count;
                  break;
                case AggregateOp::kStdvar:
                  value = g.var->Variance();
                  break;
                case AggregateOp::kStddev:
                  value = g.var->Stddev();
                  break;
                case AggregateOp::kQuantile:
                  value = functions::Quantile(p, std::span<double>(g.values));
                  break;
                default:
                  break;
              }
              const uint32_t id = group_id(gi);
              if (g.drop_name) table.series(id).drop_name = true;
              out->push_back({id, value});
            }
            return absl::OkStatus();
          }));
  ctx_->ReleaseSamples(input_points);
  NodeValue value;
  value.matrix = std::move(result);
  return value;
}

}  // namespace vigil::query::internal
