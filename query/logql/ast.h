// The LogQL abstract syntax tree, shared by the parser (parser.h), the printer (printer.h), the log pipeline
// (pipeline.h) and the engine. Shapes follow Loki's pkg/logql/syntax so its semantics carry over, but nodes are
// plain structs: expressions are owned through std::unique_ptr and dispatched on `kind`; pipeline stages are a
// std::variant.
//
//   absl::StatusOr<ExprPtr> e = ParseExpr(R"(sum by (level) (count_over_time({app="x"} | json [5m])))");
//   (*e)->kind == ExprKind::kVectorAggregation;
//
// A log query is a LogSelectorExpr (stream matchers + pipeline stages); a metric query is any other kind.
#ifndef VIGIL_QUERY_LOGQL_AST_H_
#define VIGIL_QUERY_LOGQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/matcher.h"

namespace vigil::logql {

// ---------------------------------------------------------------------------------------------------------------
// Pipeline stages.

// The line filter operators.
enum class LineMatchType : uint8_t {
  kContains,     // |=
  kNotContains,  // !=
  kRegex,        // |~
  kNotRegex,     // !~
  kPattern,      // |>
  kNotPattern,   // !>
};

// "|=", "!=", "|~", "!~", "|>", "!>".
std::string_view LineMatchTypeString(LineMatchType t);

// Whether the operator keeps lines that do NOT match (!=, !~, !>).
bool IsNegativeLineMatch(LineMatchType t);

// `|= "a" or "b"`: keeps a line when any alternative matches (for the negative operators the parser splits
// `!= "a" or "b"` into two filters, as Loki does, so a negative filter always has exactly one value).
struct LineFilterStage {
  LineMatchType type = LineMatchType::kContains;
  std::vector<std::string> values;  // unquoted; at least one
};

// `| json` (all fields, nested objects flattened with '_') or `| json a="path", b` (only the listed paths).
struct LabelExtraction {
  std::string label;  // the label to set
  std::string path;   // the JSON path / logfmt key; equals `label` when written without `=`
};
struct JsonStage {
  std::vector<LabelExtraction> extractions;  // empty: extract everything
};

// `| logfmt [--strict] [--keep-empty] [a="key", ...]`.
struct LogfmtStage {
  bool strict = false;
  bool keep_empty = false;
  std::vector<LabelExtraction> extractions;  // empty: extract everything
};

// `| regexp "(?P<name>...)"`.
struct RegexpStage {
  std::string pattern;
};

// `| pattern "<ip> - <_> ..."`.
struct PatternStage {
  std::string pattern;
};

// `| unpack`: a JSON object of string values becomes labels; the key "_entry" replaces the line.
struct UnpackStage {};

// Comparison operators of numeric, duration and bytes label filters.
enum class CompareOp : uint8_t { kEq, kNe, kGt, kGe, kLt, kLe };

// "==", "!=", ">", ">=", "<", "<=".
std::string_view CompareOpString(CompareOp op);

// A label filter expression: a leaf comparing one label, or an and/or of two filters.
struct LabelFilterExpr;
using LabelFilterPtr = std::unique_ptr<LabelFilterExpr>;
struct LabelFilterExpr {
  enum class Kind : uint8_t { kString, kNumber, kDuration, kBytes, kAnd, kOr };
  Kind kind = Kind::kString;
  // Leaves.
  std::string name;
  std::optional<Matcher> matcher;  // kString
  CompareOp op = CompareOp::kEq;   // kNumber, kDuration, kBytes
  double number = 0;               // kNumber
  int64_t duration_ns = 0;         // kDuration
  uint64_t bytes = 0;              // kBytes
  std::string literal_text;        // kDuration, kBytes: the literal as written ("250ms", "1KiB"), for printing
  // kAnd / kOr.
  LabelFilterPtr left;
  LabelFilterPtr right;

  LabelFilterPtr Clone() const;
};

// `| level="error"`, `| status >= 400 and latency > 250ms`.
struct LabelFilterStage {
  LabelFilterPtr filter;
};

// `| line_format "{{.msg}}"`.
struct LineFormatStage {
  std::string tmpl;
};

// `| label_format dst=src, dst2="{{.x}}"`.
struct LabelFormatItem {
  std::string name;
  std::string value;    // a label name when rename, else a template
  bool rename = false;  // dst=src (an identifier) rather than dst="template"
};
struct LabelFormatStage {
  std::vector<LabelFormatItem> items;
};

// A `| drop` / `| keep` operand: a bare name, or a matcher (drop/keep the label only when its value matches).
struct NamedLabelMatcher {
  std::string name;                // set when written as a bare name
  std::optional<Matcher> matcher;  // set when written as name<op>"value"
};
struct DropStage {
  std::vector<NamedLabelMatcher> labels;
};
struct KeepStage {
  std::vector<NamedLabelMatcher> labels;
};

// `| decolorize`: strips ANSI escape sequences from the line.
struct DecolorizeStage {};

using Stage = std::variant<LineFilterStage, JsonStage, LogfmtStage, RegexpStage, PatternStage, UnpackStage,
                           LabelFilterStage, LineFormatStage, LabelFormatStage, DropStage, KeepStage, DecolorizeStage>;

// A deep copy (label filters are owned through unique_ptr).
Stage CloneStage(const Stage& s);

// ---------------------------------------------------------------------------------------------------------------
// Expressions.

enum class ExprKind : uint8_t {
  kLogSelector,        // {a="b"} |= "x" | json  (a log query)
  kRangeAggregation,   // count_over_time({...}[5m])
  kVectorAggregation,  // sum by (x) (...)
  kBinary,             // a + b
  kLiteral,            // 2
  kVector,             // vector(1)
  kLabelReplace,       // label_replace(expr, "dst", "repl", "src", "re")
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Whether this is a metric (sample) expression rather than a log query.
  bool IsMetric() const { return kind != ExprKind::kLogSelector; }

  const ExprKind kind;
};

// A stream selector and its pipeline. The matchers keep their written order.
struct LogSelectorExpr final : Expr {
  LogSelectorExpr() : Expr(ExprKind::kLogSelector) {}
  std::vector<Matcher> matchers;
  std::vector<Stage> stages;
};

// unwrap conversions.
enum class UnwrapConversion : uint8_t {
  kNone,             // unwrap x: the value parsed as a float
  kDuration,         // unwrap duration(x): a Go duration in seconds
  kDurationSeconds,  // unwrap duration_seconds(x): same
  kBytes,            // unwrap bytes(x): a humanized byte size
};

// `| unwrap [conv(]label[)] | post-filter ...`.
struct Unwrap {
  std::string label;
  UnwrapConversion conversion = UnwrapConversion::kNone;
  std::vector<LabelFilterPtr> post_filters;  // label filters applied after the conversion
};

// The range operations (`*_over_time`, rate...).
enum class RangeOp : uint8_t {
  kCountOverTime,
  kRate,
  kRateCounter,
  kBytesOverTime,
  kBytesRate,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
};

// "count_over_time", "rate", ...
std::string_view RangeOpString(RangeOp op);

// `by (a, b)` / `without (a)`.
struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
};

// op([param,] selector [pipeline] [unwrap] [range] [offset]) [grouping]
struct RangeAggregationExpr final : Expr {
  RangeAggregationExpr() : Expr(ExprKind::kRangeAggregation) {}
  RangeOp op = RangeOp::kCountOverTime;
  std::optional<double> param;  // quantile_over_time's φ
  std::unique_ptr<LogSelectorExpr> selector;
  std::optional<Unwrap> unwrap;
  int64_t range_ns = 0;
  int64_t offset_ns = 0;
  std::optional<Grouping> grouping;
};

enum class VectorOp : uint8_t { kSum, kAvg, kMin, kMax, kCount, kStddev, kStdvar, kTopk, kBottomk, kSort, kSortDesc };

// "sum", "topk", "sort_desc", ...
std::string_view VectorOpString(VectorOp op);

// op [grouping] ([k,] expr) [grouping]
struct VectorAggregationExpr final : Expr {
  VectorAggregationExpr() : Expr(ExprKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  int64_t param = 0;  // topk/bottomk k
  ExprPtr inner;
  Grouping grouping;  // without=false, no labels: aggregate everything
  bool has_grouping = false;
};

enum class BinaryOp : uint8_t { kOr, kAnd, kUnless, kAdd, kSub, kMul, kDiv, kMod, kPow, kEq, kNe, kGt, kGe, kLt, kLe };

// "or", "+", "==", ...
std::string_view BinaryOpString(BinaryOp op);
bool IsComparisonBinaryOp(BinaryOp op);
bool IsSetBinaryOp(BinaryOp op);

enum class VectorMatchCardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany };

struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // on (...) / ignoring (...): `on` true with matching_labels; ignoring: on false. has_matching when either was
  // written.
  bool has_matching = false;
  bool on = false;
  std::vector<std::string> matching_labels;
  VectorMatchCardinality card = VectorMatchCardinality::kOneToOne;
  std::vector<std::string> include;  // group_left (include...)
};

struct LiteralExpr final : Expr {
  LiteralExpr() : Expr(ExprKind::kLiteral) {}
  double value = 0;
};

// vector(n): a vector with one sample of value n and no labels at every step.
struct VectorExpr final : Expr {
  VectorExpr() : Expr(ExprKind::kVector) {}
  double value = 0;
};

struct LabelReplaceExpr final : Expr {
  LabelReplaceExpr() : Expr(ExprKind::kLabelReplace) {}
  ExprPtr inner;
  std::string dst;
  std::string replacement;
  std::string src;
  std::string regex;
};

// Downcasts: Check the kind first.
template <typename T>
const T& As(const Expr& e) {
  return static_cast<const T&>(e);
}

}  // namespace vigil::logql

#endif  // VIGIL_QUERY_LOGQL_AST_H_
