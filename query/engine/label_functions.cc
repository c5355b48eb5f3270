#include "query/engine/label_functions.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/promql/functions.h"
#include "re2/re2.h"

namespace vigil::query::internal {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool IsValidUtf8LabelName(std::string_view name) { return !name.empty() && IsValidUtf8(name); }

std::string ExpandTemplate(std::string_view tmpl, std::span<const std::string_view> groups,
                           const std::map<std::string, int>& names) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t dollar = tmpl.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, dollar - i));
    i = dollar + 1;
    if (i < tmpl.size() && tmpl[i] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string_view name;
    bool ok = false;
    if (i < tmpl.size() && tmpl[i] == '{') {
      const size_t close = tmpl.find('}', i + 1);
      if (close != std::string_view::npos) {
        name = tmpl.substr(i + 1, close - i - 1);
        ok = !name.empty() && std::all_of(name.begin(), name.end(), IsWordChar);
        if (ok) i = close + 1;
      }
    } else {
      size_t j = i;
      while (j < tmpl.size() && IsWordChar(tmpl[j])) ++j;
      name = tmpl.substr(i, j - i);
      ok = !name.empty();
      if (ok) i = j;
    }
    if (!ok) {
      out.push_back('$');
      continue;
    }
    int index = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      index = name.size() > 9 ? -1 : std::stoi(std::string(name));
    } else if (auto it = names.find(std::string(name)); it != names.end()) {
      index = it->second;
    }
    if (index >= 0 && static_cast<size_t>(index) < groups.size()) out.append(groups[index]);
  }
  return out;
}

absl::Status MergeSameLabelsets(StepMatrix* m) {
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  bool any = false;
  for (size_t i = 0; i < m->size(); ++i) {
    std::vector<size_t>& v = by_hash[(*m)[i].metric.Hash()];
    v.push_back(i);
    if (v.size() > 1) any = true;
  }
  if (!any) return absl::OkStatus();
  StepMatrix out;
  std::vector<char> taken(m->size(), 0);
  for (size_t i = 0; i < m->size(); ++i) {
    if (taken[i]) continue;
    StepSeries base = std::move((*m)[i]);
    taken[i] = 1;
    bool merged = false;
    for (size_t j : by_hash[base.metric.Hash()]) {
      if (taken[j] || !((*m)[j].metric == base.metric)) continue;
      taken[j] = 1;
      merged = true;
      base.points.insert(base.points.end(), (*m)[j].points.begin(), (*m)[j].points.end());
    }
    if (merged) {
      std::stable_sort(base.points.begin(), base.points.end(),
                       [](const Sample& a, const Sample& b) { return a.t < b.t; });
      for (size_t k = 1; k < base.points.size(); ++k) {
        if (base.points[k].t == base.points[k - 1].t) {
          return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
        }
      }
    }
    out.push_back(std::move(base));
  }
  *m = std::move(out);
  return absl::OkStatus();
}

absl::StatusOr<NodeValue> EvalLabelFunction(Evaluator* ev, const promql::Call& call) {
  auto string_arg = [&](size_t i) -> std::string {
    const promql::Expr& a = Unwrap(*call.args[i]);
    if (a.kind == promql::ExprKind::kStringLiteral) return static_cast<const promql::StringLiteral&>(a).value;
    return "";
  };
  const bool replace = call.func->name == "label_replace";
  const std::string dst = string_arg(1);
  if (replace) {
    const std::string repl = string_arg(2);
    const std::string src = string_arg(3);
    const std::string regex = string_arg(4);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_dot_nl(true);
    RE2 re(absl::StrCat("^(?s:", regex, ")$"), options);
    if (!re.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("invalid regular expression in label_replace(): ", regex));
    }
    if (!IsValidUtf8LabelName(dst)) {
      return absl::FailedPreconditionError(absl::StrCat("invalid destination label name in label_replace(): ", dst));
    }
    VIGIL_ASSIGN_OR_RETURN(NodeValue v, ev->Eval(*call.args[0]));
    const int n = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> pieces(n);
    std::vector<std::string_view> groups(n);
    std::map<std::string, int> names(re.NamedCapturingGroups().begin(), re.NamedCapturingGroups().end());
    LabelsBuilder lb;
    for (StepSeries& s : v.matrix) {
      const std::string_view value = s.metric.Get(src);
      if (!re.Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED, pieces.data(), n)) {
        continue;
      }
      for (int g = 0; g < n; ++g) groups[g] = std::string_view(pieces[g].data(), pieces[g].size());
      const std::string res = ExpandTemplate(repl, groups, names);
      lb.Reset(s.metric);
      lb.Set(dst, res);
      s.metric = lb.Build();
      if (dst == kMetricNameLabel) s.drop_name = false;
    }
    VIGIL_RETURN_IF_ERROR(MergeSameLabelsets(&v.matrix));
    return v;
  }
  const std::string sep = string_arg(2);
  std::vector<std::string> srcs;
  for (size_t i = 3; i < call.args.size(); ++i) {
    srcs.push_back(string_arg(i));
    if (!IsValidUtf8LabelName(srcs.back())) {
      return absl::FailedPreconditionError(absl::StrCat("invalid source label name in label_join(): ", srcs.back()));
    }
  }
  if (!IsValidUtf8LabelName(dst)) {
    return absl::FailedPreconditionError(absl::StrCat("invalid destination label name in label_join(): ", dst));
  }
  VIGIL_ASSIGN_OR_RETURN(NodeValue v, ev->Eval(*call.args[0]));
  LabelsBuilder lb;
  std::string joined;
  for (StepSeries& s : v.matrix) {
    joined.clear();
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined.append(sep);
      joined.append(s.metric.Get(srcs[i]));
    }
    lb.Reset(s.metric);
    lb.Set(dst, joined);
    s.metric = lb.Build();
    if (dst == kMetricNameLabel) s.drop_name = false;
  }
  VIGIL_RETURN_IF_ERROR(MergeSameLabelsets(&v.matrix));
  return v;
}

}  // namespace vigil::query::internal
