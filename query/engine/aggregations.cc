// Aggregation operators: sum avg count min max group stddev stdvar quantile topk bottomk limitk limit_ratio
// count_values, grouped by(...)/without(...), with Prometheus 3's float behaviour, errors and warnings.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
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

// One group's accumulation at one step, for the aggregations that combine values (all but topk, bottomk,
// limitk, limit_ratio and count_values). Starts from the first value, as Prometheus does.
struct Cell {
  bool seen = false;
  double value = 0;
  double count = 0;
  std::optional<functions::KahanSum> sum;
  std::optional<functions::MeanAccumulator> mean;
  std::optional<functions::VarianceAccumulator> var;
  std::vector<double> values;

  void Start(AggregateOp op, double f) {
    seen = true;
    value = f;
    count = 1;
    switch (op) {
      case AggregateOp::kSum:
        sum.emplace(f);
        break;
      case AggregateOp::kAvg:
        mean.emplace(f);
        break;
      case AggregateOp::kStddev:
      case AggregateOp::kStdvar:
        var.emplace(f);
        break;
      case AggregateOp::kQuantile:
        values.clear();
        values.push_back(f);
        break;
      case AggregateOp::kGroup:
        value = 1;
        break;
      default:
        break;
    }
  }

  void Add(AggregateOp op, double f) {
    switch (op) {
      case AggregateOp::kSum:
        sum->Add(f);
        break;
      case AggregateOp::kAvg:
        mean->Add(f);
        break;
      case AggregateOp::kMax:
        value = functions::MaxStep(value, f);
        break;
      case AggregateOp::kMin:
        value = functions::MinStep(value, f);
        break;
      case AggregateOp::kCount:
        count += 1;
        break;
      case AggregateOp::kStddev:
      case AggregateOp::kStdvar:
        var->Add(f);
        break;
      case AggregateOp::kQuantile:
        values.push_back(f);
        break;
      default:
        break;
    }
  }

  // The aggregate; `param` is quantile's φ at this step.
  double Result(AggregateOp op, double param) {
    switch (op) {
      case AggregateOp::kSum:
        return sum->Value();
      case AggregateOp::kAvg:
        return mean->Mean();
      case AggregateOp::kCount:
        return count;
      case AggregateOp::kStdvar:
        return var->Variance();
      case AggregateOp::kStddev:
        return var->Stddev();
      case AggregateOp::kQuantile:
        return functions::Quantile(param, std::span<double>(values));
      default:
        return value;
    }
  }
};

// The combining aggregations, walked series by series rather than step by step. For a block of steps, each input
// series' points go straight into its group's cells for those steps, so no instant vector is gathered per step
// (with thousands of series that gather cost more than the aggregation). A cell still sees its group's series in
// input order, as a step-wise walk would, so results are bit-for-bit the same; output series are created in the
// order a step-wise walk would create them (by first step, then by first input series).
absl::StatusOr<StepMatrix> CombineBySeries(Evaluator* ev, AggregateOp op, const StepMatrix& in,
                                           std::span<const uint32_t> group_of, size_t num_groups,
                                           const StepMatrix& param, absl::FunctionRef<Labels(uint32_t)> group_labels) {
  QueryContext* ctx = ev->ctx();
  const size_t steps = ev->NumSteps();
  const int64_t interval = ev->interval();
  constexpr size_t kCellBudget = size_t{1} << 15;  // cells per block of steps
  const size_t block = std::clamp<size_t>(kCellBudget / std::max<size_t>(num_groups, 1), 1, steps);
  std::vector<Cell> cells(num_groups * block);  // group g at the block's k-th step: cells[g * block + k]
  std::vector<size_t> cursor(in.size(), 0);
  constexpr size_t kNever = std::numeric_limits<size_t>::max();
  std::vector<size_t> first_step(num_groups, kNever);
  std::vector<uint32_t> first_series(num_groups, 0);
  std::vector<char> drop_name(num_groups, 0);
  std::vector<uint32_t> out_id(num_groups, 0);
  std::vector<uint32_t> order;  // groups with output, in creation order
  std::vector<uint32_t> fresh;
  OutputTable table;
  for (size_t block_start = 0; block_start < steps; block_start += block) {
    VIGIL_RETURN_IF_ERROR(ctx->CheckDeadline());
    const size_t block_n = std::min(block, steps - block_start);
    const TimestampMs first_ts = ev->start() + static_cast<int64_t>(block_start) * interval;
    const TimestampMs last_ts = first_ts + static_cast<int64_t>(block_n - 1) * interval;
    for (Cell& c : cells) c.seen = false;
    fresh.clear();
    for (size_t j = 0; j < in.size(); ++j) {
      const uint32_t g = group_of[j];
      Cell* row = &cells[g * block];
      size_t first_k = kNever;
      ForEachPointOnSteps(in[j].points, &cursor[j], first_ts, last_ts, interval, [&](size_t k, double f) {
        Cell& cell = row[k];
        if (cell.seen) {
          cell.Add(op, f);
        } else {
          cell.Start(op, f);
        }
        first_k = std::min(first_k, k);
      });
      if (first_k == kNever) continue;
      if (in[j].drop_name) drop_name[g] = 1;
      if (first_step[g] == kNever) fresh.push_back(g);
      if (block_start + first_k < first_step[g]) {
        first_step[g] = block_start + first_k;
        first_series[g] = static_cast<uint32_t>(j);
      }
    }
    std::sort(fresh.begin(), fresh.end(), [&](uint32_t a, uint32_t b) {
      return first_step[a] != first_step[b] ? first_step[a] < first_step[b] : first_series[a] < first_series[b];
    });
    for (uint32_t g : fresh) {
      out_id[g] = table.Intern(group_labels(g), false);
      order.push_back(g);
    }
    int64_t outputs = 0;
    for (size_t k = 0; k < block_n; ++k) {
      const size_t step = block_start + k;
      const TimestampMs ts = first_ts + static_cast<int64_t>(k) * interval;
      const double p = Evaluator::ScalarAt(param, step);
      for (uint32_t g : order) {
        Cell& cell = cells[g * block + k];
        if (!cell.seen) continue;
        // An output series usually has a point at most remaining steps: size it once.
        std::vector<Sample>& points = table.series(out_id[g]).points;
        if (points.capacity() == 0) points.reserve(steps - step);
        VIGIL_RETURN_IF_ERROR(table.Add(out_id[g], ts, cell.Result(op, p)));
        ++outputs;
      }
    }
    VIGIL_RETURN_IF_ERROR(ctx->AddSamples(outputs));
  }
  for (uint32_t g : order) {
    if (drop_name[g]) table.series(out_id[g]).drop_name = true;
  }
  return table.Finish();
}

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

  if (!selecting) {
    auto group_labels = [&](uint32_t g) {
      if (grouping.empty() && !e.without) return Labels();
      LabelsBuilder b(in[group_first_series[g]].metric);
      if (e.without) {
        b.Drop(grouping);
        b.Del(kMetricNameLabel);
      } else {
        b.Keep(grouping);
      }
      return b.Build();
    };
    VIGIL_ASSIGN_OR_RETURN(StepMatrix result, CombineBySeries(this, op, in, group_of, num_groups, param, group_labels));
    ctx_->ReleaseSamples(input_points);
    NodeValue value;
    value.matrix = std::move(result);
    return value;
  }

  std::vector<int64_t> out_ids(in.size(), -1);
  auto series_id = [&](uint32_t s) {
    if (out_ids[s] < 0) out_ids[s] = table.Intern(in[s].metric, in[s].drop_name);
    return static_cast<uint32_t>(out_ids[s]);
  };

  // topk, bottomk, limitk and limit_ratio pick input series per step. Per-step scratch, reused across steps.
  std::vector<char> seen(num_groups, 0);
  std::vector<uint32_t> group_order;
  std::vector<GoHeap<ByValue>> heaps(num_groups, GoHeap<ByValue>(ByValue{}));
  std::vector<GoHeap<ByReverseValue>> rheaps;
  if (op == AggregateOp::kBottomk) rheaps.assign(num_groups, GoHeap<ByReverseValue>(ByReverseValue{}));

  VIGIL_ASSIGN_OR_RETURN(
      StepMatrix result,
      RangeEval(
          args, &table,
          [&](TimestampMs, size_t step, std::span<const StepVector> v, std::vector<OutSample>* out) -> absl::Status {
            const StepVector& vec = v[0];
            const double p = param.empty() ? 0 : ScalarAt(param, step);
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
          }));
  ctx_->ReleaseSamples(input_points);
  NodeValue value;
  value.matrix = std::move(result);
  return value;
}

}  // namespace vigil::query::internal
