#include "query/lokiapi/loki_api.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/api/json.h"
#include "query/logql/parser.h"
#include "query/lokiapi/params.h"
#include "query/lokiapi/result_json.h"

namespace vigil::lokiapi {
namespace {

using query::api::AppendJsonString;
using query::api::AppendLabelsObject;

constexpr std::string_view kPrefix = "/loki/api/v1";
constexpr std::string_view kEncodingFlagsHeader = "X-Loki-Response-Encoding-Flags";
constexpr std::string_view kCategorizeLabels = "categorize-labels";

struct Api {
  const tsdb::logs::LogQuerier* querier;
  Clock* clock;
  logengine::Engine engine;
};

void WriteError(const absl::Status& s, http::Response* resp) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      resp->status = 400;
      break;
    case absl::StatusCode::kResourceExhausted:
      resp->status = 429;
      break;
    case absl::StatusCode::kUnavailable:
      resp->status = 503;
      break;
    default:
      resp->status = 500;
      break;
  }
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = absl::StrCat(s.message(), "\n");
}

void WriteJson(std::string body, http::Response* resp) {
  resp->status = 200;
  resp->content_type = "application/json; charset=UTF-8";
  resp->body = std::move(body);
}

bool WantsCategorizedLabels(const http::Request& req) {
  for (auto [it, end] = req.headers.equal_range(kEncodingFlagsHeader); it != end; ++it) {
    for (absl::string_view flag : absl::StrSplit(it->second, ',')) {
      if (absl::StripAsciiWhitespace(flag) == AV(kCategorizeLabels)) return true;
    }
  }
  return false;
}

absl::StatusOr<std::string> Query(const Api& api, const http::Request& req, bool range) {
  logengine::QueryParams p;
  p.query = req.Param("query");
  VIGIL_ASSIGN_OR_RETURN(p.direction, ParseDirection(req.Param("direction")));
  VIGIL_ASSIGN_OR_RETURN(p.limit, ParseLokiLimit(req.Param("limit")));
  p.categorize_labels = WantsCategorizedLabels(req);
  if (range) {
    VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
    p.start_ns = tr.start_ns;
    p.end_ns = tr.end_ns;
    absl::Duration step = DefaultStep(tr.start_ns, tr.end_ns);
    if (std::string s = req.Param("step"); !s.empty()) {
      VIGIL_ASSIGN_OR_RETURN(step, ParseLokiStep(s));
    }
    if (step <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    p.step_ns = absl::ToInt64Nanoseconds(step);
    if (std::string s = req.Param("interval"); !s.empty()) {
      VIGIL_ASSIGN_OR_RETURN(absl::Duration interval, ParseLokiStep(s));
      if (interval < absl::ZeroDuration()) {
        return absl::InvalidArgumentError("interval must be a non-negative value");
      }
      p.interval_ns = absl::ToInt64Nanoseconds(interval);
    }
  } else {
    p.instant = true;
    p.start_ns = absl::ToUnixNanos(api.clock->Now());
    if (std::string t = req.Param("time"); !t.empty()) {
      VIGIL_ASSIGN_OR_RETURN(p.start_ns, ParseLokiTime(t));
    }
    p.end_ns = p.start_ns;
  }
  VIGIL_ASSIGN_OR_RETURN(logengine::QueryResult result, api.engine.Query(p));
  return QueryResponseJson(result, p.categorize_labels);
}

// The selector of a metadata request's `query` parameter ("" selects every stream).
absl::StatusOr<std::vector<Matcher>> OptionalSelector(const http::Request& req) {
  std::string q = req.Param("query");
  if (q.empty()) return std::vector<Matcher>{};
  return logql::ParseMatchers(q, /*validate=*/true);
}

std::string StringListJson(const std::vector<std::string>& values) {
  std::string out = R"({"status":"success","data":[)";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(values[i], &out);
  }
  out.append("]}");
  return out;
}

absl::StatusOr<std::string> LabelNames(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, OptionalSelector(req));
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, api.querier->LabelNames(matchers, tr.start_ns, tr.end_ns));
  return StringListJson(names);
}

absl::StatusOr<std::string> LabelValues(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, OptionalSelector(req));
  const std::string& name = req.path_matches.at(1);
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> values,
                         api.querier->LabelValues(name, matchers, tr.start_ns, tr.end_ns));
  return StringListJson(values);
}

absl::StatusOr<std::string> Series(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  std::vector<std::string> selectors = req.Params("match[]");
  if (selectors.empty()) selectors = req.Params("match");
  std::set<Labels> all;
  if (selectors.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<Labels> series, api.querier->Series({}, tr.start_ns, tr.end_ns));
    all.insert(series.begin(), series.end());
  }
  for (const std::string& sel : selectors) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, logql::ParseMatchers(sel, /*validate=*/true));
    VIGIL_ASSIGN_OR_RETURN(std::vector<Labels> series, api.querier->Series(matchers, tr.start_ns, tr.end_ns));
    all.insert(series.begin(), series.end());
  }
  std::string out = R"({"status":"success","data":[)";
  bool first = true;
  for (const Labels& l : all) {
    if (!first) out.push_back(',');
    first = false;
    AppendLabelsObject(l, &out);
  }
  out.append("]}");
  return out;
}

absl::StatusOr<std::string> IndexStats(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, logql::ParseMatchers(req.Param("query"), true));
  VIGIL_ASSIGN_OR_RETURN(tsdb::logs::LogStats s, api.querier->Stats(matchers, tr.start_ns, tr.end_ns));
  return absl::StrCat(R"({"streams":)", s.streams, R"(,"chunks":)", s.chunks, R"(,"entries":)", s.entries,
                      R"(,"bytes":)", s.bytes, "}");
}

// Bytes per group of streams (Loki's index/volume, instant form): grouped by `targetLabels` when given, else by
// the label names of the selector; the largest `limit` groups, as a vector at `end`.
absl::StatusOr<std::string> Volume(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, logql::ParseMatchers(req.Param("query"), true));
  size_t limit = 100;
  if (std::string l = req.Param("limit"); !l.empty()) {
    VIGIL_ASSIGN_OR_RETURN(limit, ParseLokiLimit(l));
  }
  std::vector<std::string> targets;
  if (std::string t = req.Param("targetLabels"); !t.empty()) {
    for (absl::string_view name : absl::StrSplit(t, ',', absl::SkipEmpty())) targets.emplace_back(name);
  } else {
    for (const Matcher& m : matchers) {
      if (std::find(targets.begin(), targets.end(), m.name()) == targets.end()) targets.push_back(m.name());
    }
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Labels> series, api.querier->Series(matchers, tr.start_ns, tr.end_ns));
  std::set<Labels> groups;
  for (const Labels& s : series) groups.insert(LabelsBuilder(s).Keep(targets).Build());
  std::vector<std::pair<Labels, uint64_t>> volumes;
  for (const Labels& g : groups) {
    std::vector<Matcher> group_matchers = matchers;
    for (const std::string& name : targets) {
      VIGIL_ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kEqual, name, std::string(g.Get(name))));
      group_matchers.push_back(std::move(m));
    }
    VIGIL_ASSIGN_OR_RETURN(tsdb::logs::LogStats s, api.querier->Stats(group_matchers, tr.start_ns, tr.end_ns));
    volumes.emplace_back(g, s.bytes);
  }
  std::stable_sort(volumes.begin(), volumes.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (volumes.size() > limit) volumes.resize(limit);
  std::string out = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (size_t i = 0; i < volumes.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(R"({"metric":)");
    AppendLabelsObject(volumes[i].first, &out);
    out.append(R"(,"value":[)");
    query::api::AppendFloatSeconds(tr.end_ns / 1000000, &out);
    absl::StrAppend(&out, ",\"", volumes[i].second, "\"]}");
  }
  out.append("]}}");
  return out;
}

// Loki's detected_labels: every stream label of the selected streams with its number of distinct values.
absl::StatusOr<std::string> DetectedLabels(const Api& api, const http::Request& req) {
  VIGIL_ASSIGN_OR_RETURN(TimeRange tr, ParseTimeRange(req, api.clock->Now()));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Matcher> matchers, OptionalSelector(req));
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> names, api.querier->LabelNames(matchers, tr.start_ns, tr.end_ns));
  std::string out = R"({"detectedLabels":[)";
  bool first = true;
  for (const std::string& name : names) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           api.querier->LabelValues(name, matchers, tr.start_ns, tr.end_ns));
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"label":)");
    AppendJsonString(name, &out);
    absl::StrAppend(&out, R"(,"cardinality":)", values.size(), "}");
  }
  out.append("]}");
  return out;
}

using Endpoint = absl::StatusOr<std::string> (*)(const Api&, const http::Request&);

void Route(http::Server* server, std::shared_ptr<const Api> api, std::string_view path, Endpoint fn) {
  http::Handler h = [api, fn](const http::Request& req, http::Response* resp) {
    absl::StatusOr<std::string> body = fn(*api, req);
    if (!body.ok()) {
      WriteError(body.status(), resp);
      return;
    }
    WriteJson(*std::move(body), resp);
  };
  std::string pattern = absl::StrCat(AV(kPrefix), AV(path));
  server->Get(pattern, h);
  server->Post(pattern, h);
}

}  // namespace

void RegisterLokiApi(http::Server* server, LokiApiDeps deps) {
  auto api = std::make_shared<const Api>(Api{
      .querier = deps.querier,
      .clock = deps.clock != nullptr ? deps.clock : RealClock(),
      .engine = logengine::Engine(deps.querier, deps.engine_options),
  });
  Route(server, api, "/query", [](const Api& a, const http::Request& r) { return Query(a, r, /*range=*/false); });
  Route(server, api, "/query_range", [](const Api& a, const http::Request& r) { return Query(a, r, /*range=*/true); });
  Route(server, api, "/labels", LabelNames);
  Route(server, api, "/label/([^/]+)/values", LabelValues);
  Route(server, api, "/series", Series);
  Route(server, api, "/index/stats", IndexStats);
  Route(server, api, "/index/volume", Volume);
  Route(server, api, "/detected_labels", DetectedLabels);
}

}  // namespace vigil::lokiapi
