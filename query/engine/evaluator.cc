// The Evaluator's dispatch and the nodes that read storage: vector and matrix selectors, subqueries, step-invariant
// subtrees, literals and unary minus; plus RangeEval, the per-step driver of every combining operation.
#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "model/hash.h"
#include "query/engine/eval.h"
#include "query/promql/functions.h"

namespace vigil::query::internal {

using promql::Expr;
using promql::ExprKind;

// ---------------------------------------------------------------------------------------------------------------
// OutputTable

int64_t OutputTable::Find(const Labels& metric) const {
  auto it = by_hash_.find(metric.Hash());
  if (it == by_hash_.end()) return -1;
  for (int64_t id = it->second; id >= 0; id = next_[id]) {
    if (series_[id].metric == metric) return id;
  }
  return -1;
}

uint32_t OutputTable::Intern(const Labels& metric, bool drop_name) {
  const int64_t found = Find(metric);
  if (found >= 0) return static_cast<uint32_t>(found);
  return Intern(Labels(metric), drop_name);
}

uint32_t OutputTable::Intern(Labels&& metric, bool drop_name) {
  const int64_t found = Find(metric);
  if (found >= 0) return static_cast<uint32_t>(found);
  const uint32_t id = static_cast<uint32_t>(series_.size());
  auto [it, inserted] = by_hash_.try_emplace(metric.Hash(), id);
  next_.push_back(inserted ? -1 : static_cast<int64_t>(it->second));
  if (!inserted) it->second = id;
  series_.push_back(StepSeries{std::move(metric), {}, drop_name});
  return id;
}

absl::Status OutputTable::Add(uint32_t id, TimestampMs t, double v) {
  std::vector<Sample>& points = series_[id].points;
  if (!points.empty() && points.back().t == t) {
    return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
  }
  points.push_back(Sample{t, v});
  return absl::OkStatus();
}

StepMatrix OutputTable::Finish() {
  StepMatrix out;
  out.reserve(series_.size());
  for (StepSeries& s : series_) {
    if (!s.points.empty()) out.push_back(std::move(s));
  }
  series_.clear();
  by_hash_.clear();
  next_.clear();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// QueryContext

absl::Status QueryContext::AddSamples(int64_t n) {
  current_samples += n;
  total_samples += n;
  if (current_samples > max_samples) {
    return absl::ResourceExhaustedError("query processing would load too many samples into memory in query execution");
  }
  return absl::OkStatus();
}

absl::Status QueryContext::CheckDeadline() const {
  if (clock != nullptr && deadline != absl::InfiniteFuture() && clock->Now() >= deadline) {
    return absl::DeadlineExceededError("query timed out in query execution");
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const Expr& Unwrap(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind == ExprKind::kParen) cur = static_cast<const promql::ParenExpr*>(cur)->expr.get();
  return *cur;
}

Labels DropMetricName(const Labels& l) {
  if (!l.Has(kMetricNameLabel) && !l.Has("__type__") && !l.Has("__unit__")) return l;
  LabelsBuilder b(l);
  b.Del(kMetricNameLabel).Del("__type__").Del("__unit__");
  return b.Build();
}

uint64_t MatchSignature(const Labels& l, std::span<const std::string> names, bool on) {
  Hasher64 h;
  for (const Label& lab : l) {
    const bool listed = std::binary_search(names.begin(), names.end(), lab.name, [](const auto& a, const auto& b) {
      return std::string_view(a) < std::string_view(b);
    });
    if (on ? !listed : (listed || lab.name == kMetricNameLabel)) continue;
    h.Update(lab.name);
    h.UpdateByte(0xff);
    h.Update(lab.value);
    h.UpdateByte(0xff);
  }
  return h.Digest();
}

TimestampMs Evaluator::RefTime(promql::AtModifier at, TimestampMs at_ms, int64_t offset_ms, TimestampMs ts) const {
  switch (at) {
    case promql::AtModifier::kNone:
      return ts - offset_ms;
    case promql::AtModifier::kTimestamp:
      return at_ms - offset_ms;
    case promql::AtModifier::kStart:
      return ctx_->query_start - offset_ms;
    case promql::AtModifier::kEnd:
      return ctx_->query_end - offset_ms;
  }
  return ts - offset_ms;
}

StepMatrix Evaluator::ScalarMatrix(double v) const {
  StepMatrix m(1);
  m[0].points.reserve(NumSteps());
  for (TimestampMs ts = start_; ts <= end_; ts += interval_) m[0].points.push_back(Sample{ts, v});
  return m;
}

// Whether `e` has the same value at every step (Prometheus' preprocessExprHelper): literals, selectors and
// subqueries with `@`, and operators and functions (other than the time-dependent ones) over only such operands.
// An aggregation's parameter does not count, as in Prometheus.
bool IsStepInvariant(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumberLiteral:
    case ExprKind::kStringLiteral:
    case ExprKind::kStepInvariant:
      return true;
    case ExprKind::kVectorSelector:
      return static_cast<const promql::VectorSelector&>(e).at != promql::AtModifier::kNone;
    case ExprKind::kMatrixSelector:
      return IsStepInvariant(*static_cast<const promql::MatrixSelector&>(e).vector_selector);
    case ExprKind::kSubquery:
      return static_cast<const promql::SubqueryExpr&>(e).at != promql::AtModifier::kNone;
    case ExprKind::kParen:
      return IsStepInvariant(*static_cast<const promql::ParenExpr&>(e).expr);
    case ExprKind::kUnary:
      return IsStepInvariant(*static_cast<const promql::UnaryExpr&>(e).expr);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return IsStepInvariant(*b.lhs) && IsStepInvariant(*b.rhs);
    }
    case ExprKind::kAggregate:
      return IsStepInvariant(*static_cast<const promql::AggregateExpr&>(e).expr);
    case ExprKind::kCall: {
      const auto& c = static_cast<const promql::Call&>(e);
      static constexpr std::string_view kUnsafe[] = {
          "days_in_month", "day_of_month",   "day_of_week", "day_of_year", "end",  "hour", "minute",   "month",
          "year",          "predict_linear", "range",       "start",       "step", "time", "timestamp"};
      const std::string_view name = c.func->name;
      if (name == "timestamp" && c.args.size() == 1 && Unwrap(*c.args[0]).kind == ExprKind::kVectorSelector) {
        return IsStepInvariant(Unwrap(*c.args[0]));
      }
      for (std::string_view u : kUnsafe) {
        if (name == u) return false;
      }
      for (const promql::ExprPtr& a : c.args) {
        if (!IsStepInvariant(*a)) return false;
      }
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Dispatch

absl::StatusOr<NodeValue> Evaluator::Eval(const Expr& expr) {
  VIGIL_RETURN_IF_ERROR(ctx_->CheckDeadline());
  // A step-invariant subtree of a range evaluation is evaluated once and its values repeated at every step.
  if (start_ != end_ && expr.kind != ExprKind::kNumberLiteral && expr.kind != ExprKind::kStringLiteral &&
      expr.kind != ExprKind::kMatrixSelector && expr.kind != ExprKind::kSubquery &&
      expr.kind != ExprKind::kStepInvariant && expr.kind != ExprKind::kParen && IsStepInvariant(expr)) {
    return EvalStepInvariant(expr);
  }
  switch (expr.kind) {
    case ExprKind::kNumberLiteral:
      return EvalNumber(static_cast<const promql::NumberLiteral&>(expr).value);
    case ExprKind::kStringLiteral: {
      NodeValue v;
      v.is_string = true;
      v.str = static_cast<const promql::StringLiteral&>(expr).value;
      return v;
    }
    case ExprKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const promql::VectorSelector&>(expr));
    case ExprKind::kMatrixSelector:
      return EvalMatrixSelector(static_cast<const promql::MatrixSelector&>(expr));
    case ExprKind::kSubquery:
      return EvalSubquery(static_cast<const promql::SubqueryExpr&>(expr));
    case ExprKind::kParen:
      return Eval(*static_cast<const promql::ParenExpr&>(expr).expr);
    case ExprKind::kUnary:
      return EvalUnary(static_cast<const promql::UnaryExpr&>(expr));
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const promql::BinaryExpr&>(expr));
    case ExprKind::kAggregate:
      return EvalAggregate(static_cast<const promql::AggregateExpr&>(expr));
    case ExprKind::kCall:
      return EvalCall(static_cast<const promql::Call&>(expr));
    case ExprKind::kStepInvariant:
      return EvalStepInvariant(*static_cast<const promql::StepInvariantExpr&>(expr).expr);
  }
  return absl::InternalError("unknown expression kind");
}

absl::StatusOr<NodeValue> Evaluator::EvalNumber(double v) {
  NodeValue out;
  out.matrix = ScalarMatrix(v);
  return out;
}

absl::StatusOr<NodeValue> Evaluator::EvalUnary(const promql::UnaryExpr& e) {
  VIGIL_ASSIGN_OR_RETURN(NodeValue v, Eval(*e.expr));
  if (e.op != promql::BinaryOp::kSub) return v;
  const bool scalar = e.expr->Type() == promql::ValueType::kScalar;
  for (StepSeries& s : v.matrix) {
    if (!scalar) s.drop_name = true;
    for (Sample& p : s.points) p.v = -p.v;
  }
  return v;
}

absl::StatusOr<NodeValue> Evaluator::EvalStepInvariant(const Expr& inner) {
  Evaluator once(ctx_, start_, start_, interval_);
  VIGIL_ASSIGN_OR_RETURN(NodeValue v, once.Eval(inner));
  const Expr& u = Unwrap(inner);
  if (v.is_string || u.kind == ExprKind::kMatrixSelector || u.kind == ExprKind::kSubquery || start_ == end_) {
    return v;
  }
  const size_t steps = NumSteps();
  int64_t added = 0;
  for (StepSeries& s : v.matrix) {
    if (s.points.empty()) continue;
    const double value = s.points[0].v;
    s.points.clear();
    s.points.reserve(steps);
    for (TimestampMs ts = start_; ts <= end_; ts += interval_) s.points.push_back(Sample{ts, value});
    added += static_cast<int64_t>(steps) - 1;
  }
  VIGIL_RETURN_IF_ERROR(ctx_->AddSamples(added));
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Selectors

absl::Status Evaluator::ForEachSeries(const promql::VectorSelector& sel, TimestampMs mint, TimestampMs maxt,
                                      absl::FunctionRef<absl::Status(LoadedSeries& series)> fn) {
  tsdb::SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  hints.step_ms = interval_;
  std::unique_ptr<tsdb::SeriesSet> set =
      ctx_->querier->Select(true, &hints, std::span<const Matcher>(sel.matchers.data(), sel.matchers.size()));
  // One buffer for every series: only one series' raw samples are held at a time.
  LoadedSeries ls;
  while (set->Next()) {
    std::shared_ptr<const tsdb::Series> series = set->At();
    ls.metric = series->labels();
    ls.samples.clear();
    ls.drop_name = false;
    if (maxt >= mint) {
      std::unique_ptr<tsdb::SeriesIterator> it = series->Iterator();
      VIGIL_RETURN_IF_ERROR(it->AppendRange(mint, maxt, &ls.samples));
    }
    VIGIL_RETURN_IF_ERROR(fn(ls));
  }
  VIGIL_RETURN_IF_ERROR(set->Err());
  return ctx_->CheckDeadline();
}

absl::StatusOr<std::vector<LoadedSeries>> Evaluator::LoadSeries(const promql::VectorSelector& sel, TimestampMs mint,
                                                                TimestampMs maxt) {
  std::vector<LoadedSeries> out;
  VIGIL_RETURN_IF_ERROR(ForEachSeries(sel, mint, maxt, [&](LoadedSeries& ls) {
    out.push_back(LoadedSeries{std::move(ls.metric), ls.samples, false});
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<NodeValue> Evaluator::EvalVectorSelector(const promql::VectorSelector& sel, bool timestamps) {
  const TimestampMs first_ref = RefTime(sel.at, sel.at_ms, sel.offset_ms, start_);
  const TimestampMs last_ref = RefTime(sel.at, sel.at_ms, sel.offset_ms, end_);
  NodeValue out;
  const size_t steps = NumSteps();
  VIGIL_RETURN_IF_ERROR(ForEachSeries(sel, first_ref - ctx_->lookback_ms + 1, last_ref, [&](LoadedSeries& ls) {
    StepSeries s;
    const std::vector<Sample>& samples = ls.samples;
    size_t idx = 0;  // first sample with t > ref
    for (TimestampMs ts = start_; ts <= end_; ts += interval_) {
      const TimestampMs ref = RefTime(sel.at, sel.at_ms, sel.offset_ms, ts);
      while (idx < samples.size() && samples[idx].t <= ref) ++idx;
      if (idx == 0) continue;
      const Sample& last = samples[idx - 1];
      if (last.t <= ref - ctx_->lookback_ms || IsStaleNaN(last.v)) continue;
      if (s.points.empty()) s.points.reserve(steps);
      s.points.push_back(Sample{ts, timestamps ? static_cast<double>(last.t) / 1000.0 : last.v});
    }
    if (s.points.empty()) return absl::OkStatus();
    VIGIL_RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(s.points.size())));
    s.metric = std::move(ls.metric);
    out.matrix.push_back(std::move(s));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status Evaluator::ForEachRangeSeries(const Expr& expr, RangeInput* params,
                                           absl::FunctionRef<absl::Status(LoadedSeries& series)> fn) {
  const Expr& e = Unwrap(expr);
  if (e.kind == ExprKind::kMatrixSelector) {
    const auto& ms = static_cast<const promql::MatrixSelector&>(e);
    const auto& vs = static_cast<const promql::VectorSelector&>(*ms.vector_selector);
    params->range_ms = ms.range_ms;
    params->offset_ms = vs.offset_ms;
    params->at = vs.at;
    params->at_ms = vs.at_ms;
    const TimestampMs first_ref = RefTime(vs.at, vs.at_ms, vs.offset_ms, start_);
    const TimestampMs last_ref = RefTime(vs.at, vs.at_ms, vs.offset_ms, end_);
    return ForEachSeries(vs, first_ref - ms.range_ms + 1, last_ref, [&](LoadedSeries& ls) {
      // Windows never include stale markers.
      std::erase_if(ls.samples, [](const Sample& s) { return IsStaleNaN(s.v); });
      return fn(ls);
    });
  }
  VIGIL_ASSIGN_OR_RETURN(RangeInput in, LoadRange(expr));
  params->range_ms = in.range_ms;
  params->offset_ms = in.offset_ms;
  params->at = in.at;
  params->at_ms = in.at_ms;
  for (LoadedSeries& ls : in.series) VIGIL_RETURN_IF_ERROR(fn(ls));
  return absl::OkStatus();
}

absl::StatusOr<Evaluator::RangeInput> Evaluator::LoadRange(const Expr& expr) {
  const Expr& e = Unwrap(expr);
  RangeInput in;
  if (e.kind == ExprKind::kMatrixSelector) {
    const auto& ms = static_cast<const promql::MatrixSelector&>(e);
    const auto& vs = static_cast<const promql::VectorSelector&>(*ms.vector_selector);
    in.range_ms = ms.range_ms;
    in.offset_ms = vs.offset_ms;
    in.at = vs.at;
    in.at_ms = vs.at_ms;
    const TimestampMs first_ref = RefTime(vs.at, vs.at_ms, vs.offset_ms, start_);
    const TimestampMs last_ref = RefTime(vs.at, vs.at_ms, vs.offset_ms, end_);
    VIGIL_ASSIGN_OR_RETURN(in.series, LoadSeries(vs, first_ref - ms.range_ms + 1, last_ref));
    // Windows never include stale markers.
    for (LoadedSeries& ls : in.series) {
      std::erase_if(ls.samples, [](const Sample& s) { return IsStaleNaN(s.v); });
    }
    return in;
  }
  if (e.kind == ExprKind::kSubquery) {
    const auto& sq = static_cast<const promql::SubqueryExpr&>(e);
    in.range_ms = sq.range_ms;
    in.offset_ms = sq.offset_ms;
    in.at = sq.at;
    in.at_ms = sq.at_ms;
    VIGIL_ASSIGN_OR_RETURN(StepMatrix m, RunSubquery(sq));
    in.series.reserve(m.size());
    for (StepSeries& s : m) {
      in.series.push_back(LoadedSeries{std::move(s.metric), std::move(s.points), s.drop_name});
    }
    return in;
  }
  return absl::InternalError("range-vector argument is neither a matrix selector nor a subquery");
}

absl::StatusOr<NodeValue> Evaluator::EvalMatrixSelector(const promql::MatrixSelector& sel) {
  VIGIL_ASSIGN_OR_RETURN(RangeInput in, LoadRange(sel));
  const TimestampMs ref = RefTime(in.at, in.at_ms, in.offset_ms, start_);
  NodeValue out;
  for (LoadedSeries& ls : in.series) {
    StepSeries s;
    s.metric = std::move(ls.metric);
    for (const Sample& p : ls.samples) {
      if (p.t > ref - in.range_ms && p.t <= ref) s.points.push_back(p);
    }
    if (s.points.empty()) continue;
    VIGIL_RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(s.points.size())));
    out.matrix.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<StepMatrix> Evaluator::RunSubquery(const promql::SubqueryExpr& sq) {
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : ctx_->default_subquery_step_ms;
  const TimestampMs parent_end = start_ + ((end_ - start_) / interval_) * interval_;
  const TimestampMs ref_start = RefTime(sq.at, sq.at_ms, sq.offset_ms, start_);
  const TimestampMs ref_end = RefTime(sq.at, sq.at_ms, sq.offset_ms, parent_end);
  const TimestampMs lowest = ref_start - sq.range_ms;
  TimestampMs sub_start = step * (lowest / step);
  if (sub_start <= lowest) sub_start += step;
  if (sub_start > ref_end) return StepMatrix{};
  Evaluator child(ctx_, sub_start, ref_end, step);
  VIGIL_ASSIGN_OR_RETURN(NodeValue v, child.Eval(*sq.expr));
  return std::move(v.matrix);
}

absl::StatusOr<NodeValue> Evaluator::EvalSubquery(const promql::SubqueryExpr& sq) {
  VIGIL_ASSIGN_OR_RETURN(StepMatrix m, RunSubquery(sq));
  NodeValue out;
  out.matrix = std::move(m);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// RangeEval

absl::StatusOr<StepMatrix> Evaluator::RangeEval(std::span<const StepMatrix* const> args, OutputTable* table,
                                                StepFn fn) {
  // Gathering one step at a time visits every series once per step, a cache miss per series and step when there
  // are thousands of them. So the instant vectors of a block of steps are gathered series by series (each series'
  // points for the block are adjacent in memory), the block sized to keep the gathered samples cache-sized.
  constexpr size_t kGatherBudget = size_t{1} << 19;  // StepSamples gathered per block (8 MiB)
  constexpr size_t kMaxBlock = 256;
  const size_t steps = NumSteps();
  const size_t nargs = args.size();
  size_t widest = 1;
  for (const StepMatrix* m : args) widest = std::max(widest, m->size());
  const size_t block = std::clamp<size_t>(kGatherBudget / widest, 1, kMaxBlock);

  // gathered[k * nargs + i]: argument i's instant vector at the k-th step of the current block.
  std::vector<StepVector> gathered(std::min(block, steps) * nargs);
  std::vector<std::vector<size_t>> cursors(nargs);
  for (size_t i = 0; i < nargs; ++i) cursors[i].assign(args[i]->size(), 0);
  std::vector<OutSample> out;
  for (size_t block_start = 0; block_start < steps; block_start += block) {
    const size_t block_n = std::min(block, steps - block_start);
    const TimestampMs first_ts = start_ + static_cast<int64_t>(block_start) * interval_;
    const TimestampMs last_ts = first_ts + static_cast<int64_t>(block_n - 1) * interval_;
    for (size_t k = 0; k < block_n * nargs; ++k) gathered[k].clear();
    for (size_t i = 0; i < nargs; ++i) {
      const StepMatrix& m = *args[i];
      // Sized once for the widest instant vector the argument can yield, so gathering never reallocates.
      for (size_t k = 0; k < block_n; ++k) gathered[k * nargs + i].reserve(m.size());
      std::vector<size_t>& cur = cursors[i];
      for (size_t j = 0; j < m.size(); ++j) {
        ForEachPointOnSteps(m[j].points, &cur[j], first_ts, last_ts, interval_, [&](size_t k, double v) {
          gathered[k * nargs + i].push_back(StepSample{static_cast<uint32_t>(j), v});
        });
      }
    }
    for (size_t k = 0; k < block_n; ++k) {
      const size_t step = block_start + k;
      const TimestampMs ts = first_ts + static_cast<int64_t>(k) * interval_;
      if ((step & 63) == 63) VIGIL_RETURN_IF_ERROR(ctx_->CheckDeadline());
      out.clear();
      VIGIL_RETURN_IF_ERROR(fn(ts, step, std::span<const StepVector>(gathered.data() + k * nargs, nargs), &out));
      for (const OutSample& o : out) {
        // An output series usually has a point at most remaining steps: size it once.
        std::vector<Sample>& points = table->series(o.id).points;
        if (points.capacity() == 0) points.reserve(steps - step);
        VIGIL_RETURN_IF_ERROR(table->Add(o.id, ts, o.v));
      }
      VIGIL_RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(out.size())));
    }
  }
  return table->Finish();
}

}  // namespace vigil::query::internal
