#include "query/promql/ast.h"

#include "query/promql/functions.h"

namespace vigil::promql {

std::string_view DocumentedTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view BinaryOpString(BinaryOp op) {
  switch (op) {
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
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
    case BinaryOp::kTrimUpper:
      return "</";
    case BinaryOp::kTrimLower:
      return ">/";
  }
  return "?";
}

bool IsComparisonOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinaryOp op) { return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless; }

std::string_view AggregateOpString(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kCountValues:
      return "count_values";
    case AggregateOp::kLimitk:
      return "limitk";
    case AggregateOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

bool AggregateTakesParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk:
    case AggregateOp::kBottomk:
    case AggregateOp::kQuantile:
    case AggregateOp::kCountValues:
    case AggregateOp::kLimitk:
    case AggregateOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

ValueType Expr::Type() const {
  switch (kind) {
    case ExprKind::kNumberLiteral:
      return ValueType::kScalar;
    case ExprKind::kStringLiteral:
      return ValueType::kString;
    case ExprKind::kVectorSelector:
    case ExprKind::kAggregate:
      return ValueType::kVector;
    case ExprKind::kMatrixSelector:
    case ExprKind::kSubquery:
      return ValueType::kMatrix;
    case ExprKind::kParen: {
      const auto& e = static_cast<const ParenExpr&>(*this);
      return e.expr ? e.expr->Type() : ValueType::kNone;
    }
    case ExprKind::kUnary: {
      const auto& e = static_cast<const UnaryExpr&>(*this);
      return e.expr ? e.expr->Type() : ValueType::kNone;
    }
    case ExprKind::kStepInvariant: {
      const auto& e = static_cast<const StepInvariantExpr&>(*this);
      return e.expr ? e.expr->Type() : ValueType::kNone;
    }
    case ExprKind::kBinary: {
      const auto& e = static_cast<const BinaryExpr&>(*this);
      if (e.lhs && e.rhs && e.lhs->Type() == ValueType::kScalar && e.rhs->Type() == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case ExprKind::kCall: {
      const auto& e = static_cast<const Call&>(*this);
      return e.func ? e.func->return_type : ValueType::kNone;
    }
  }
  return ValueType::kNone;
}

}  // namespace vigil::promql
