#include "query/api/series_handlers.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/labels.h"
#include "query/api/envelope.h"
#include "query/api/json.h"
#include "query/api/params.h"
#include "query/promql/parser.h"
#include "tsdb/storage/series_set.h"

namespace vigil::query::api {
namespace {

constexpr char kTruncated[] = "results truncated due to limit";

// The parameters the three endpoints share.
struct CommonParams {
  int64_t limit = 0;
  TimestampMs start = kApiMinTime;
  TimestampMs end = kApiMaxTime;
  std::vector<std::vector<Matcher>> match_sets;
};

// Parses limit, start, end and match[] in Prometheus' order. `match_error_as_param` words a bad match[] as
// `invalid parameter "match[]": ...` (series) instead of the bare error (labels, label values).
bool ParseCommon(const http::Request& req, bool match_error_as_param, CommonParams* p, http::Response* resp) {
  absl::StatusOr<int64_t> limit = ParseLimit(req.Param("limit"));
  if (!limit.ok()) {
    WriteError(InvalidParam("limit", SV(limit.status().message())), resp);
    return false;
  }
  p->limit = *limit;
  absl::StatusOr<TimestampMs> start = ParseTimeParam("start", req.Param("start"), kApiMinTime);
  if (!start.ok()) {
    WriteError(InvalidParam("start", SV(start.status().message())), resp);
    return false;
  }
  absl::StatusOr<TimestampMs> end = ParseTimeParam("end", req.Param("end"), kApiMaxTime);
  if (!end.ok()) {
    WriteError(InvalidParam("end", SV(end.status().message())), resp);
    return false;
  }
  p->start = *start;
  p->end = *end;
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = ParseMatchSets(req.Params("match[]"));
  if (!sets.ok()) {
    std::string_view msg = SV(sets.status().message());
    WriteError(match_error_as_param ? InvalidParam("match[]", msg) : ApiError{ErrorType::kBadData, std::string(msg)},
               resp);
    return false;
  }
  p->match_sets = std::move(*sets);
  return true;
}

void WriteStringList(std::vector<std::string> values, int64_t limit, http::Response* resp) {
  std::vector<std::string> warnings;
  if (limit > 0 && values.size() > static_cast<size_t>(limit)) {
    values.resize(static_cast<size_t>(limit));
    warnings.emplace_back(kTruncated);
  }
  std::string* out = BeginSuccess(resp);
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(values[i], out);
  }
  out->push_back(']');
  EndSuccess(warnings, {}, resp);
}

// Sorted union of several sorted, unique lists.
std::vector<std::string> Union(std::vector<std::vector<std::string>> lists) {
  if (lists.size() == 1) return std::move(lists[0]);
  std::vector<std::string> all;
  for (auto& l : lists) all.insert(all.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

absl::StatusOr<std::unique_ptr<tsdb::Querier>> OpenQuerier(const PrometheusApiDeps& deps, const CommonParams& p) {
  return deps.storage->NewQuerier(p.start, p.end);
}

}  // namespace

absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchSets(const std::vector<std::string>& selectors) {
  std::vector<std::vector<Matcher>> sets;
  sets.reserve(selectors.size());
  for (const std::string& s : selectors) {
    absl::StatusOr<std::vector<Matcher>> ms = promql::ParseMetricSelector(s);
    if (!ms.ok()) return ms.status();
    bool has_non_empty = std::any_of(ms->begin(), ms->end(), [](const Matcher& m) { return !m.MatchesEmpty(); });
    if (!has_non_empty) return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    sets.push_back(std::move(*ms));
  }
  return sets;
}

void HandleSeries(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  if (req.Params("match[]").empty()) {
    return WriteError({ErrorType::kBadData, "no match[] parameter provided"}, resp);
  }
  CommonParams p;
  if (!ParseCommon(req, /*match_error_as_param=*/true, &p, resp)) return;
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = OpenQuerier(deps, p);
  if (!q.ok()) return WriteError({ErrorType::kExecution, std::string(q.status().message())}, resp);
  tsdb::SelectHints hints;
  hints.start = p.start;
  hints.end = p.end;
  hints.func = "series";
  std::unique_ptr<tsdb::SeriesSet> set;
  if (p.match_sets.size() == 1) {
    set = (*q)->Select(false, &hints, p.match_sets[0]);
  } else {
    std::vector<std::unique_ptr<tsdb::SeriesSet>> sets;
    for (const auto& ms : p.match_sets) sets.push_back((*q)->Select(true, &hints, ms));
    set = tsdb::MergeSeriesSets(std::move(sets));
  }
  std::vector<std::string> warnings;
  std::string* out = BeginSuccess(resp);
  out->push_back('[');
  int64_t n = 0;
  while (set->Next()) {
    if (p.limit > 0 && n >= p.limit) {
      warnings.emplace_back(kTruncated);
      break;
    }
    if (n++ > 0) out->push_back(',');
    AppendLabelsObject(set->At()->labels(), out);
  }
  if (!set->Err().ok()) return WriteError({ErrorType::kExecution, std::string(set->Err().message())}, resp);
  out->push_back(']');
  EndSuccess(warnings, {}, resp);
}

void HandleLabelNames(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  CommonParams p;
  if (!ParseCommon(req, /*match_error_as_param=*/false, &p, resp)) return;
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = OpenQuerier(deps, p);
  if (!q.ok()) return WriteError({ErrorType::kExecution, std::string(q.status().message())}, resp);
  std::vector<std::vector<std::string>> lists;
  if (p.match_sets.empty()) p.match_sets.emplace_back();
  for (const auto& ms : p.match_sets) {
    absl::StatusOr<std::vector<std::string>> names = (*q)->LabelNames(ms);
    if (!names.ok()) return WriteError({ErrorType::kExecution, std::string(names.status().message())}, resp);
    lists.push_back(std::move(*names));
  }
  WriteStringList(Union(std::move(lists)), p.limit, resp);
}

void HandleLabelValues(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  std::string name = req.path_matches.size() > 1 ? req.path_matches[1] : "";
  if (name.rfind("U__", 0) == 0) name = UnescapeLabelName(name);
  if (name.empty() || !IsValidUtf8(name)) {
    return WriteError({ErrorType::kBadData, absl::StrCat("invalid label name: ", GoQuote(name))}, resp);
  }
  CommonParams p;
  if (!ParseCommon(req, /*match_error_as_param=*/false, &p, resp)) return;
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = OpenQuerier(deps, p);
  if (!q.ok()) return WriteError({ErrorType::kExecution, std::string(q.status().message())}, resp);
  std::vector<std::vector<std::string>> lists;
  if (p.match_sets.empty()) p.match_sets.emplace_back();
  for (const auto& ms : p.match_sets) {
    absl::StatusOr<std::vector<std::string>> values = (*q)->LabelValues(name, ms);
    if (!values.ok()) return WriteError({ErrorType::kExecution, std::string(values.status().message())}, resp);
    lists.push_back(std::move(*values));
  }
  WriteStringList(Union(std::move(lists)), p.limit, resp);
}

}  // namespace vigil::query::api
