#include "query/api/query_handlers.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "query/api/envelope.h"
#include "query/api/json.h"
#include "query/api/params.h"
#include "query/api/result_json.h"
#include "query/engine/engine.h"
#include "query/promql/parser.h"
#include "query/promql/printer.h"

namespace vigil::query::api {
namespace {

constexpr int64_t kMaxPointsPerSeries = 11000;

Clock* ClockOf(const PrometheusApiDeps& deps) { return deps.clock != nullptr ? deps.clock : RealClock(); }

// What /query and /query_range share after their time parameters.
struct EvalParams {
  int64_t limit = 0;
  absl::Duration timeout = absl::InfiniteDuration();
  std::optional<int64_t> lookback_delta_ms;
  std::string stats;
};

bool ParseLimitParam(const http::Request& req, EvalParams* p, http::Response* resp) {
  absl::StatusOr<int64_t> limit = ParseLimit(req.Param("limit"));
  if (!limit.ok()) {
    WriteError(InvalidParam("limit", SV(limit.status().message())), resp);
    return false;
  }
  p->limit = *limit;
  return true;
}

bool ParseEvalParams(const http::Request& req, EvalParams* p, http::Response* resp) {
  if (std::string to = req.Param("timeout"); !to.empty()) {
    absl::StatusOr<absl::Duration> d = ParseDuration(to);
    if (!d.ok()) {
      WriteError(InvalidParam("timeout", SV(d.status().message())), resp);
      return false;
    }
    p->timeout = std::max(*d, absl::ZeroDuration());
  }
  if (std::string lb = req.Param("lookback_delta"); !lb.empty()) {
    absl::StatusOr<absl::Duration> d = ParseDuration(lb);
    if (!d.ok()) {
      WriteError(
          {ErrorType::kBadData, absl::StrCat("error parsing lookback delta duration: ", AV(SV(d.status().message())))},
          resp);
      return false;
    }
    // As Prometheus: zero or negative means the engine's default.
    if (*d > absl::ZeroDuration()) p->lookback_delta_ms = absl::ToInt64Milliseconds(*d);
  }
  p->stats = req.Param("stats");
  return true;
}

// The engine to use: the shared one, or a copy of its options with the request's lookback delta.
Engine* EngineFor(const PrometheusApiDeps& deps, const EvalParams& p, std::optional<Engine>* local) {
  if (!p.lookback_delta_ms.has_value()) return deps.engine;
  EngineOptions options = deps.engine->options();
  options.lookback_delta_ms = *p.lookback_delta_ms;
  local->emplace(options);
  return &**local;
}

// Writes the success response for `result`: data, the optional stats object, truncation and annotations.
void WriteResult(const QueryResult& result, const EvalParams& p, absl::Duration took, http::Response* resp) {
  std::vector<std::string> warnings = result.warnings;
  std::string* out = BeginSuccess(resp);
  bool truncated = AppendQueryData(result, p.limit, /*open=*/true, out);
  if (!p.stats.empty()) {
    double secs = absl::ToDoubleSeconds(took);
    out->append(",\"stats\":{\"timings\":{\"evalTotalTime\":");
    AppendJsonNumber(secs, out);
    out->append(",\"resultSortTime\":0,\"queryPreparationTime\":0,\"innerEvalTime\":");
    AppendJsonNumber(secs, out);
    out->append(",\"execQueueTime\":0,\"execTotalTime\":");
    AppendJsonNumber(secs, out);
    absl::StrAppend(out, "},\"samples\":{\"totalQueryableSamples\":", result.total_samples, ",\"peakSamples\":0}}");
  }
  out->push_back('}');
  if (truncated) warnings.emplace_back("results truncated due to limit");
  if (!p.stats.empty() && p.stats != "true" && p.stats != "all") {
    warnings.push_back(absl::StrCat("value ", GoQuote(p.stats),
                                    " for parameter \"stats\" is deprecated and will be rejected in the next major "
                                    "release, use \"true\" or \"all\""));
  }
  EndSuccess(warnings, result.infos, resp);
}

bool RequireEngine(const PrometheusApiDeps& deps, http::Response* resp) {
  if (deps.engine != nullptr) return true;
  WriteError({ErrorType::kUnavailable, "the query engine is not configured"}, resp);
  return false;
}

}  // namespace

void HandleQuery(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  if (!RequireEngine(deps, resp)) return;
  EvalParams p;
  if (!ParseLimitParam(req, &p, resp)) return;
  const absl::Time now = ClockOf(deps)->Now();
  absl::StatusOr<TimestampMs> t = ParseTimeParam("time", req.Param("time"), FromTime(now));
  if (!t.ok()) return WriteError(InvalidParam("time", SV(t.status().message())), resp);
  if (!ParseEvalParams(req, &p, resp)) return;
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return WriteError(InvalidParam("query", SV(expr.status().message())), resp);
  std::optional<Engine> local;
  Engine* engine = EngineFor(deps, p, &local);
  absl::StatusOr<QueryResult> result = engine->InstantQuery(deps.storage, **expr, *t, p.timeout);
  if (!result.ok()) return WriteError(FromEngineStatus(result.status()), resp);
  WriteResult(*result, p, ClockOf(deps)->Now() - now, resp);
}

void HandleQueryRange(const PrometheusApiDeps& deps, const http::Request& req, http::Response* resp) {
  if (!RequireEngine(deps, resp)) return;
  EvalParams p;
  if (!ParseLimitParam(req, &p, resp)) return;
  absl::StatusOr<TimestampMs> start = ParseTime(req.Param("start"));
  if (!start.ok()) return WriteError(InvalidParam("start", SV(start.status().message())), resp);
  absl::StatusOr<TimestampMs> end = ParseTime(req.Param("end"));
  if (!end.ok()) return WriteError(InvalidParam("end", SV(end.status().message())), resp);
  if (*end < *start) return WriteError(InvalidParam("end", "end timestamp must not be before start time"), resp);
  absl::StatusOr<absl::Duration> step = ParseDuration(req.Param("step"));
  if (!step.ok()) return WriteError(InvalidParam("step", SV(step.status().message())), resp);
  // Steps under a millisecond cannot be evaluated on millisecond timestamps; refuse them like a zero step.
  if (*step < absl::Milliseconds(1)) {
    return WriteError(
        InvalidParam("step", "zero or negative query resolution step widths are not accepted. Try a positive integer"),
        resp);
  }
  absl::Duration remainder;
  if (absl::IDivDuration(absl::Milliseconds(*end) - absl::Milliseconds(*start), *step, &remainder) >
      kMaxPointsPerSeries) {
    return WriteError({ErrorType::kBadData,
                       "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                       "resolution (?step=XX)"},
                      resp);
  }
  if (!ParseEvalParams(req, &p, resp)) return;
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return WriteError(InvalidParam("query", SV(expr.status().message())), resp);
  std::optional<Engine> local;
  Engine* engine = EngineFor(deps, p, &local);
  const absl::Time began = ClockOf(deps)->Now();
  absl::StatusOr<QueryResult> result =
      engine->RangeQuery(deps.storage, **expr, *start, *end, absl::ToInt64Milliseconds(*step), p.timeout);
  if (!result.ok()) return WriteError(FromEngineStatus(result.status()), resp);
  WriteResult(*result, p, ClockOf(deps)->Now() - began, resp);
}

void HandleFormatQuery(const PrometheusApiDeps&, const http::Request& req, http::Response* resp) {
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return WriteError(InvalidParam("query", SV(expr.status().message())), resp);
  std::string* out = BeginSuccess(resp);
  AppendJsonString(promql::Pretty(**expr), out);
  EndSuccess({}, {}, resp);
}

void HandleQueryExemplars(const PrometheusApiDeps&, const http::Request& req, http::Response* resp) {
  absl::StatusOr<TimestampMs> start = ParseTimeParam("start", req.Param("start"), kApiMinTime);
  if (!start.ok()) return WriteError(InvalidParam("start", SV(start.status().message())), resp);
  absl::StatusOr<TimestampMs> end = ParseTimeParam("end", req.Param("end"), kApiMaxTime);
  if (!end.ok()) return WriteError(InvalidParam("end", SV(end.status().message())), resp);
  if (*end < *start) {
    return WriteError({ErrorType::kBadData, "end timestamp must not be before start timestamp"}, resp);
  }
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return WriteError({ErrorType::kBadData, std::string(expr.status().message())}, resp);
  // No exemplars are stored: every selector selects none.
  WriteSuccess("[]", resp);
}

}  // namespace vigil::query::api
