#include "query/logql/printer.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/strings/absl_view.h"
#include "base/units/duration.h"
#include "query/logql/go_units.h"
#include "query/promql/literals.h"

namespace vigil::logql {
namespace {

std::string Quote(std::string_view s) { return promql::QuoteString(s); }

std::string Duration(int64_t ns) { return units::FormatPrometheusDuration(absl::Nanoseconds(ns)); }

void AppendExtractions(std::string* out, const std::vector<LabelExtraction>& ex) {
  for (size_t i = 0; i < ex.size(); ++i) {
    if (i > 0) out->append(",");
    absl::StrAppend(out, ex[i].label, "=", Quote(ex[i].path));
  }
}

void AppendNamed(std::string* out, const std::vector<NamedLabelMatcher>& ls) {
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i > 0) out->append(",");
    out->append(ls[i].matcher ? ls[i].matcher->ToString() : ls[i].name);
  }
}

void AppendGrouping(std::string* out, const Grouping& g) {
  absl::StrAppend(out, g.without ? " without (" : " by (", absl::StrJoin(g.labels, ","), ")");
}

void AppendSelector(std::string* out, const LogSelectorExpr& s) {
  out->append("{");
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    if (i > 0) out->append(", ");
    out->append(s.matchers[i].ToString());
  }
  out->append("}");
  for (const Stage& st : s.stages) absl::StrAppend(out, " ", StageToString(st));
}

void Append(std::string* out, const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLogSelector:
      AppendSelector(out, As<LogSelectorExpr>(e));
      return;
    case ExprKind::kRangeAggregation: {
      const auto& r = As<RangeAggregationExpr>(e);
      absl::StrAppend(out, AV(RangeOpString(r.op)), "(");
      if (r.param) absl::StrAppend(out, promql::FormatNumber(*r.param), ",");
      AppendSelector(out, *r.selector);
      if (r.unwrap) {
        out->append(" | unwrap ");
        switch (r.unwrap->conversion) {
          case UnwrapConversion::kNone:
            out->append(r.unwrap->label);
            break;
          case UnwrapConversion::kBytes:
            absl::StrAppend(out, "bytes(", r.unwrap->label, ")");
            break;
          case UnwrapConversion::kDuration:
            absl::StrAppend(out, "duration(", r.unwrap->label, ")");
            break;
          case UnwrapConversion::kDurationSeconds:
            absl::StrAppend(out, "duration_seconds(", r.unwrap->label, ")");
            break;
        }
        for (const LabelFilterPtr& f : r.unwrap->post_filters) absl::StrAppend(out, " | ", LabelFilterToString(*f));
      }
      absl::StrAppend(out, "[", Duration(r.range_ns), "]");
      if (r.offset_ns != 0) absl::StrAppend(out, " offset ", Duration(r.offset_ns));
      out->append(")");
      if (r.grouping) AppendGrouping(out, *r.grouping);
      return;
    }
    case ExprKind::kVectorAggregation: {
      const auto& v = As<VectorAggregationExpr>(e);
      out->append(VectorOpString(v.op));
      if (v.has_grouping && (v.grouping.without || !v.grouping.labels.empty())) AppendGrouping(out, v.grouping);
      out->append("(");
      if (v.op == VectorOp::kTopk || v.op == VectorOp::kBottomk) absl::StrAppend(out, v.param, ",");
      Append(out, *v.inner);
      out->append(")");
      return;
    }
    case ExprKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      out->append("(");
      Append(out, *b.lhs);
      absl::StrAppend(out, " ", AV(BinaryOpString(b.op)));
      if (b.return_bool) out->append(" bool");
      if (b.has_matching) {
        absl::StrAppend(out, b.on ? " on (" : " ignoring (", absl::StrJoin(b.matching_labels, ","), ")");
        if (b.card != VectorMatchCardinality::kOneToOne) {
          out->append(b.card == VectorMatchCardinality::kManyToOne ? " group_left" : " group_right");
          if (!b.include.empty()) absl::StrAppend(out, " (", absl::StrJoin(b.include, ","), ")");
        }
      }
      out->append(" ");
      Append(out, *b.rhs);
      out->append(")");
      return;
    }
    case ExprKind::kLiteral:
      out->append(FormatGoFloat(As<LiteralExpr>(e).value));
      return;
    case ExprKind::kVector:
      absl::StrAppend(out, "vector(", promql::FormatFloatF(As<VectorExpr>(e).value), ")");
      return;
    case ExprKind::kLabelReplace: {
      const auto& l = As<LabelReplaceExpr>(e);
      out->append("label_replace(");
      Append(out, *l.inner);
      absl::StrAppend(out, ",", Quote(l.dst), ",", Quote(l.replacement), ",", Quote(l.src), ",", Quote(l.regex), ")");
      return;
    }
  }
}

}  // namespace

std::string LabelFilterToString(const LabelFilterExpr& f) {
  switch (f.kind) {
    case LabelFilterExpr::Kind::kString:
      return f.matcher ? f.matcher->ToString() : f.name;
    case LabelFilterExpr::Kind::kNumber:
      return absl::StrCat(f.name, AV(CompareOpString(f.op)), promql::FormatNumber(f.number));
    case LabelFilterExpr::Kind::kDuration:
    case LabelFilterExpr::Kind::kBytes:
      return absl::StrCat(f.name, AV(CompareOpString(f.op)), f.literal_text);
    case LabelFilterExpr::Kind::kAnd:
    case LabelFilterExpr::Kind::kOr:
      return absl::StrCat("( ", LabelFilterToString(*f.left), f.kind == LabelFilterExpr::Kind::kAnd ? " , " : " or ",
                          LabelFilterToString(*f.right), " )");
  }
  return "";
}

std::string StageToString(const Stage& s) {
  return std::visit(
      [](const auto& st) -> std::string {
        using T = std::decay_t<decltype(st)>;
        std::string out;
        if constexpr (std::is_same_v<T, LineFilterStage>) {
          absl::StrAppend(&out, AV(LineMatchTypeString(st.type)), " ");
          for (size_t i = 0; i < st.values.size(); ++i) {
            if (i > 0) out.append(" or ");
            out.append(Quote(st.values[i]));
          }
        } else if constexpr (std::is_same_v<T, JsonStage>) {
          out = "| json";
          if (!st.extractions.empty()) {
            out.append(" ");
            AppendExtractions(&out, st.extractions);
          }
        } else if constexpr (std::is_same_v<T, LogfmtStage>) {
          out = "| logfmt";
          if (st.strict) out.append(" --strict");
          if (st.keep_empty) out.append(" --keep-empty");
          if (!st.extractions.empty()) {
            out.append(" ");
            AppendExtractions(&out, st.extractions);
          }
        } else if constexpr (std::is_same_v<T, RegexpStage>) {
          out = absl::StrCat("| regexp ", Quote(st.pattern));
        } else if constexpr (std::is_same_v<T, PatternStage>) {
          out = absl::StrCat("| pattern ", Quote(st.pattern));
        } else if constexpr (std::is_same_v<T, UnpackStage>) {
          out = "| unpack";
        } else if constexpr (std::is_same_v<T, LabelFilterStage>) {
          out = absl::StrCat("| ", LabelFilterToString(*st.filter));
        } else if constexpr (std::is_same_v<T, LineFormatStage>) {
          out = absl::StrCat("| line_format ", Quote(st.tmpl));
        } else if constexpr (std::is_same_v<T, LabelFormatStage>) {
          out = "| label_format ";
          for (size_t i = 0; i < st.items.size(); ++i) {
            if (i > 0) out.append(",");
            absl::StrAppend(&out, st.items[i].name, "=",
                            st.items[i].rename ? st.items[i].value : Quote(st.items[i].value));
          }
        } else if constexpr (std::is_same_v<T, DropStage>) {
          out = "| drop ";
          AppendNamed(&out, st.labels);
        } else if constexpr (std::is_same_v<T, KeepStage>) {
          out = "| keep ";
          AppendNamed(&out, st.labels);
        } else if constexpr (std::is_same_v<T, DecolorizeStage>) {
          out = "| decolorize";
        }
        return out;
      },
      s);
}

std::string ToString(const Expr& e) {
  std::string out;
  Append(&out, e);
  return out;
}

}  // namespace vigil::logql
