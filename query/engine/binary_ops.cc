// Binary operators: scalar/scalar, vector/scalar (either side) and vector/vector with one-to-one, many-to-one and
// one-to-many matching, `bool`, and the set operators and/or/unless, with Prometheus 3's errors and name dropping.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "query/engine/eval.h"

namespace vigil::query::internal {
namespace {

using promql::BinaryOp;

// Whether the operator changes what the metric means, so its name no longer applies.
bool ChangesMetricSchema(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kPow:
    case BinaryOp::kMod:
    case BinaryOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Applies `op` to two floats. For comparisons, `keep` says whether the comparison holds and the value is `lhs`.
double ElemBinop(BinaryOp op, double lhs, double rhs, bool* keep) {
  *keep = true;
  switch (op) {
    case BinaryOp::kAdd:
      return lhs + rhs;
    case BinaryOp::kSub:
      return lhs - rhs;
    case BinaryOp::kMul:
      return lhs * rhs;
    case BinaryOp::kDiv:
      return lhs / rhs;
    case BinaryOp::kPow:
      return std::pow(lhs, rhs);
    case BinaryOp::kMod:
      return std::fmod(lhs, rhs);
    case BinaryOp::kAtan2:
      return std::atan2(lhs, rhs);
    case BinaryOp::kEql:
      *keep = lhs == rhs;
      return lhs;
    case BinaryOp::kNeq:
      *keep = lhs != rhs;
      return lhs;
    case BinaryOp::kGtr:
      *keep = lhs > rhs;
      return lhs;
    case BinaryOp::kLss:
      *keep = lhs < rhs;
      return lhs;
    case BinaryOp::kGte:
      *keep = lhs >= rhs;
      return lhs;
    case BinaryOp::kLte:
      *keep = lhs <= rhs;
      return lhs;
    default:
      *keep = false;
      return 0;
  }
}

double ScalarBinop(BinaryOp op, double lhs, double rhs) {
  bool keep = true;
  const double v = ElemBinop(op, lhs, rhs, &keep);
  if (promql::IsComparisonOp(op)) return keep ? 1 : 0;
  return v;
}

// The labels of `l` that take part in matching: the `on` labels, or all but the `ignoring` labels and __name__.
Labels MatchedLabels(const Labels& l, const promql::VectorMatching& m) {
  LabelsBuilder b(l);
  if (m.on) {
    b.Keep(m.matching_labels);
  } else {
    b.Drop(m.matching_labels);
    b.Del(kMetricNameLabel);
  }
  return b.Build();
}

// Assigns each series of both sides the ordinal of its matching signature.
struct Signatures {
  std::vector<uint32_t> lhs;
  std::vector<uint32_t> rhs;
  uint32_t count = 0;
};

Signatures ComputeSignatures(const StepMatrix& lhs, const StepMatrix& rhs, const promql::VectorMatching& m) {
  std::vector<std::string> names = m.matching_labels;
  std::sort(names.begin(), names.end());
  absl::flat_hash_map<uint64_t, uint32_t> ordinals;
  Signatures sigs;
  auto assign = [&](const StepMatrix& side, std::vector<uint32_t>* out) {
    out->reserve(side.size());
    for (const StepSeries& s : side) {
      auto [it, inserted] = ordinals.try_emplace(MatchSignature(s.metric, names, m.on), sigs.count);
      if (inserted) ++sigs.count;
      out->push_back(it->second);
    }
  };
  assign(lhs, &sigs.lhs);
  assign(rhs, &sigs.rhs);
  return sigs;
}

int64_t CountPoints(const StepMatrix& m) {
  int64_t n = 0;
  for (const StepSeries& s : m) n += static_cast<int64_t>(s.points.size());
  return n;
}

}  // namespace

absl::StatusOr<NodeValue> Evaluator::EvalBinary(const promql::BinaryExpr& e) {
  const promql::ValueType lt = e.lhs->Type();
  const promql::ValueType rt = e.rhs->Type();
  VIGIL_ASSIGN_OR_RETURN(NodeValue lhs, Eval(*e.lhs));
  VIGIL_ASSIGN_OR_RETURN(NodeValue rhs, Eval(*e.rhs));
  const BinaryOp op = e.op;

  if (lt == promql::ValueType::kScalar && rt == promql::ValueType::kScalar) {
    StepMatrix& l = lhs.matrix;
    const StepMatrix& r = rhs.matrix;
    for (size_t i = 0; i < l[0].points.size(); ++i) {
      l[0].points[i].v = ScalarBinop(op, l[0].points[i].v, r[0].points[i].v);
    }
    ctx_->ReleaseSamples(CountPoints(r));
    return lhs;
  }

  if (lt == promql::ValueType::kScalar || rt == promql::ValueType::kScalar) {
    // Vector and scalar: each series maps to itself, so the points are edited in place.
    const bool swap = lt == promql::ValueType::kScalar;
    NodeValue& vec = swap ? rhs : lhs;
    const StepMatrix& scalar = swap ? lhs.matrix : rhs.matrix;
    const bool comparison = promql::IsComparisonOp(op);
    StepMatrix out;
    out.reserve(vec.matrix.size());
    int64_t dropped = 0;
    for (StepSeries& s : vec.matrix) {
      size_t w = 0;
      for (const Sample& p : s.points) {
        const double sv = scalar[0].points[static_cast<size_t>((p.t - start_) / interval_)].v;
        const double lv = swap ? sv : p.v;
        const double rv = swap ? p.v : sv;
        bool keep = true;
        double v = ElemBinop(op, lv, rv, &keep);
        if (comparison && swap) v = rv;
        if (e.return_bool) {
          v = keep ? 1 : 0;
          keep = true;
        }
        if (keep) s.points[w++] = Sample{p.t, v};
      }
      dropped += static_cast<int64_t>(s.points.size() - w);
      s.points.resize(w);
      if (ChangesMetricSchema(op) || e.return_bool) s.drop_name = true;
      if (!s.points.empty()) out.push_back(std::move(s));
    }
    ctx_->ReleaseSamples(dropped + CountPoints(scalar));
    NodeValue result;
    result.matrix = std::move(out);
    return result;
  }

  // Vector and vector.
  const promql::VectorMatching default_matching{};
  const promql::VectorMatching& matching = e.matching ? *e.matching : default_matching;
  const Signatures sigs = ComputeSignatures(lhs.matrix, rhs.matrix, matching);
  const StepMatrix* args[2] = {&lhs.matrix, &rhs.matrix};
  OutputTable table;
  const int64_t input_points = CountPoints(lhs.matrix) + CountPoints(rhs.matrix);
  std::vector<int64_t> lhs_ids(lhs.matrix.size(), -1);
  std::vector<int64_t> rhs_ids(rhs.matrix.size(), -1);
  auto lhs_id = [&](uint32_t j) {
    if (lhs_ids[j] < 0) lhs_ids[j] = table.Intern(lhs.matrix[j].metric, lhs.matrix[j].drop_name);
    return static_cast<uint32_t>(lhs_ids[j]);
  };
  auto rhs_id = [&](uint32_t j) {
    if (rhs_ids[j] < 0) rhs_ids[j] = table.Intern(rhs.matrix[j].metric, rhs.matrix[j].drop_name);
    return static_cast<uint32_t>(rhs_ids[j]);
  };
  std::vector<char> present(sigs.count, 0);
  auto reset_present = [&] { std::fill(present.begin(), present.end(), 0); };

  absl::StatusOr<StepMatrix> result;
  if (op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless) {
    result =
        RangeEval(args, &table, [&](TimestampMs, size_t, std::span<const StepVector> in, std::vector<OutSample>* out) {
          const StepVector& l = in[0];
          const StepVector& r = in[1];
          if (op == BinaryOp::kAnd) {
            if (l.empty() || r.empty()) return absl::OkStatus();
            reset_present();
            for (const StepSample& s : r) present[sigs.rhs[s.series]] = 1;
            for (const StepSample& s : l) {
              if (present[sigs.lhs[s.series]]) out->push_back({lhs_id(s.series), s.v});
            }
          } else if (op == BinaryOp::kOr) {
            reset_present();
            for (const StepSample& s : l) {
              present[sigs.lhs[s.series]] = 1;
              out->push_back({lhs_id(s.series), s.v});
            }
            for (const StepSample& s : r) {
              if (!present[sigs.rhs[s.series]]) out->push_back({rhs_id(s.series), s.v});
            }
          } else {
            reset_present();
            for (const StepSample& s : r) present[sigs.rhs[s.series]] = 1;
            for (const StepSample& s : l) {
              if (!present[sigs.lhs[s.series]]) out->push_back({lhs_id(s.series), s.v});
            }
          }
          return absl::OkStatus();
        });
  } else {
    const bool one_to_many = matching.card == promql::VectorMatchCardinality::kOneToMany;
    const bool one_to_one = matching.card == promql::VectorMatchCardinality::kOneToOne;
    // After swapping for one-to-many, "many" is the side iterated and "one" the side looked up.
    const StepMatrix& many_m = one_to_many ? rhs.matrix : lhs.matrix;
    const StepMatrix& one_m = one_to_many ? lhs.matrix : rhs.matrix;
    const std::vector<uint32_t>& many_sig = one_to_many ? sigs.rhs : sigs.lhs;
    const std::vector<uint32_t>& one_sig = one_to_many ? sigs.lhs : sigs.rhs;
    std::vector<int64_t> one_at(sigs.count, -1);  // index into the one-side step vector
    std::vector<char> matched(sigs.count, 0);
    std::vector<absl::flat_hash_set<uint64_t>> matched_sets(one_to_one ? 0 : sigs.count);
    absl::flat_hash_map<uint64_t, uint32_t> result_ids;  // (many series, one series) -> output id
    LabelsBuilder lb;
    result = RangeEval(
        args, &table,
        [&](TimestampMs, size_t, std::span<const StepVector> in, std::vector<OutSample>* out) -> absl::Status {
          const StepVector& many = one_to_many ? in[1] : in[0];
          const StepVector& one = one_to_many ? in[0] : in[1];
          if (many.empty() || one.empty()) return absl::OkStatus();
          std::fill(one_at.begin(), one_at.end(), -1);
          for (size_t i = 0; i < one.size(); ++i) {
            const uint32_t ord = one_sig[one[i].series];
            if (one_at[ord] >= 0) {
              const Labels& a = one_m[one[i].series].metric;
              const Labels& b = one_m[one[one_at[ord]].series].metric;
              std::string d1 = a.ToString(), d2 = b.ToString();
              if (d1 > d2) std::swap(d1, d2);
              return absl::FailedPreconditionError(
                  absl::StrCat("found duplicate series for the match group ", MatchedLabels(a, matching).ToString(),
                               " on the ", one_to_many ? "left" : "right", " hand-side of the operation: [", d1, ", ",
                               d2, "];many-to-many matching not allowed: matching labels must be unique on one side"));
            }
            one_at[ord] = static_cast<int64_t>(i);
          }
          if (one_to_one) {
            std::fill(matched.begin(), matched.end(), 0);
          } else {
            for (auto& set : matched_sets) set.clear();
          }
          for (const StepSample& ms : many) {
            const uint32_t ord = many_sig[ms.series];
            if (one_at[ord] < 0) continue;
            const StepSample& os = one[one_at[ord]];
            const double lv = one_to_many ? os.v : ms.v;
            const double rv = one_to_many ? ms.v : os.v;
            bool keep = true;
            double v = ElemBinop(op, lv, rv, &keep);
            if (e.return_bool) v = keep ? 1 : 0;
            const uint64_t key = (static_cast<uint64_t>(ms.series) << 32) | os.series;
            auto it = result_ids.find(key);
            uint32_t id = 0;
            if (it != result_ids.end()) {
              id = it->second;
            } else {
              const Labels& ml = many_m[ms.series].metric;
              const Labels& ol = one_m[os.series].metric;
              lb.Reset(ml);
              if (ChangesMetricSchema(op)) lb.Del(kMetricNameLabel).Del("__type__").Del("__unit__");
              if (one_to_one) {
                if (matching.on) {
                  lb.Keep(matching.matching_labels);
                } else {
                  lb.Drop(matching.matching_labels);
                }
              }
              for (const std::string& name : matching.include) {
                const std::string_view value = ol.Get(name);
                if (!value.empty()) {
                  lb.Set(name, value);
                } else {
                  lb.Del(name);
                }
              }
              id = table.Intern(lb.Build(), e.return_bool);
              result_ids.emplace(key, id);
            }
            if (one_to_one) {
              if (matched[ord]) {
                return absl::FailedPreconditionError(
                    "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
              }
              matched[ord] = 1;
            } else if (!matched_sets[ord].insert(table.metric(id).Hash()).second) {
              return absl::FailedPreconditionError(
                  "multiple matches for labels: grouping labels must ensure unique matches");
            }
            if (!keep && !e.return_bool) continue;
            out->push_back({id, v});
          }
          return absl::OkStatus();
        });
  }
  if (!result.ok()) return result.status();
  ctx_->ReleaseSamples(input_points);
  NodeValue value;
  value.matrix = std::move(*result);
  return value;
}

}  // namespace vigil::query::internal
