// Binary operators between scalars and vectors: arithmetic, comparisons (filtering, or 0/1 with `bool`), the set
// operators and/or/unless, and vector matching with on/ignoring and group_left/group_right, as Prometheus and
// Loki define them (one-to-one matching by default, over all labels).
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/logengine/eval_internal.h"

namespace vigil::logengine::internal {
namespace {

using logql::BinaryOp;
using logql::VectorMatchCardinality;

// The labels two sides are matched on.
Labels Signature(const Labels& labels, const logql::BinaryExpr& e) {
  if (!e.has_matching) return labels;
  LabelsBuilder b(labels);
  if (e.on) {
    b.Keep(e.matching_labels);
  } else {
    b.Drop(e.matching_labels);
  }
  return b.Build();
}

// The result labels of a matched pair, as Prometheus' resultMetric.
Labels ResultLabels(const Labels& many, const Labels& one, const logql::BinaryExpr& e) {
  if (e.card == VectorMatchCardinality::kOneToOne) {
    if (!e.has_matching) return many;
    return Signature(many, e);
  }
  if (e.include.empty()) return many;
  LabelsBuilder b(many);
  for (const std::string& name : e.include) b.Set(name, one.Get(name));
  return b.Build();
}

absl::StatusOr<StepVector> VectorVector(const logql::BinaryExpr& e, const StepVector& lhs, const StepVector& rhs) {
  StepVector out;
  if (logql::IsSetBinaryOp(e.op)) {
    absl::flat_hash_set<Labels> rsigs;
    for (const Elem& r : rhs) rsigs.insert(Signature(r.labels, e));
    switch (e.op) {
      case BinaryOp::kAnd:
        for (const Elem& l : lhs) {
          if (rsigs.contains(Signature(l.labels, e))) out.push_back(l);
        }
        break;
      case BinaryOp::kUnless:
        for (const Elem& l : lhs) {
          if (!rsigs.contains(Signature(l.labels, e))) out.push_back(l);
        }
        break;
      default: {  // or
        absl::flat_hash_set<Labels> lsigs;
        for (const Elem& l : lhs) {
          lsigs.insert(Signature(l.labels, e));
          out.push_back(l);
        }
        for (const Elem& r : rhs) {
          if (!lsigs.contains(Signature(r.labels, e))) out.push_back(r);
        }
        break;
      }
    }
    return out;
  }
  // The "one" side is indexed by signature; it must be unique there.
  const bool right_is_many = e.card == VectorMatchCardinality::kOneToMany;
  const StepVector& one = right_is_many ? lhs : rhs;
  const StepVector& many = right_is_many ? rhs : lhs;
  absl::flat_hash_map<Labels, size_t> one_index;
  for (size_t i = 0; i < one.size(); ++i) {
    Labels sig = Signature(one[i].labels, e);
    if (!one_index.try_emplace(sig, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "found duplicate series for the match group ", sig.ToString(), " on the ", right_is_many ? "left" : "right",
          " hand-side of the operation;many-to-many matching not allowed: matching labels must be unique on one "
          "side"));
    }
  }
  absl::flat_hash_set<Labels> seen;
  for (const Elem& m : many) {
    auto it = one_index.find(Signature(m.labels, e));
    if (it == one_index.end()) continue;
    const Elem& o = one[it->second];
    const Elem& l = right_is_many ? o : m;
    const Elem& r = right_is_many ? m : o;
    BinaryResult res = ApplyBinaryOp(e.op, l.v, r.v);
    if (logql::IsComparisonBinaryOp(e.op)) {
      if (e.return_bool) {
        res.value = res.keep ? 1 : 0;
      } else if (!res.keep) {
        continue;
      }
    }
    Labels metric = ResultLabels(m.labels, o.labels, e);
    if (!seen.insert(metric).second) {
      return absl::InvalidArgumentError(
          e.card == VectorMatchCardinality::kOneToOne
              ? "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
              : "multiple matches for labels: grouping labels must ensure unique matches");
    }
    out.push_back(Elem{std::move(metric), res.value});
  }
  return out;
}

StepVector VectorScalar(const logql::BinaryExpr& e, const StepVector& vec, double scalar, bool scalar_left) {
  StepVector out;
  out.reserve(vec.size());
  for (const Elem& el : vec) {
    double l = scalar_left ? scalar : el.v;
    double r = scalar_left ? el.v : scalar;
    BinaryResult res = ApplyBinaryOp(e.op, l, r);
    if (logql::IsComparisonBinaryOp(e.op)) {
      if (e.return_bool) {
        res.value = res.keep ? 1 : 0;
      } else if (!res.keep) {
        continue;
      } else {
        res.value = el.v;  // the vector's value is kept even when the scalar is on the left
      }
    }
    out.push_back(Elem{el.labels, res.value});
  }
  return out;
}

}  // namespace

BinaryResult ApplyBinaryOp(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return {l + r, true};
    case BinaryOp::kSub:
      return {l - r, true};
    case BinaryOp::kMul:
      return {l * r, true};
    case BinaryOp::kDiv:
      return {l / r, true};
    case BinaryOp::kMod:
      return {std::fmod(l, r), true};
    case BinaryOp::kPow:
      return {std::pow(l, r), true};
    case BinaryOp::kEq:
      return {l, l == r};
    case BinaryOp::kNe:
      return {l, l != r};
    case BinaryOp::kGt:
      return {l, l > r};
    case BinaryOp::kGe:
      return {l, l >= r};
    case BinaryOp::kLt:
      return {l, l < r};
    case BinaryOp::kLe:
      return {l, l <= r};
    default:
      return {l, true};
  }
}

absl::StatusOr<EvalValue> EvalBinary(const logql::BinaryExpr& e, EvalValue lhs, EvalValue rhs, const EvalContext& ctx) {
  if (lhs.is_scalar && rhs.is_scalar) {
    if (logql::IsSetBinaryOp(e.op)) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected literal for right and left side of binary operation ",
                                                     AV(logql::BinaryOpString(e.op))));
    }
    BinaryResult res = ApplyBinaryOp(e.op, lhs.scalar, rhs.scalar);
    EvalValue out;
    out.is_scalar = true;
    out.scalar = logql::IsComparisonBinaryOp(e.op) ? (res.keep ? 1 : 0) : res.value;
    return out;
  }
  if (logql::IsSetBinaryOp(e.op) && (lhs.is_scalar || rhs.is_scalar)) {
    return absl::InvalidArgumentError(
        absl::StrCat("set operator ", AV(logql::BinaryOpString(e.op)), " not allowed in binary scalar expression"));
  }
  EvalValue out;
  out.steps.resize(ctx.steps_ns.size());
  for (size_t i = 0; i < out.steps.size(); ++i) {
    if (lhs.is_scalar) {
      out.steps[i] = VectorScalar(e, rhs.steps[i], lhs.scalar, /*scalar_left=*/true);
    } else if (rhs.is_scalar) {
      out.steps[i] = VectorScalar(e, lhs.steps[i], rhs.scalar, /*scalar_left=*/false);
    } else {
      VIGIL_ASSIGN_OR_RETURN(out.steps[i], VectorVector(e, lhs.steps[i], rhs.steps[i]));
    }
  }
  return out;
}

}  // namespace vigil::logengine::internal
