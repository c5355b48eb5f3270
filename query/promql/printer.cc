#include "query/promql/printer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "query/promql/functions.h"
#include "query/promql/literals.h"

namespace vigil::promql {
namespace {

// Prometheus' prettier splits a node whose one-line form is longer than this.
constexpr size_t kMaxCharactersPerLine = 100;

// The line limit of the Pretty call in progress (PrettyWithWidth changes it for one call).
thread_local size_t max_line_width = kMaxCharactersPerLine;

// A label name as PromQL writes it: bare when it is a legacy name, quoted otherwise ("a.b").
void AppendLabelName(std::string_view name, std::string* out) {
  if (IsValidLabelName(name)) {
    out->append(name);
  } else {
    out->append(QuoteString(name));
  }
}

void AppendLabelList(const std::vector<std::string>& labels, std::string* out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendLabelName(labels[i], out);
  }
}

std::string MatcherString(const Matcher& m) {
  std::string out;
  AppendLabelName(m.name(), &out);
  out.append(MatchTypeString(m.type()));
  out.append(QuoteString(m.value()));
  return out;
}

void AppendAt(AtModifier at, TimestampMs at_ms, std::string* out) {
  switch (at) {
    case AtModifier::kNone:
      break;
    case AtModifier::kTimestamp:
      absl::StrAppend(out, " @ ", absl::StrFormat("%.3f", static_cast<double>(at_ms) / 1000.0));
      break;
    case AtModifier::kStart:
      out->append(" @ start()");
      break;
    case AtModifier::kEnd:
      out->append(" @ end()");
      break;
  }
}

void AppendOffset(int64_t offset_ms, std::string* out) {
  if (offset_ms > 0) {
    absl::StrAppend(out, " offset ", FormatDuration(offset_ms));
  } else if (offset_ms < 0) {
    absl::StrAppend(out, " offset -", FormatDuration(-offset_ms));
  }
}

// The selector without its @ and offset, as a matrix selector prints it before its range.
void AppendSelectorBody(const VectorSelector& vs, std::string* out) {
  std::vector<std::string> labels;
  labels.reserve(vs.matchers.size());
  for (const Matcher& m : vs.matchers) {
    if (m.name() == "__name__" && m.type() == MatchType::kEqual && m.value() == vs.name && !m.value().empty()) {
      continue;
    }
    labels.push_back(MatcherString(m));
  }
  out->append(vs.name);
  if (!labels.empty()) {
    std::sort(labels.begin(), labels.end());
    absl::StrAppend(out, "{", absl::StrJoin(labels, ","), "}");
  }
}

void AppendAggregateOp(const AggregateExpr& a, std::string* out) {
  out->append(AggregateOpString(a.op));
  if (a.without) {
    out->append(" without (");
    AppendLabelList(a.grouping, out);
    out->append(") ");
  } else if (!a.grouping.empty()) {
    out->append(" by (");
    AppendLabelList(a.grouping, out);
    out->append(") ");
  }
}

// The operator of a binary expression with its bool and matching modifiers: "+", "== bool", "* on (a) group_left".
std::string BinaryOperatorString(const BinaryExpr& b) {
  std::string out(BinaryOpString(b.op));
  if (b.return_bool) out.append(" bool");
  if (b.matching) {
    const VectorMatching& vm = *b.matching;
    const bool grouped = vm.card == VectorMatchCardinality::kManyToOne || vm.card == VectorMatchCardinality::kOneToMany;
    if (!vm.matching_labels.empty() || vm.on || grouped) {
      out.append(vm.on ? " on (" : " ignoring (");
      AppendLabelList(vm.matching_labels, &out);
      out.append(")");
    }
    if (grouped) {
      out.append(vm.card == VectorMatchCardinality::kManyToOne ? " group_left (" : " group_right (");
      AppendLabelList(vm.include, &out);
      out.append(")");
    }
  }
  return out;
}

std::string SubquerySuffix(const SubqueryExpr& s) {
  std::string out = absl::StrCat("[", FormatDuration(s.range_ms), ":");
  if (s.step_ms != 0) out.append(FormatDuration(s.step_ms));
  out.append("]");
  AppendAt(s.at, s.at_ms, &out);
  AppendOffset(s.offset_ms, &out);
  return out;
}

void Append(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kNumberLiteral: {
      const auto& n = static_cast<const NumberLiteral&>(e);
      if (n.duration && std::isfinite(n.value)) {
        const double ns = n.value * 1e9;
        const auto ms = static_cast<int64_t>(std::clamp(ns / 1e6, -9.2e15, 9.2e15));
        if (ms < 0) {
          absl::StrAppend(out, "-", FormatDuration(-ms));
        } else {
          out->append(FormatDuration(ms));
        }
      } else {
        out->append(FormatNumber(n.value));
      }
      return;
    }
    case ExprKind::kStringLiteral:
      out->append(QuoteString(static_cast<const StringLiteral&>(e).value));
      return;
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      AppendSelectorBody(vs, out);
      AppendAt(vs.at, vs.at_ms, out);
      AppendOffset(vs.offset_ms, out);
      return;
    }
    case ExprKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(e);
      const auto& vs = static_cast<const VectorSelector&>(*m.vector_selector);
      AppendSelectorBody(vs, out);
      absl::StrAppend(out, "[", FormatDuration(m.range_ms), "]");
      AppendAt(vs.at, vs.at_ms, out);
      AppendOffset(vs.offset_ms, out);
      return;
    }
    case ExprKind::kSubquery: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      Append(*s.expr, out);
      out->append(SubquerySuffix(s));
      return;
    }
    case ExprKind::kParen:
      out->append("(");
      Append(*static_cast<const ParenExpr&>(e).expr, out);
      out->append(")");
      return;
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out->append(BinaryOpString(u.op));
      Append(*u.expr, out);
      return;
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      Append(*b.lhs, out);
      absl::StrAppend(out, " ", BinaryOperatorString(b), " ");
      Append(*b.rhs, out);
      return;
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      AppendAggregateOp(a, out);
      out->append("(");
      if (a.param) {
        Append(*a.param, out);
        out->append(", ");
      }
      Append(*a.expr, out);
      out->append(")");
      return;
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      absl::StrAppend(out, AV(c.func != nullptr ? c.func->name : "<unknown>"), "(");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(", ");
        Append(*c.args[i], out);
      }
      out->append(")");
      return;
    }
    case ExprKind::kStepInvariant:
      Append(*static_cast<const StepInvariantExpr&>(e).expr, out);
      return;
  }
}

std::string Indent(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

bool NeedsSplit(const Expr& e) { return ToString(e).size() > max_line_width; }

std::string PrettyAt(const Expr& e, int level) {
  switch (e.kind) {
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      std::string out = Indent(level);
      AppendAggregateOp(a, &out);
      out.append("(\n");
      if (a.param) absl::StrAppend(&out, PrettyAt(*a.param, level + 1), ",\n");
      absl::StrAppend(&out, PrettyAt(*a.expr, level + 1), "\n", Indent(level), ")");
      return out;
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      return absl::StrCat(PrettyAt(*b.lhs, level + 1), "\n", Indent(level), BinaryOperatorString(b), "\n",
                          PrettyAt(*b.rhs, level + 1));
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      std::string out = absl::StrCat(Indent(level), AV(c.func != nullptr ? c.func->name : "<unknown>"), "(\n");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out.append(",\n");
        out.append(PrettyAt(*c.args[i], level + 1));
      }
      absl::StrAppend(&out, "\n", Indent(level), ")");
      return out;
    }
    case ExprKind::kParen: {
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      return absl::StrCat(Indent(level), "(\n", PrettyAt(*static_cast<const ParenExpr&>(e).expr, level + 1), "\n",
                          Indent(level), ")");
    }
    case ExprKind::kStepInvariant:
      return PrettyAt(*static_cast<const StepInvariantExpr&>(e).expr, level);
    case ExprKind::kSubquery: {
      // As Prometheus' prettier: a subquery that fits is not indented.
      const auto& s = static_cast<const SubqueryExpr&>(e);
      if (!NeedsSplit(e)) return ToString(e);
      return PrettyAt(*s.expr, level) + SubquerySuffix(s);
    }
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      const std::string child = PrettyAt(*u.expr, level);
      return absl::StrCat(Indent(level), AV(BinaryOpString(u.op)), absl::StripAsciiWhitespace(child));
    }
    case ExprKind::kMatrixSelector:
    case ExprKind::kVectorSelector:
    case ExprKind::kNumberLiteral:
    case ExprKind::kStringLiteral:
      return Indent(level) + ToString(e);
  }
  return ToString(e);
}

}  // namespace

std::string ToString(const Expr& expr) {
  std::string out;
  Append(expr, &out);
  return out;
}

std::string Pretty(const Expr& expr) { return PrettyWithWidth(expr, kMaxCharactersPerLine); }

std::string PrettyWithWidth(const Expr& expr, size_t width) {
  const size_t saved = max_line_width;
  max_line_width = width;
  std::string out = PrettyAt(expr, 0);
  max_line_width = saved;
  return out;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    if (ms == std::numeric_limits<int64_t>::min()) ms += 1;
    out.push_back('-');
    ms = -ms;
  }
  struct Unit {
    const char* name;
    int64_t mult;
    bool exact;
  };
  static constexpr Unit kUnits[] = {
      {"y", 1000LL * 60 * 60 * 24 * 365, true},
      {"w", 1000LL * 60 * 60 * 24 * 7, true},
      {"d", 1000LL * 60 * 60 * 24, false},
      {"h", 1000LL * 60 * 60, false},
      {"m", 1000LL * 60, false},
      {"s", 1000LL, false},
      {"ms", 1, false},
  };
  for (const Unit& u : kUnits) {
    if (u.exact && ms % u.mult != 0) continue;
    const int64_t v = ms / u.mult;
    if (v > 0) {
      absl::StrAppend(&out, v, u.name);
      ms -= v * u.mult;
    }
  }
  return out;
}

}  // namespace vigil::promql
