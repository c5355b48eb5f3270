#include "query/logengine/engine.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/logengine/eval_internal.h"
#include "query/logql/parser.h"

namespace vigil::logengine {
namespace internal {

absl::Status SeriesLimitError(size_t limit) {
  return absl::InvalidArgumentError(absl::StrCat("maximum of series (", limit, ") reached for a single query"));
}

absl::Status CheckSeriesLimit(const EvalValue& v, const EvalContext& ctx) {
  if (ctx.max_series == 0 || v.is_scalar) return absl::OkStatus();
  for (const StepVector& step : v.steps) {
    if (step.size() > ctx.max_series) return SeriesLimitError(ctx.max_series);
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<EvalValue> Eval(const logql::Expr& e, const EvalContext& ctx) {
  switch (e.kind) {
    case logql::ExprKind::kRangeAggregation:
      return EvalRangeAggregation(logql::As<logql::RangeAggregationExpr>(e), ctx);
    case logql::ExprKind::kVectorAggregation: {
      const auto& agg = logql::As<logql::VectorAggregationExpr>(e);
      VIGIL_ASSIGN_OR_RETURN(EvalValue inner, Eval(*agg.inner, ctx));
      return EvalVectorAggregation(agg, std::move(inner), ctx);
    }
    case logql::ExprKind::kBinary: {
      const auto& bin = logql::As<logql::BinaryExpr>(e);
      VIGIL_ASSIGN_OR_RETURN(EvalValue lhs, Eval(*bin.lhs, ctx));
      VIGIL_ASSIGN_OR_RETURN(EvalValue rhs, Eval(*bin.rhs, ctx));
      return EvalBinary(bin, std::move(lhs), std::move(rhs), ctx);
    }
    case logql::ExprKind::kLiteral: {
      EvalValue v;
      v.is_scalar = true;
      v.scalar = logql::As<logql::LiteralExpr>(e).value;
      return v;
    }
    case logql::ExprKind::kVector: {
      EvalValue v;
      v.steps.assign(ctx.steps_ns.size(), StepVector{Elem{Labels(), logql::As<logql::VectorExpr>(e).value}});
      return v;
    }
    case logql::ExprKind::kLabelReplace: {
      const auto& lr = logql::As<logql::LabelReplaceExpr>(e);
      VIGIL_ASSIGN_OR_RETURN(EvalValue inner, Eval(*lr.inner, ctx));
      return EvalLabelReplace(lr, std::move(inner), ctx);
    }
    case logql::ExprKind::kLogSelector:
      break;
  }
  return absl::InvalidArgumentError("log selector expression is not a metric expression");
}

// Whether the outermost operation orders its result (sort, sort_desc), so an instant vector keeps that order.
bool KeepsOrder(const logql::Expr& e) {
  if (e.kind != logql::ExprKind::kVectorAggregation) return false;
  logql::VectorOp op = logql::As<logql::VectorAggregationExpr>(e).op;
  return op == logql::VectorOp::kSort || op == logql::VectorOp::kSortDesc;
}

}  // namespace
}  // namespace internal

Engine::Engine(const tsdb::logs::LogQuerier* querier, EngineOptions options) : querier_(querier), options_(options) {}

absl::StatusOr<QueryResult> Engine::Query(const QueryParams& params) const {
  const absl::Time began = absl::Now();
  VIGIL_ASSIGN_OR_RETURN(logql::ExprPtr expr, logql::ParseExpr(params.query));
  QueryResult result;
  QueryStats& stats = result.stats;
  auto finish = [&]() {
    stats.exec_time_seconds = absl::ToDoubleSeconds(absl::Now() - began);
    return std::move(result);
  };

  if (!expr->IsMetric()) {
    if (params.instant) return absl::InvalidArgumentError(AV(kInstantLogQueryError));
    if (params.limit == 0) return absl::InvalidArgumentError("limit must be a positive value");
    if (options_.max_entries_per_query > 0 && params.limit > options_.max_entries_per_query) {
      return absl::InvalidArgumentError(
          absl::StrCat("max entries limit per query exceeded, limit > max_entries_limit_per_query (", params.limit,
                       " > ", options_.max_entries_per_query, ")"));
    }
    if (params.end_ns < params.start_ns) {
      return absl::InvalidArgumentError("end timestamp must not be before or equal to start time");
    }
    VIGIL_ASSIGN_OR_RETURN(Streams streams,
                           internal::EvalLogQuery(logql::As<logql::LogSelectorExpr>(*expr), params, querier_, &stats));
    result.value = std::move(streams);
    return finish();
  }

  internal::EvalContext ctx;
  ctx.querier = querier_;
  ctx.max_series = options_.max_series;
  ctx.stats = &stats;
  if (params.instant) {
    ctx.steps_ns.push_back(params.start_ns);
  } else {
    if (params.step_ns <= 0) {
      return absl::InvalidArgumentError(
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if (params.end_ns < params.start_ns) {
      return absl::InvalidArgumentError("end timestamp must not be before or equal to start time");
    }
    if ((params.end_ns - params.start_ns) / params.step_ns >= kMaxPointsPerSeries) {
      return absl::InvalidArgumentError(
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution "
          "(?step=XX)");
    }
    for (int64_t t = params.start_ns; t <= params.end_ns; t += params.step_ns) ctx.steps_ns.push_back(t);
  }
  VIGIL_ASSIGN_OR_RETURN(internal::EvalValue value, internal::Eval(*expr, ctx));

  auto to_ms = [](int64_t ns) -> TimestampMs { return ns / 1000000; };
  if (value.is_scalar) {
    if (params.instant) {
      result.value = ScalarValue{to_ms(ctx.steps_ns[0]), value.scalar};
      stats.entries_returned = 1;
    } else {
      // As Loki's PopulateMatrixFromScalar: the scalar at every step, as one series without labels.
      MatrixSeries s;
      for (int64_t t : ctx.steps_ns) s.points.push_back(Sample{to_ms(t), value.scalar});
      stats.entries_returned = s.points.size();
      result.value = Matrix{std::move(s)};
    }
    return finish();
  }
  VIGIL_RETURN_IF_ERROR(internal::CheckSeriesLimit(value, ctx));
  if (params.instant) {
    Vector vec;
    for (internal::Elem& el : value.steps[0]) {
      vec.push_back(VectorElement{std::move(el.labels), to_ms(ctx.steps_ns[0]), el.v});
    }
    if (!internal::KeepsOrder(*expr)) {
      std::stable_sort(vec.begin(), vec.end(),
                       [](const VectorElement& a, const VectorElement& b) { return a.metric < b.metric; });
    }
    stats.entries_returned = vec.size();
    result.value = std::move(vec);
    return finish();
  }
  Matrix matrix;
  absl::flat_hash_map<Labels, size_t> index;
  for (size_t i = 0; i < value.steps.size(); ++i) {
    for (internal::Elem& el : value.steps[i]) {
      auto [it, inserted] = index.try_emplace(el.labels, matrix.size());
      if (inserted) {
        if (options_.max_series > 0 && matrix.size() >= options_.max_series) {
          return internal::SeriesLimitError(options_.max_series);
        }
        matrix.push_back(MatrixSeries{std::move(el.labels), {}});
      }
      matrix[it->second].points.push_back(Sample{to_ms(ctx.steps_ns[i]), el.v});
      ++stats.entries_returned;
    }
  }
  std::sort(matrix.begin(), matrix.end(),
            [](const MatrixSeries& a, const MatrixSeries& b) { return a.metric < b.metric; });
  result.value = std::move(matrix);
  return finish();
}

}  // namespace vigil::logengine
