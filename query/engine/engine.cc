#include "query/engine/engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "query/engine/eval.h"
#include "query/promql/parser.h"

namespace vigil::query {
namespace {

using internal::Evaluator;
using internal::NodeValue;
using internal::QueryContext;
using internal::StepMatrix;

// The time range [mint, maxt] a query over [start, end] reads from storage.
struct TimeRange {
  TimestampMs mint = kMaxTimestampMs;
  TimestampMs maxt = kMinTimestampMs;
  void Extend(TimestampMs lo, TimestampMs hi) {
    mint = std::min(mint, lo);
    maxt = std::max(maxt, hi);
  }
};

TimestampMs AtTime(promql::AtModifier at, TimestampMs at_ms, TimestampMs query_start, TimestampMs query_end) {
  switch (at) {
    case promql::AtModifier::kTimestamp:
      return at_ms;
    case promql::AtModifier::kStart:
      return query_start;
    case promql::AtModifier::kEnd:
      return query_end;
    case promql::AtModifier::kNone:
      break;
  }
  return 0;
}

void FindTimeRange(const promql::Expr& e, TimestampMs start, TimestampMs end, TimestampMs qs, TimestampMs qe,
                   int64_t lookback, TimeRange* r) {
  auto ref_range = [&](promql::AtModifier at, TimestampMs at_ms, int64_t offset, TimestampMs* lo, TimestampMs* hi) {
    if (at != promql::AtModifier::kNone) {
      *lo = *hi = AtTime(at, at_ms, qs, qe) - offset;
    } else {
      *lo = start - offset;
      *hi = end - offset;
    }
  };
  switch (e.kind) {
    case promql::ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const promql::VectorSelector&>(e);
      TimestampMs lo = 0, hi = 0;
      ref_range(vs.at, vs.at_ms, vs.offset_ms, &lo, &hi);
      r->Extend(lo - lookback, hi);
      return;
    }
    case promql::ExprKind::kMatrixSelector: {
      const auto& ms = static_cast<const promql::MatrixSelector&>(e);
      const auto& vs = static_cast<const promql::VectorSelector&>(*ms.vector_selector);
      TimestampMs lo = 0, hi = 0;
      ref_range(vs.at, vs.at_ms, vs.offset_ms, &lo, &hi);
      r->Extend(lo - ms.range_ms, hi);
      return;
    }
    case promql::ExprKind::kSubquery: {
      const auto& sq = static_cast<const promql::SubqueryExpr&>(e);
      TimestampMs lo = 0, hi = 0;
      ref_range(sq.at, sq.at_ms, sq.offset_ms, &lo, &hi);
      FindTimeRange(*sq.expr, lo - sq.range_ms, hi, qs, qe, lookback, r);
      return;
    }
    case promql::ExprKind::kParen:
      FindTimeRange(*static_cast<const promql::ParenExpr&>(e).expr, start, end, qs, qe, lookback, r);
      return;
    case promql::ExprKind::kUnary:
      FindTimeRange(*static_cast<const promql::UnaryExpr&>(e).expr, start, end, qs, qe, lookback, r);
      return;
    case promql::ExprKind::kStepInvariant:
      FindTimeRange(*static_cast<const promql::StepInvariantExpr&>(e).expr, start, end, qs, qe, lookback, r);
      return;
    case promql::ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      FindTimeRange(*b.lhs, start, end, qs, qe, lookback, r);
      FindTimeRange(*b.rhs, start, end, qs, qe, lookback, r);
      return;
    }
    case promql::ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      FindTimeRange(*a.expr, start, end, qs, qe, lookback, r);
      if (a.param) FindTimeRange(*a.param, start, end, qs, qe, lookback, r);
      return;
    }
    case promql::ExprKind::kCall:
      for (const promql::ExprPtr& arg : static_cast<const promql::Call&>(e).args) {
        FindTimeRange(*arg, start, end, qs, qe, lookback, r);
      }
      return;
    case promql::ExprKind::kNumberLiteral:
    case promql::ExprKind::kStringLiteral:
      return;
  }
}

// Drops the names of series marked for it (Prometheus 3's delayed name removal).
void DropNames(StepMatrix* m) {
  for (internal::StepSeries& s : *m) {
    if (s.drop_name) s.metric = internal::DropMetricName(s.metric);
  }
}

struct Evaluation {
  NodeValue value;
  QueryContext ctx;
};

absl::Time Deadline(const EngineOptions& options, Clock* clock, absl::Duration timeout) {
  const absl::Duration d = std::min(options.timeout, timeout);
  if (d == absl::InfiniteDuration()) return absl::InfiniteFuture();
  return clock->Now() + d;
}

absl::Status Run(const EngineOptions& options, tsdb::Queryable* storage, const promql::Expr& expr, TimestampMs start,
                 TimestampMs end, int64_t step, absl::Duration timeout, Evaluation* out) {
  QueryContext& ctx = out->ctx;
  ctx.clock = options.clock != nullptr ? options.clock : RealClock();
  ctx.deadline = Deadline(options, ctx.clock, timeout);
  ctx.lookback_ms = options.lookback_delta_ms;
  ctx.default_subquery_step_ms = options.default_subquery_step_ms;
  ctx.max_samples = options.max_samples;
  ctx.query_start = start;
  ctx.query_end = end;
  ctx.query_step = step;
  TimeRange range;
  FindTimeRange(expr, start, end, start, end, options.lookback_delta_ms, &range);
  if (range.mint > range.maxt) range = TimeRange{start, end};
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<tsdb::Querier> querier, storage->NewQuerier(range.mint, range.maxt));
  ctx.querier = querier.get();
  Evaluator ev(&ctx, start, end, step > 0 ? step : 1);
  VIGIL_ASSIGN_OR_RETURN(out->value, ev.Eval(expr));
  ctx.querier = nullptr;
  return absl::OkStatus();
}

void CopyAnnotations(const QueryContext& ctx, QueryResult* r) {
  r->warnings = ctx.annotations.warnings();
  r->infos = ctx.annotations.infos();
  r->total_samples = ctx.total_samples;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {}

absl::StatusOr<QueryResult> Engine::InstantQuery(tsdb::Queryable* storage, std::string_view query, TimestampMs t,
                                                 absl::Duration timeout) {
  VIGIL_ASSIGN_OR_RETURN(promql::ExprPtr expr, promql::ParseExpr(query));
  return InstantQuery(storage, *expr, t, timeout);
}

absl::StatusOr<QueryResult> Engine::RangeQuery(tsdb::Queryable* storage, std::string_view query, TimestampMs start,
                                               TimestampMs end, int64_t step_ms, absl::Duration timeout) {
  VIGIL_ASSIGN_OR_RETURN(promql::ExprPtr expr, promql::ParseExpr(query));
  return RangeQuery(storage, *expr, start, end, step_ms, timeout);
}

absl::StatusOr<QueryResult> Engine::InstantQuery(tsdb::Queryable* storage, const promql::Expr& expr, TimestampMs t,
                                                 absl::Duration timeout) {
  Evaluation ev;
  VIGIL_RETURN_IF_ERROR(Run(options_, storage, expr, t, t, 0, timeout, &ev));
  QueryResult result;
  CopyAnnotations(ev.ctx, &result);
  NodeValue& v = ev.value;
  switch (expr.Type()) {
    case promql::ValueType::kString:
      result.value = StringValue{t, std::move(v.str)};
      return result;
    case promql::ValueType::kScalar:
      result.value = Scalar{t, v.matrix.empty() || v.matrix[0].points.empty() ? 0 : v.matrix[0].points[0].v};
      return result;
    case promql::ValueType::kMatrix: {
      DropNames(&v.matrix);
      VIGIL_RETURN_IF_ERROR(internal::MergeSameLabelsets(&v.matrix));
      Matrix m;
      m.reserve(v.matrix.size());
      for (internal::StepSeries& s : v.matrix) m.push_back(MatrixSeries{std::move(s.metric), std::move(s.points)});
      std::sort(m.begin(), m.end(),
                [](const MatrixSeries& a, const MatrixSeries& b) { return Compare(a.metric, b.metric) < 0; });
      result.value = std::move(m);
      return result;
    }
    default: {
      DropNames(&v.matrix);
      Vector vec;
      vec.reserve(v.matrix.size());
      absl::flat_hash_set<uint64_t> hashes;
      for (internal::StepSeries& s : v.matrix) {
        if (s.points.empty()) continue;
        if (!hashes.insert(s.metric.Hash()).second) {
          for (const VectorSample& o : vec) {
            if (o.metric == s.metric) {
              return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
            }
          }
        }
        vec.push_back(VectorSample{std::move(s.metric), t, s.points[0].v});
      }
      result.value = std::move(vec);
      return result;
    }
  }
}

absl::StatusOr<QueryResult> Engine::RangeQuery(tsdb::Queryable* storage, const promql::Expr& expr, TimestampMs start,
                                               TimestampMs end, int64_t step_ms, absl::Duration timeout) {
  if (step_ms <= 0) {
    return absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if (end < start) return absl::InvalidArgumentError("end timestamp must not be before start time");
  if ((end - start) / step_ms > 11000) {
    return absl::InvalidArgumentError(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution "
        "(?step=XX)");
  }
  const promql::ValueType type = expr.Type();
  if (type != promql::ValueType::kScalar && type != promql::ValueType::kVector) {
    return absl::InvalidArgumentError(absl::StrCat("invalid expression type \"",
                                                   std::string(promql::DocumentedTypeName(type)),
                                                   "\" for range query, must be Scalar or instant Vector"));
  }
  Evaluation ev;
  VIGIL_RETURN_IF_ERROR(Run(options_, storage, expr, start, end, step_ms, timeout, &ev));
  QueryResult result;
  CopyAnnotations(ev.ctx, &result);
  StepMatrix& sm = ev.value.matrix;
  DropNames(&sm);
  VIGIL_RETURN_IF_ERROR(internal::MergeSameLabelsets(&sm));
  Matrix m;
  m.reserve(sm.size());
  for (internal::StepSeries& s : sm) {
    if (s.points.empty()) continue;
    m.push_back(MatrixSeries{std::move(s.metric), std::move(s.points)});
  }
  std::sort(m.begin(), m.end(),
            [](const MatrixSeries& a, const MatrixSeries& b) { return Compare(a.metric, b.metric) < 0; });
  result.value = std::move(m);
  return result;
}

promql::ValueType QueryResult::type() const {
  switch (value.index()) {
    case 0:
      return promql::ValueType::kScalar;
    case 1:
      return promql::ValueType::kString;
    case 2:
      return promql::ValueType::kVector;
    default:
      return promql::ValueType::kMatrix;
  }
}

}  // namespace vigil::query
