// The PromQL abstract syntax tree, shared by the parser (parser.h), the printer (printer.h) and the engine
// (query/engine). Shapes follow Prometheus 3's promql/parser/ast.go so its semantics carry over one to one, but
// nodes are plain structs owned through std::unique_ptr and dispatched on `kind` (a switch, no visitor).
//
//   absl::StatusOr<ExprPtr> e = ParseExpr("sum by (job) (rate(http_requests_total[5m]))");
//   (*e)->kind == ExprKind::kAggregate;  // AggregateExpr with a Call(rate, MatrixSelector) argument
//
// Positions are byte offsets into the query text, so errors and the printer can point into it.
#ifndef VIGIL_QUERY_PROMQL_AST_H_
#define VIGIL_QUERY_PROMQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "model/sample.h"

namespace vigil::promql {

// The type an expression evaluates to. kNone only for an invalid tree.
enum class ValueType : uint8_t { kNone, kScalar, kVector, kMatrix, kString };

// "scalar", "instant vector", "range vector", "string": the spelling Prometheus uses in type errors.
std::string_view DocumentedTypeName(ValueType type);
// "scalar", "vector", "matrix", "string": the spelling of the API's resultType.
std::string_view ValueTypeName(ValueType type);

// Byte offsets [start, end) of a node in the query text.
struct PositionRange {
  int32_t start = 0;
  int32_t end = 0;
};

// Binary and unary operators.
enum class BinaryOp : uint8_t {
  kAdd,     // +
  kSub,     // -
  kMul,     // *
  kDiv,     // /
  kMod,     // %
  kPow,     // ^ (right-associative)
  kAtan2,   // atan2
  kEql,     // ==
  kNeq,     // !=
  kGtr,     // >
  kLss,     // <
  kGte,     // >=
  kLte,     // <=
  kAnd,     // and
  kOr,      // or
  kUnless,  // unless
  // Native-histogram trimming (Prometheus 3.14): `h </ x` drops the observations above x, `h >/ x` those below.
  // They bind like the comparison operators but are not comparisons (no `bool`).
  kTrimUpper,  // </
  kTrimLower,  // >/
};

// "+", "==", "and", "atan2", ...
std::string_view BinaryOpString(BinaryOp op);
// ==, !=, >, <, >=, <=
bool IsComparisonOp(BinaryOp op);
// and, or, unless
bool IsSetOp(BinaryOp op);

enum class AggregateOp : uint8_t {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kQuantile,
  kCountValues,
  kLimitk,
  kLimitRatio,
};

// "sum", "count_values", "limit_ratio", ...
std::string_view AggregateOpString(AggregateOp op);
// Whether the aggregation takes a parameter before the vector: topk, bottomk, quantile, count_values, limitk,
// limit_ratio.
bool AggregateTakesParam(AggregateOp op);

enum class ExprKind : uint8_t {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kAggregate,
  kCall,
  // Wraps a subtree whose value does not change with the evaluation time (a literal, or a selector or subquery
  // with `@`), so a range query evaluates it once. Made by the engine's preprocessing, never by the parser.
  kStepInvariant,
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // The type this expression evaluates to.
  ValueType Type() const;

  const ExprKind kind;
  PositionRange pos;
};

// The `@` modifier of a selector or subquery.
enum class AtModifier : uint8_t {
  kNone,
  kTimestamp,  // @ <number>: at_ms holds it
  kStart,      // @ start(): the range query's start (the instant query's time)
  kEnd,        // @ end()
};

struct NumberLiteral final : Expr {
  NumberLiteral() : Expr(ExprKind::kNumberLiteral) {}
  double value = 0;
  // Written as a duration (`5m` is 300): the printer writes it back as one. Semantics are the number's.
  bool duration = false;
};

struct StringLiteral final : Expr {
  StringLiteral() : Expr(ExprKind::kStringLiteral) {}
  std::string value;  // unquoted, escapes resolved
};

// foo{a="b"} offset 5m @ 123
struct VectorSelector final : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  // The metric name as written before the braces ("" when only braces were used).
  std::string name;
  // Every matcher, including __name__="<name>" for a name written before the braces, in the order the printer
  // should render the braces' contents (the name matcher first when it came from `name`).
  std::vector<Matcher> matchers;
  int64_t offset_ms = 0;  // positive looks back; negative offsets are allowed
  AtModifier at = AtModifier::kNone;
  TimestampMs at_ms = 0;  // for kTimestamp
};

// <vector selector>[5m]
struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  ExprPtr vector_selector;  // always a VectorSelector (offset and @ live there)
  int64_t range_ms = 0;
  // The position of the closing `]` (range selector end), so errors can point at it.
  int32_t end_pos = 0;
};

// <expr>[range:step] offset ... @ ...
struct SubqueryExpr final : Expr {
  SubqueryExpr() : Expr(ExprKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default evaluation interval
  int64_t offset_ms = 0;
  AtModifier at = AtModifier::kNone;
  TimestampMs at_ms = 0;
  int32_t end_pos = 0;
};

struct ParenExpr final : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  ExprPtr expr;
};

// -x or +x.
struct UnaryExpr final : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  BinaryOp op = BinaryOp::kSub;  // kAdd or kSub
  ExprPtr expr;
};

enum class VectorMatchCardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

// on(...)/ignoring(...) group_left(...)/group_right(...) of a binary operation between two vectors.
struct VectorMatching {
  VectorMatchCardinality card = VectorMatchCardinality::kOneToOne;
  // The labels of on(...) or ignoring(...).
  std::vector<std::string> matching_labels;
  bool on = false;  // true for on(...), false for ignoring(...) or neither
  // The labels of group_left(...)/group_right(...) to copy from the "one" side.
  std::vector<std::string> include;
};

struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // `bool` after a comparison operator.
  bool return_bool = false;
  // Set when both sides are vectors (and for set operators always, with kManyToMany); empty otherwise.
  std::optional<VectorMatching> matching;
};

struct AggregateExpr final : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk's k, quantile's φ, count_values' label name, ...; null when the op takes none
  std::vector<std::string> grouping;
  bool without = false;  // without(...) rather than by(...)
};

struct FunctionInfo;  // functions.h

struct Call final : Expr {
  Call() : Expr(ExprKind::kCall) {}
  const FunctionInfo* func = nullptr;  // never null in a parsed tree
  std::vector<ExprPtr> args;
};

struct StepInvariantExpr final : Expr {
  StepInvariantExpr() : Expr(ExprKind::kStepInvariant) {}
  ExprPtr expr;
};

}  // namespace vigil::promql

#endif  // VIGIL_QUERY_PROMQL_AST_H_
