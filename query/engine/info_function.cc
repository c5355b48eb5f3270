// info(v [, data-label selector]): enriches series with the data labels of the info series (target_info by default)
// that share their identifying labels (instance, job), as Prometheus 3's experimental info() does.
#include "query/engine/info_function.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "re2/re2.h"

namespace vigil::query::internal {
namespace {

constexpr std::string_view kTargetInfo = "target_info";
constexpr std::string_view kIdentifyingLabels[] = {"instance", "job"};

absl::StatusOr<std::vector<Matcher>> EffectiveNameMatchers(const std::vector<Matcher>& matchers) {
  for (const Matcher& m : matchers) {
    if (m.type() == MatchType::kEqual || m.type() == MatchType::kRegexMatch) return matchers;
  }
  std::vector<Matcher> out;
  if (!matchers.empty()) {
    VIGIL_ASSIGN_OR_RETURN(Matcher any_info,
                           Matcher::Create(MatchType::kRegexMatch, std::string(kMetricNameLabel), ".+_info"));
    out.push_back(std::move(any_info));
    out.insert(out.end(), matchers.begin(), matchers.end());
    return out;
  }
  VIGIL_ASSIGN_OR_RETURN(Matcher target,
                         Matcher::Create(MatchType::kEqual, std::string(kMetricNameLabel), std::string(kTargetInfo)));
  out.push_back(std::move(target));
  return out;
}

// The @ and offset of the first vector selector of `e` (with the offsets of enclosing subqueries), which info series
// are read with.
bool FirstSelectorTiming(const promql::Expr& e, promql::AtModifier* at, TimestampMs* at_ms, int64_t* offset) {
  switch (e.kind) {
    case promql::ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const promql::VectorSelector&>(e);
      *at = vs.at;
      *at_ms = vs.at_ms;
      *offset += vs.offset_ms;
      return true;
    }
    case promql::ExprKind::kMatrixSelector:
      return FirstSelectorTiming(*static_cast<const promql::MatrixSelector&>(e).vector_selector, at, at_ms, offset);
    case promql::ExprKind::kSubquery: {
      const auto& sq = static_cast<const promql::SubqueryExpr&>(e);
      int64_t inner = 0;
      if (!FirstSelectorTiming(*sq.expr, at, at_ms, &inner)) return false;
      *offset += inner;
      if (*at == promql::AtModifier::kNone) {
        *offset += sq.offset_ms;
        *at = sq.at;
        *at_ms = sq.at_ms;
      }
      return true;
    }
    case promql::ExprKind::kParen:
      return FirstSelectorTiming(*static_cast<const promql::ParenExpr&>(e).expr, at, at_ms, offset);
    case promql::ExprKind::kUnary:
      return FirstSelectorTiming(*static_cast<const promql::UnaryExpr&>(e).expr, at, at_ms, offset);
    case promql::ExprKind::kStepInvariant:
      return FirstSelectorTiming(*static_cast<const promql::StepInvariantExpr&>(e).expr, at, at_ms, offset);
    case promql::ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return FirstSelectorTiming(*b.lhs, at, at_ms, offset) || FirstSelectorTiming(*b.rhs, at, at_ms, offset);
    }
    case promql::ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return (a.param && FirstSelectorTiming(*a.param, at, at_ms, offset)) ||
             FirstSelectorTiming(*a.expr, at, at_ms, offset);
    }
    case promql::ExprKind::kCall:
      for (const auto& arg : static_cast<const promql::Call&>(e).args) {
        if (FirstSelectorTiming(*arg, at, at_ms, offset)) return true;
      }
      return false;
    default:
      return false;
  }
}

// Signature of an info series of metric `name` joined on the identifying labels of `l`.
std::string InfoSignature(std::string_view name, const Labels& l) {
  std::string sig(name);
  for (std::string_view id : kIdentifyingLabels) {
    absl::StrAppend(&sig, "\xff", AV(id), "\xff", AV(l.Get(id)));
  }
  return sig;
}

}  // namespace

absl::StatusOr<NodeValue> EvalInfoFunction(Evaluator* ev, const promql::Call& call) {
  VIGIL_ASSIGN_OR_RETURN(NodeValue base, ev->Eval(*call.args[0]));
  StepMatrix& mat = base.matrix;

  // Data-label matchers by label name, and the matchers on the info metric's name.
  std::map<std::string, std::vector<Matcher>> data_matchers;
  std::vector<Matcher> name_matchers;
  if (call.args.size() > 1) {
    const promql::Expr& sel = Unwrap(*call.args[1]);
    if (sel.kind == promql::ExprKind::kVectorSelector) {
      for (const Matcher& m : static_cast<const promql::VectorSelector&>(sel).matchers) {
        data_matchers[m.name()].push_back(m);
        if (m.name() == kMetricNameLabel) name_matchers.push_back(m);
      }
    }
  } else {
    VIGIL_ASSIGN_OR_RETURN(Matcher target,
                           Matcher::Create(MatchType::kEqual, std::string(kMetricNameLabel), std::string(kTargetInfo)));
    name_matchers.push_back(std::move(target));
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> effective, EffectiveNameMatchers(name_matchers));

  // Series that are info series themselves pass through unchanged.
  std::vector<char> ignored(mat.size(), 0);
  std::map<std::string, std::set<std::string>> id_values;
  for (size_t i = 0; i < mat.size(); ++i) {
    const std::string_view name = mat[i].metric.MetricName();
    ignored[i] = std::all_of(effective.begin(), effective.end(), [&](const Matcher& m) { return m.Matches(name); });
    if (ignored[i]) continue;
    for (std::string_view id : kIdentifyingLabels) {
      const std::string_view v = mat[i].metric.Get(id);
      if (!v.empty()) id_values[std::string(id)].insert(std::string(v));
    }
  }
  // Data matchers without the name matchers, for filtering labels.
  std::map<std::string, std::vector<Matcher>> label_matchers;
  std::vector<Matcher> info_name_matchers;
  for (const auto& [name, ms] : data_matchers) {
    for (const Matcher& m : ms) {
      if (m.name() == kMetricNameLabel) {
        info_name_matchers.push_back(m);
      } else {
        label_matchers[name].push_back(m);
      }
    }
  }

  StepMatrix info;
  if (!id_values.empty()) {
    promql::VectorSelector sel;
    for (const auto& [name, values] : id_values) {
      std::vector<std::string> quoted;
      for (const std::string& v : values) quoted.push_back(RE2::QuoteMeta(v));
      VIGIL_ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kRegexMatch, name, absl::StrJoin(quoted, "|")));
      sel.matchers.push_back(std::move(m));
    }
    for (const auto& [name, ms] : label_matchers) sel.matchers.insert(sel.matchers.end(), ms.begin(), ms.end());
    VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> info_names, EffectiveNameMatchers(info_name_matchers));
    sel.matchers.insert(sel.matchers.end(), info_names.begin(), info_names.end());
    int64_t offset = 0;
    FirstSelectorTiming(*call.args[0], &sel.at, &sel.at_ms, &offset);
    sel.offset_ms = offset;
    VIGIL_ASSIGN_OR_RETURN(NodeValue v, ev->EvalSelectorTimestamps(sel));
    info = std::move(v.matrix);
  }

  // Per base series and info metric name, the signature to join on.
  std::vector<std::string> info_names;
  for (const StepSeries& s : info) {
    const std::string name(s.metric.MetricName());
    if (std::find(info_names.begin(), info_names.end(), name) == info_names.end()) info_names.push_back(name);
  }
  std::vector<std::string> info_sig(info.size());
  for (size_t i = 0; i < info.size(); ++i) info_sig[i] = InfoSignature(info[i].metric.MetricName(), info[i].metric);
  std::vector<std::vector<std::string>> base_sigs(mat.size());
  for (size_t i = 0; i < mat.size(); ++i) {
    for (const std::string& name : info_names) base_sigs[i].push_back(InfoSignature(name, mat[i].metric));
  }
  const bool all_match_empty = std::all_of(label_matchers.begin(), label_matchers.end(), [](const auto& kv) {
    return std::all_of(kv.second.begin(), kv.second.end(), [](const Matcher& m) { return m.Matches(""); });
  });

  const StepMatrix* args[2] = {&mat, &info};
  OutputTable table;
  absl::flat_hash_map<std::string, StepSample> right;
  LabelsBuilder lb;
  VIGIL_ASSIGN_OR_RETURN(
      StepMatrix result,
      ev->RangeEval(
          args, &table,
          [&](TimestampMs, size_t, std::span<const StepVector> in, std::vector<OutSample>* out) -> absl::Status {
            if (in[0].empty()) return absl::OkStatus();
            right.clear();
            for (const StepSample& s : in[1]) {
              const std::string& sig = info_sig[s.series];
              auto it = right.find(sig);
              if (it == right.end()) {
                right.emplace(sig, s);
              } else if (it->second.v < s.v) {
                it->second = s;
              } else if (it->second.v == s.v) {
                return absl::FailedPreconditionError(
                    absl::StrCat("found duplicate series for info metric: existing ",
                                 info[it->second.series].metric.ToString(), " @ ", std::llround(it->second.v * 1000),
                                 ", new ", info[s.series].metric.ToString(), " @ ", std::llround(s.v * 1000)));
              }
            }
            for (const StepSample& bs : in[0]) {
              const StepSeries& b = mat[bs.series];
              if (ignored[bs.series]) {
                out->push_back({table.Intern(b.metric, b.drop_name), bs.v});
                continue;
              }
              LabelsBuilder added;
              bool any = false;
              for (const std::string& sig : base_sigs[bs.series]) {
                auto it = right.find(sig);
                if (it == right.end()) continue;
                any = true;
                for (const Label& l : info[it->second.series].metric) {
                  if (l.name == kMetricNameLabel) continue;
                  if (!label_matchers.empty() && !label_matchers.contains(std::string(l.name))) continue;
                  const std::string_view have = added.Get(l.name);
                  if (!have.empty() && have != l.value) {
                    return absl::FailedPreconditionError(absl::StrCat("conflicting label: ", AV(l.name)));
                  }
                  if (b.metric.Has(l.name)) continue;
                  added.Set(l.name, l.value);
                }
              }
              if (!any && !all_match_empty) continue;
              lb.Reset(b.metric);
              for (const Label& l : added.Build()) lb.Set(l.name, l.value);
              out->push_back({table.Intern(lb.Build(), b.drop_name), bs.v});
            }
            return absl::OkStatus();
          }));
  int64_t input_points = 0;
  for (const StepMatrix* m : args) {
    for (const StepSeries& s : *m) input_points += static_cast<int64_t>(s.points.size());
  }
  ev->ctx()->ReleaseSamples(input_points);
  NodeValue value;
  value.matrix = std::move(result);
  return value;
}

}  // namespace vigil::query::internal
