// Vector aggregations (sum, avg, min, max, count, stddev, stdvar, topk, bottomk, sort, sort_desc) and
// label_replace, applied step by step, with the numeric kernels of query/functions.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/functions/aggregate.h"
#include "query/logengine/eval_internal.h"
#include "re2/re2.h"

namespace vigil::logengine::internal {
namespace {

using logql::VectorOp;

struct Group {
  Labels labels;
  double value = 0;
  double count = 0;
  query::functions::KahanSum sum;
  std::optional<query::functions::MeanAccumulator> mean;
  std::optional<query::functions::VarianceAccumulator> variance;
  std::vector<size_t> members;  // topk/bottomk: indexes into the step vector
};

Labels GroupLabels(const Labels& labels, const logql::VectorAggregationExpr& e) {
  if (!e.has_grouping) return Labels();
  LabelsBuilder b(labels);
  if (e.grouping.without) {
    b.Drop(e.grouping.labels);
  } else {
    b.Keep(e.grouping.labels);
  }
  return b.Build();
}

StepVector AggregateStep(const logql::VectorAggregationExpr& e, StepVector in) {
  if (e.op == VectorOp::kSort || e.op == VectorOp::kSortDesc) {
    const bool desc = e.op == VectorOp::kSortDesc;
    std::stable_sort(in.begin(), in.end(), [desc](const Elem& a, const Elem& b) {
      // NaN sorts last both ways, as Prometheus' sort functions.
      if (std::isnan(a.v)) return false;
      if (std::isnan(b.v)) return true;
      return desc ? a.v > b.v : a.v < b.v;
    });
    return in;
  }
  std::vector<Group> groups;
  absl::flat_hash_map<Labels, size_t> index;
  for (size_t i = 0; i < in.size(); ++i) {
    const Elem& el = in[i];
    Labels key = GroupLabels(el.labels, e);
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      Group g;
      g.labels = std::move(key);
      g.value = el.v;
      g.count = 1;
      g.sum = query::functions::KahanSum(el.v);
      g.mean.emplace(el.v);
      g.variance.emplace(el.v);
      g.members.push_back(i);
      groups.push_back(std::move(g));
      continue;
    }
    Group& g = groups[it->second];
    g.count += 1;
    switch (e.op) {
      case VectorOp::kSum:
        g.sum.Add(el.v);
        break;
      case VectorOp::kAvg:
        g.mean->Add(el.v);
        break;
      case VectorOp::kMin:
        g.value = query::functions::MinStep(g.value, el.v);
        break;
      case VectorOp::kMax:
        g.value = query::functions::MaxStep(g.value, el.v);
        break;
      case VectorOp::kStddev:
      case VectorOp::kStdvar:
        g.variance->Add(el.v);
        break;
      case VectorOp::kTopk:
      case VectorOp::kBottomk:
        g.members.push_back(i);
        break;
      default:
        break;
    }
  }
  StepVector out;
  for (Group& g : groups) {
    switch (e.op) {
      case VectorOp::kSum:
        out.push_back(Elem{std::move(g.labels), g.sum.Value()});
        break;
      case VectorOp::kAvg:
        out.push_back(Elem{std::move(g.labels), g.mean->Mean()});
        break;
      case VectorOp::kMin:
      case VectorOp::kMax:
        out.push_back(Elem{std::move(g.labels), g.value});
        break;
      case VectorOp::kCount:
        out.push_back(Elem{std::move(g.labels), g.count});
        break;
      case VectorOp::kStddev:
        out.push_back(Elem{std::move(g.labels), g.variance->Stddev()});
        break;
      case VectorOp::kStdvar:
        out.push_back(Elem{std::move(g.labels), g.variance->Variance()});
        break;
      case VectorOp::kTopk:
      case VectorOp::kBottomk: {
        if (e.param <= 0) break;
        const bool top = e.op == VectorOp::kTopk;
        std::stable_sort(g.members.begin(), g.members.end(), [&](size_t a, size_t b) {
          return top ? query::functions::TopkBefore(in[a].v, in[b].v)
                     : query::functions::BottomkBefore(in[a].v, in[b].v);
        });
        size_t k = std::min(g.members.size(), static_cast<size_t>(e.param));
        for (size_t i = 0; i < k; ++i) out.push_back(in[g.members[i]]);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// Go's Regexp.Expand of `tmpl` with the submatches of one match: $1, ${1}, $name, ${name}; $$ is a dollar. An
// unknown group expands to nothing.
std::string Expand(std::string_view tmpl, const RE2& re, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c != '$' || i + 1 >= tmpl.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    std::string_view name;
    size_t next = 0;
    if (tmpl[i + 1] == '{') {
      size_t close = tmpl.find('}', i + 2);
      if (close == std::string_view::npos) {
        out.push_back(c);
        ++i;
        continue;
      }
      name = tmpl.substr(i + 2, close - i - 2);
      next = close + 1;
    } else {
      size_t j = i + 1;
      while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_')) ++j;
      name = tmpl.substr(i + 1, j - i - 1);
      next = j;
    }
    if (name.empty()) {
      out.push_back(c);
      ++i;
      continue;
    }
    int group = -1;
    if (std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      group = name.size() < 6 ? std::stoi(std::string(name)) : -1;
    } else if (auto it = names.find(std::string(name)); it != names.end()) {
      group = it->second;
    }
    if (group >= 0 && static_cast<size_t>(group) < groups.size()) {
      out.append(groups[group].data(), groups[group].size());
    }
    i = next;
  }
  return out;
}

}  // namespace

absl::StatusOr<EvalValue> EvalVectorAggregation(const logql::VectorAggregationExpr& e, EvalValue inner,
                                                const EvalContext&) {
  if (inner.is_scalar) return absl::InvalidArgumentError("vector aggregation of a scalar is not supported");
  for (StepVector& step : inner.steps) step = AggregateStep(e, std::move(step));
  return inner;
}

absl::StatusOr<EvalValue> EvalLabelReplace(const logql::LabelReplaceExpr& e, EvalValue inner, const EvalContext&) {
  if (inner.is_scalar) return absl::InvalidArgumentError("label_replace of a scalar is not supported");
  RE2 re(absl::StrCat("^(?s:", e.regex, ")$"));
  if (!re.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid regular expression in label_replace(): ", e.regex));
  }
  if (!IsValidLabelName(e.dst)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid destination label name in label_replace(): ", e.dst));
  }
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  absl::flat_hash_map<Labels, Labels> cache;
  for (StepVector& step : inner.steps) {
    for (Elem& el : step) {
      auto it = cache.find(el.labels);
      if (it == cache.end()) {
        Labels result = el.labels;
        std::string_view src = el.labels.Get(e.src);
        re2::StringPiece text(src.data(), src.size());
        if (re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
          std::string value = Expand(e.replacement, re, groups);
          result = LabelsBuilder(el.labels).Set(e.dst, value).Build();
        }
        it = cache.emplace(el.labels, std::move(result)).first;
      }
      el.labels = it->second;
    }
  }
  return inner;
}

}  // namespace vigil::logengine::internal
