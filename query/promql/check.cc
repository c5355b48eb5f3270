#include "query/promql/check.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/promql/functions.h"
#include "query/promql/literals.h"

namespace vigil::promql {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view query) : query_(query) {}

  absl::Status Run(Expr& e) {
    Check(e, false);
    if (err_) return MakeParseError(query_, err_->first, err_->second);
    return absl::OkStatus();
  }

 private:
  void Err(int32_t pos, std::string msg) {
    if (!err_) err_.emplace(pos, std::move(msg));
  }

  void ExpectType(Expr& e, ValueType want, std::string_view context) {
    const ValueType t = Check(e, false);
    if (t != want) {
      Err(e.pos.start, absl::StrCat("expected type ", std::string(DocumentedTypeName(want)), " in ",
                                    std::string(context), ", got ", std::string(DocumentedTypeName(t))));
    }
  }

  // The start of a binary operator: the first non-space byte after the left operand.
  int32_t OperatorStart(const BinaryExpr& b) const {
    int32_t p = b.lhs->pos.end;
    while (p >= 0 && p < static_cast<int32_t>(query_.size()) &&
           (query_[p] == ' ' || query_[p] == '\t' || query_[p] == '\n' || query_[p] == '\r')) {
      ++p;
    }
    return p;
  }

  ValueType Check(Expr& e, bool bypass_empty_matcher_check) {
    const ValueType type = e.Type();
    switch (e.kind) {
      case ExprKind::kAggregate:
        CheckAggregate(static_cast<AggregateExpr&>(e));
        break;
      case ExprKind::kBinary:
        CheckBinary(static_cast<BinaryExpr&>(e));
        break;
      case ExprKind::kCall:
        CheckCall(static_cast<Call&>(e));
        break;
      case ExprKind::kParen:
        Check(*static_cast<ParenExpr&>(e).expr, false);
        break;
      case ExprKind::kStepInvariant:
        Check(*static_cast<StepInvariantExpr&>(e).expr, false);
        break;
      case ExprKind::kUnary: {
        const ValueType t = Check(*static_cast<UnaryExpr&>(e).expr, false);
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          Err(e.pos.start,
              absl::StrCat("unary expression only allowed on expressions of type scalar or instant vector, got \"",
                           std::string(DocumentedTypeName(t)), "\""));
        }
        break;
      }
      case ExprKind::kSubquery: {
        const ValueType t = Check(*static_cast<SubqueryExpr&>(e).expr, false);
        if (t != ValueType::kVector) {
          Err(e.pos.start, absl::StrCat("subquery is only allowed on instant vector, got ",
                                        std::string(ValueTypeName(t)), " instead"));
        }
        break;
      }
      case ExprKind::kMatrixSelector:
        Check(*static_cast<MatrixSelector&>(e).vector_selector, false);
        break;
      case ExprKind::kVectorSelector:
        CheckSelector(static_cast<VectorSelector&>(e), bypass_empty_matcher_check);
        break;
      case ExprKind::kNumberLiteral:
      case ExprKind::kStringLiteral:
        break;
    }
    return type;
  }

  void CheckAggregate(AggregateExpr& a) {
    ExpectType(*a.expr, ValueType::kVector, "aggregation expression");
    switch (a.op) {
      case AggregateOp::kTopk:
      case AggregateOp::kBottomk:
      case AggregateOp::kQuantile:
      case AggregateOp::kLimitk:
      case AggregateOp::kLimitRatio:
        ExpectType(*a.param, ValueType::kScalar, "aggregation parameter");
        break;
      case AggregateOp::kCountValues:
        ExpectType(*a.param, ValueType::kString, "aggregation parameter");
        break;
      default:
        break;
    }
  }

  void CheckBinary(BinaryExpr& b) {
    const ValueType lt = Check(*b.lhs, false);
    const ValueType rt = Check(*b.rhs, false);
    const std::string op(BinaryOpString(b.op));
    if (b.return_bool && !IsComparisonOp(b.op)) {
      Err(OperatorStart(b), "bool modifier can only be used on comparison operators");
    }
    if (IsComparisonOp(b.op) && !b.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Err(OperatorStart(b), "comparisons between scalars must use BOOL modifier");
    }
    if (!b.matching) b.matching.emplace();
    VectorMatching& vm = *b.matching;
    if (IsSetOp(b.op) && vm.card == VectorMatchCardinality::kOneToOne) vm.card = VectorMatchCardinality::kManyToMany;
    if (vm.on) {
      for (const std::string& l1 : vm.matching_labels) {
        for (const std::string& l2 : vm.include) {
          if (l1 == l2) {
            Err(OperatorStart(b),
                absl::StrCat("label ", QuoteString(l1), " must not occur in ON and GROUP clause at once"));
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Err(b.lhs->pos.start, "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Err(b.rhs->pos.start, "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!vm.matching_labels.empty()) Err(b.pos.start, "vector matching only allowed between instant vectors");
      b.matching.reset();
    } else if (IsSetOp(b.op)) {
      if (vm.card == VectorMatchCardinality::kOneToMany || vm.card == VectorMatchCardinality::kManyToOne) {
        Err(b.pos.start, absl::StrCat("no grouping allowed for \"", op, "\" operation"));
      }
      if (vm.card != VectorMatchCardinality::kManyToMany) {
        Err(b.pos.start, "set operations must always be many-to-many");
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOp(b.op)) {
      Err(b.pos.start, absl::StrCat("set operator \"", op, "\" not allowed in binary scalar expression"));
    }
  }

  void CheckCall(Call& c) {
    const FunctionInfo& f = *c.func;
    const int nargs = static_cast<int>(f.arg_types.size());
    const int got = static_cast<int>(c.args.size());
    const std::string name = QuoteString(f.name);
    if (f.variadic == 0) {
      if (nargs != got) {
        Err(c.pos.start, absl::StrFormat("expected %d argument(s) in call to %s, got %d", nargs, name, got));
      }
    } else {
      const int min = nargs - 1;
      if (min > got) {
        Err(c.pos.start, absl::StrFormat("expected at least %d argument(s) in call to %s, got %d", min, name, got));
      } else if (f.variadic > 0 && min + f.variadic < got) {
        Err(c.pos.start,
            absl::StrFormat("expected at most %d argument(s) in call to %s, got %d", min + f.variadic, name, got));
      }
    }
    bool bypass_second = false;
    if (f.name == "info" && got > 1) {
      Expr& labels = *c.args[1];
      if (labels.Type() != ValueType::kVector) {
        Err(c.pos.start, absl::StrCat("expected type instant vector in call to function \"info\", got ",
                                      std::string(DocumentedTypeName(labels.Type()))));
      }
      if (labels.kind == ExprKind::kVectorSelector) {
        if (!static_cast<VectorSelector&>(labels).name.empty()) {
          Err(labels.pos.start, "expected label selectors only, got vector selector instead");
        } else {
          bypass_second = true;
        }
      } else {
        Err(labels.pos.start, "expected label selectors only");
      }
    }
    for (int i = 0; i < got; ++i) {
      int type_index = i;
      if (i >= nargs) {
        if (f.variadic == 0) break;
        type_index = nargs - 1;
      }
      const ValueType t = Check(*c.args[i], bypass_second && i == 1);
      const ValueType want = f.arg_types[type_index];
      if (t != want) {
        Err(c.args[i]->pos.start,
            absl::StrCat("expected type ", std::string(DocumentedTypeName(want)), " in call to function ", name,
                         ", got ", std::string(DocumentedTypeName(t))));
      }
    }
  }

  void CheckSelector(VectorSelector& vs, bool bypass_empty_matcher_check) {
    if (!vs.name.empty()) {
      // The first matcher is the one for the name written before the braces.
      for (size_t i = 1; i < vs.matchers.size(); ++i) {
        if (vs.matchers[i].name() == "__name__") {
          Err(vs.pos.start, absl::StrCat("metric name must not be set twice: ", QuoteString(vs.name), " or ",
                                         QuoteString(vs.matchers[i].value())));
        }
      }
      return;
    }
    if (bypass_empty_matcher_check) return;
    for (const Matcher& m : vs.matchers) {
      if (!m.MatchesEmpty()) return;
    }
    Err(vs.pos.start, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view query_;
  std::optional<std::pair<int32_t, std::string>> err_;
};

}  // namespace

absl::Status MakeParseError(std::string_view query, int32_t pos, std::string_view what) {
  std::string where;
  if (query.empty()) {
    where = "unknown position";
  } else if (pos < 0 || pos > static_cast<int32_t>(query.size())) {
    where = "invalid position";
  } else {
    int line = 1;
    int32_t last_break = -1;
    for (int32_t i = 0; i < pos; ++i) {
      if (query[i] == '\n') {
        last_break = i;
        ++line;
      }
    }
    where = absl::StrCat(line, ":", pos - last_break);
  }
  return absl::InvalidArgumentError(absl::StrCat(where, ": parse error: ", std::string(what)));
}

absl::Status CheckAst(Expr& expr, std::string_view query) { return Checker(query).Run(expr); }

}  // namespace vigil::promql
