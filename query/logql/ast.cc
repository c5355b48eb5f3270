#include "query/logql/ast.h"

#include <type_traits>

namespace vigil::logql {

std::string_view LineMatchTypeString(LineMatchType t) {
  switch (t) {
    case LineMatchType::kContains:
      return "|=";
    case LineMatchType::kNotContains:
      return "!=";
    case LineMatchType::kRegex:
      return "|~";
    case LineMatchType::kNotRegex:
      return "!~";
    case LineMatchType::kPattern:
      return "|>";
    case LineMatchType::kNotPattern:
      return "!>";
  }
  return "?";
}

bool IsNegativeLineMatch(LineMatchType t) {
  return t == LineMatchType::kNotContains || t == LineMatchType::kNotRegex || t == LineMatchType::kNotPattern;
}

std::string_view CompareOpString(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
  }
  return "?";
}

LabelFilterPtr LabelFilterExpr::Clone() const {
  auto c = std::make_unique<LabelFilterExpr>();
  c->kind = kind;
  c->name = name;
  c->matcher = matcher;
  c->op = op;
  c->number = number;
  c->duration_ns = duration_ns;
  c->bytes = bytes;
  c->literal_text = literal_text;
  if (left) c->left = left->Clone();
  if (right) c->right = right->Clone();
  return c;
}

Stage CloneStage(const Stage& s) {
  if (const auto* lf = std::get_if<LabelFilterStage>(&s)) {
    return LabelFilterStage{lf->filter ? lf->filter->Clone() : nullptr};
  }
  return std::visit(
      [](const auto& v) -> Stage {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, LabelFilterStage>) {
          return LabelFilterStage{};  // unreachable: handled above
        } else {
          return v;
        }
      },
      s);
}

std::string_view RangeOpString(RangeOp op) {
  switch (op) {
    case RangeOp::kCountOverTime:
      return "count_over_time";
    case RangeOp::kRate:
      return "rate";
    case RangeOp::kRateCounter:
      return "rate_counter";
    case RangeOp::kBytesOverTime:
      return "bytes_over_time";
    case RangeOp::kBytesRate:
      return "bytes_rate";
    case RangeOp::kAvgOverTime:
      return "avg_over_time";
    case RangeOp::kSumOverTime:
      return "sum_over_time";
    case RangeOp::kMinOverTime:
      return "min_over_time";
    case RangeOp::kMaxOverTime:
      return "max_over_time";
    case RangeOp::kStdvarOverTime:
      return "stdvar_over_time";
    case RangeOp::kStddevOverTime:
      return "stddev_over_time";
    case RangeOp::kQuantileOverTime:
      return "quantile_over_time";
    case RangeOp::kFirstOverTime:
      return "first_over_time";
    case RangeOp::kLastOverTime:
      return "last_over_time";
    case RangeOp::kAbsentOverTime:
      return "absent_over_time";
  }
  return "?";
}

std::string_view VectorOpString(VectorOp op) {
  switch (op) {
    case VectorOp::kSum:
      return "sum";
    case VectorOp::kAvg:
      return "avg";
    case VectorOp::kMin:
      return "min";
    case VectorOp::kMax:
      return "max";
    case VectorOp::kCount:
      return "count";
    case VectorOp::kStddev:
      return "stddev";
    case VectorOp::kStdvar:
      return "stdvar";
    case VectorOp::kTopk:
      return "topk";
    case VectorOp::kBottomk:
      return "bottomk";
    case VectorOp::kSort:
      return "sort";
    case VectorOp::kSortDesc:
      return "sort_desc";
  }
  return "?";
}

std::string_view BinaryOpString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kUnless:
      return "unless";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
  }
  return "?";
}

bool IsComparisonBinaryOp(BinaryOp op) {
  return op == BinaryOp::kEq || op == BinaryOp::kNe || op == BinaryOp::kGt || op == BinaryOp::kGe ||
         op == BinaryOp::kLt || op == BinaryOp::kLe;
}

bool IsSetBinaryOp(BinaryOp op) { return op == BinaryOp::kOr || op == BinaryOp::kAnd || op == BinaryOp::kUnless; }

}  // namespace vigil::logql
