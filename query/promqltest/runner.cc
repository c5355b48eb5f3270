#include "query/promqltest/runner.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/strings/absl_view.h"
#include "base/strings/float_format.h"
#include "query/engine/engine.h"
#include "query/promql/functions.h"
#include "query/promql/literals.h"
#include "query/promql/parser.h"
#include "query/promqltest/compare.h"
#include "query/promqltest/series_desc.h"
#include "re2/re2.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::promqltest {
namespace {

struct Expectation {
  enum Kind { kFail, kWarn, kNoWarn, kInfo, kNoInfo, kOrdered };
  Kind kind;
  std::string qualifier;  // "", "msg" or "regex"
  std::string text;
};

struct EvalCommand {
  int line = 0;
  std::string header;
  bool range = false;
  TimestampMs start = 0, end = 0;
  int64_t step = 0;
  std::string expr;
  std::vector<Expectation> expects;
  std::vector<SeriesDesc> series;
  std::optional<double> scalar;
  std::optional<std::string> string_result;
  bool range_vector = false;
  TimestampMs rv_start = 0, rv_end = 0;
  int64_t rv_step = 0;
  bool has_histograms = false;
  bool fail = false;
  bool ordered = false;
};

bool HasExpect(const EvalCommand& c, Expectation::Kind k) {
  return std::any_of(c.expects.begin(), c.expects.end(), [k](const Expectation& e) { return e.kind == k; });
}

std::string Trim(std::string_view s) { return std::string(absl::StripAsciiWhitespace(AV(s))); }

// Identifiers in an expression, to find references to series Vigil could not load (native histograms).
std::vector<std::string> Identifiers(std::string_view expr) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < expr.size()) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      const size_t close = expr.find(c, i + 1);
      if (close == std::string_view::npos) break;
      out.emplace_back(expr.substr(i + 1, close - i - 1));  // quoted names count too
      i = close + 1;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
      size_t j = i;
      while (j < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_' || expr[j] == ':')) {
        ++j;
      }
      out.emplace_back(expr.substr(i, j - i));
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

class ScriptRunner {
 public:
  ScriptRunner(std::string_view name, const RunOptions& options) : options_(options) {
    result_.name = std::string(name);
    Clear();
  }

  FileResult Run(std::string_view text);

 private:
  void Clear() {
    storage_ = std::make_unique<tsdb::MemoryStorage>();
    native_names_.clear();
    native_series_.clear();
  }
  void Load(int line, std::string_view header, const std::vector<std::string>& body);
  absl::StatusOr<EvalCommand> ParseEval(int line, std::string_view header, const std::vector<std::string>& body,
                                        size_t* consumed);
  void RunEval(const EvalCommand& cmd);
  // Checks one query (the original or a variant) against the expectations; returns an error message or "".
  std::string Check(const EvalCommand& cmd, const promql::Expr& expr, TimestampMs t);
  std::string CheckRange(const EvalCommand& cmd, const promql::Expr& expr);

  RunOptions options_;
  FileResult result_;
  std::unique_ptr<tsdb::MemoryStorage> storage_;
  absl::flat_hash_set<std::string> native_names_;
  // Label sets of the native-histogram series the script loaded (and Vigil did not).
  std::vector<Labels> native_series_;
};

FileResult ScriptRunner::Run(std::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view l : absl::StrSplit(AV(text), '\n')) {
    std::string t = Trim(SV(l));
    if (!t.empty() && t[0] == '#') t.clear();
    lines.push_back(std::move(t));
  }
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty()) {
      ++i;
      continue;
    }
    const int line_no = static_cast<int>(i) + 1;
    const std::string header = lines[i];
    std::vector<std::string> body;
    size_t j = i + 1;
    while (j < lines.size() && !lines[j].empty()) body.push_back(lines[j++]);
    std::string word = absl::AsciiStrToLower(std::string(header.substr(0, header.find_first_of(" \t"))));
    if (word == "clear") {
      Clear();
      i = i + 1;
      continue;
    }
    if (absl::StartsWith(word, "load")) {
      Load(line_no, header, body);
      i = j;
      continue;
    }
    if (absl::StartsWith(word, "eval")) {
      size_t consumed = body.size();
      absl::StatusOr<EvalCommand> cmd = ParseEval(line_no, header, body, &consumed);
      if (!cmd.ok()) {
        result_.evals.push_back(
            EvalOutcome{line_no, header, EvalStatus::kFailed, absl::StrCat("bad eval: ", cmd.status().message())});
        ++result_.failed;
      } else {
        RunEval(*cmd);
      }
      i = i + 1 + consumed;
      continue;
    }
    result_.errors.push_back(absl::StrCat("line ", line_no, ": unknown command: ", header));
    i = j;
  }
  return std::move(result_);
}

void ScriptRunner::Load(int line, std::string_view header, const std::vector<std::string>& body) {
  const bool nhcb = absl::StartsWith(AV(header), "load_with_nhcb");
  std::vector<std::string> words = absl::StrSplit(AV(header), absl::ByAnyChar(" \t"), absl::SkipEmpty());
  std::optional<int64_t> step = words.size() >= 2 ? ParseDuration(words[1]) : std::nullopt;
  if (!step.has_value()) {
    result_.errors.push_back(absl::StrCat("line ", line, ": bad load step: ", AV(header)));
    return;
  }
  std::map<Labels, std::vector<SeriesValue>> series;
  std::vector<Labels> order;
  for (size_t k = 0; k < body.size(); ++k) {
    const std::string& l = body[k];
    // Start-timestamp lines: `name{...}@st ...` describe the next line; Vigil stores no start timestamps.
    const size_t first_space = l.find_first_of(" \t");
    if (absl::EndsWith(AV(l.substr(0, first_space)), "@st")) continue;
    absl::StatusOr<SeriesDesc> desc = ParseSeriesDesc(l);
    if (!desc.ok()) {
      result_.errors.push_back(absl::StrCat("line ", line + 1 + k, ": ", desc.status().message()));
      continue;
    }
    std::string name(desc->labels.MetricName());
    if (desc->has_histograms) {
      native_names_.insert(name);
      native_series_.push_back(desc->labels);
      continue;
    }
    if (nhcb) {
      for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (absl::EndsWith(name, AV(suffix))) {
          const std::string base = name.substr(0, name.size() - suffix.size());
          native_names_.insert(base);
          native_series_.push_back(LabelsBuilder(desc->labels).Del("le").Set(kMetricNameLabel, base).Build());
        }
      }
    }
    if (!series.contains(desc->labels)) order.push_back(desc->labels);
    series[desc->labels] = std::move(desc->values);
  }
  std::unique_ptr<tsdb::Appender> app = storage_->NewAppender();
  for (const Labels& l : order) {
    const std::vector<SeriesValue>& values = series[l];
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i].omitted) continue;
      absl::StatusOr<tsdb::SeriesRef> ref = app->Append(0, l, static_cast<TimestampMs>(i) * *step, values[i].v);
      if (!ref.ok()) {
        result_.errors.push_back(absl::StrCat("line ", line, ": append ", l.ToString(), ": ", ref.status().message()));
      }
    }
  }
  if (absl::Status s = app->Commit(); !s.ok()) result_.errors.push_back(std::string(s.message()));
}

absl::StatusOr<EvalCommand> ScriptRunner::ParseEval(int line, std::string_view header,
                                                    const std::vector<std::string>& body, size_t* consumed) {
  EvalCommand cmd;
  cmd.line = line;
  cmd.header = std::string(header);
  static const RE2 instant_re(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  static const RE2 range_re(R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  std::string mod, t1, t2, t3, expr;
  const re2::StringPiece h(header.data(), header.size());
  if (RE2::FullMatch(h, instant_re, &mod, &t1, &expr)) {
    std::optional<int64_t> t = ParseDuration(t1);
    if (!t.has_value()) return absl::InvalidArgumentError(absl::StrCat("bad time: ", t1));
    cmd.start = cmd.end = *t;
  } else if (RE2::FullMatch(h, range_re, &mod, &t1, &t2, &t3, &expr)) {
    std::optional<int64_t> s = ParseDuration(t1), e = ParseDuration(t2), st = ParseDuration(t3);
    if (!s || !e || !st) return absl::InvalidArgumentError("bad range times");
    if (*e < *s) return absl::InvalidArgumentError("end < start");
    cmd.range = true;
    cmd.start = *s;
    cmd.end = *e;
    cmd.step = *st;
  } else {
    return absl::InvalidArgumentError("unrecognised eval header");
  }
  cmd.expr = expr;
  if (mod == "fail") cmd.expects.push_back({Expectation::kFail, "", ""});
  if (mod == "warn") cmd.expects.push_back({Expectation::kWarn, "", ""});
  if (mod == "info") cmd.expects.push_back({Expectation::kInfo, "", ""});
  if (mod == "ordered") cmd.expects.push_back({Expectation::kOrdered, "", ""});

  static const RE2 expect_re(R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  static const RE2 rv_re(R"(^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
  size_t k = 0;
  for (; k < body.size(); ++k) {
    const std::string& l = body[k];
    if (absl::StartsWith(l, "expected_fail_message ")) {
      cmd.expects.push_back({Expectation::kFail, "msg", Trim(l.substr(22))});
      ++k;
      break;
    }
    if (absl::StartsWith(l, "expected_fail_regexp ")) {
      cmd.expects.push_back({Expectation::kFail, "regex", Trim(l.substr(21))});
      ++k;
      break;
    }
    std::string a, b, c;
    if (RE2::FullMatch(l, rv_re, &a, &b, &c)) {
      std::optional<int64_t> s = ParseDuration(Trim(a)), e = ParseDuration(Trim(b)), st = ParseDuration(Trim(c));
      if (!s || !e || !st) return absl::InvalidArgumentError("bad range vector expectation");
      cmd.range_vector = true;
      cmd.rv_start = *s;
      cmd.rv_end = *e;
      cmd.rv_step = *st;
      continue;
    }
    if (absl::StartsWith(l, "expect string ")) {
      absl::StatusOr<std::string> s = promql::UnquoteStringToken(Trim(l.substr(14)));
      if (!s.ok()) return absl::InvalidArgumentError("bad expect string");
      cmd.string_result = *s;
      continue;
    }
    if (absl::StartsWith(l, "expect ")) {
      if (!RE2::FullMatch(l, expect_re, &a, &b, &c)) return absl::InvalidArgumentError(absl::StrCat("bad expect: ", l));
      Expectation::Kind kind = Expectation::kFail;
      if (a == "ordered") kind = Expectation::kOrdered;
      if (a == "warn") kind = Expectation::kWarn;
      if (a == "no_warn") kind = Expectation::kNoWarn;
      if (a == "info") kind = Expectation::kInfo;
      if (a == "no_info") kind = Expectation::kNoInfo;
      cmd.expects.push_back({kind, b, Trim(c)});
      continue;
    }
    if (std::optional<double> v = ParseNumber(l); v.has_value()) {
      cmd.scalar = *v;
      ++k;
      break;
    }
    absl::StatusOr<SeriesDesc> desc = ParseSeriesDesc(l);
    if (!desc.ok()) return desc.status();
    if (desc->has_histograms) cmd.has_histograms = true;
    cmd.series.push_back(std::move(*desc));
  }
  *consumed = k;
  cmd.fail = HasExpect(cmd, Expectation::kFail);
  cmd.ordered = HasExpect(cmd, Expectation::kOrdered);
  return cmd;
}

bool AnnotationMatches(const Expectation& e, const std::string& text) {
  if (e.qualifier.empty()) return true;
  if (e.qualifier == "msg") return text == e.text;
  return RE2::PartialMatch(text, RE2(e.text));
}

// Checks the annotations of one class (§7.2). Returns an error message or "".
std::string CheckAnnotations(const EvalCommand& cmd, const std::vector<std::string>& got, Expectation::Kind want,
                             Expectation::Kind none, const char* what) {
  std::vector<const Expectation*> lines;
  for (const Expectation& e : cmd.expects) {
    if (e.kind == want) lines.push_back(&e);
  }
  if (HasExpect(cmd, none) && !got.empty()) return absl::StrCat("unexpected ", what, ": ", got[0]);
  if (lines.empty()) return "";
  if (got.empty()) return absl::StrCat("expected a ", what, ", got none");
  for (const Expectation* e : lines) {
    if (std::none_of(got.begin(), got.end(), [&](const std::string& g) { return AnnotationMatches(*e, g); })) {
      return absl::StrCat("no ", what, " matches ", e->qualifier, ": ", e->text, " (got: ", got[0], ")");
    }
  }
  for (const std::string& g : got) {
    if (std::none_of(lines.begin(), lines.end(), [&](const Expectation* e) { return AnnotationMatches(*e, g); })) {
      return absl::StrCat("unexpected ", what, ": ", g);
    }
  }
  return "";
}

std::string ScriptRunner::Check(const EvalCommand& cmd, const promql::Expr& expr, TimestampMs t) {
  query::EngineOptions opts;
  opts.timeout = absl::Seconds(100);
  opts.max_samples = 10000;
  query::Engine engine(opts);
  absl::StatusOr<query::QueryResult> res = cmd.range
                                               ? engine.RangeQuery(storage_.get(), expr, cmd.start, cmd.end, cmd.step)
                                               : engine.InstantQuery(storage_.get(), expr, t);
  if (cmd.fail) {
    if (res.ok()) return "expected the query to fail, it succeeded";
    for (const Expectation& e : cmd.expects) {
      if (e.kind != Expectation::kFail || e.qualifier.empty()) continue;
      const std::string msg(res.status().message());
      if (e.qualifier == "msg" && msg != e.text)
        return absl::StrCat("error \"", msg, "\" != expected \"", e.text, "\"");
      if (e.qualifier == "regex" && !RE2::PartialMatch(msg, RE2(e.text))) {
        return absl::StrCat("error \"", msg, "\" does not match ", e.text);
      }
    }
    return "";
  }
  if (!res.ok()) return absl::StrCat("query failed: ", res.status().ToString());
  if (absl::StartsWith(cmd.header, "eval_warn") && res->warnings.empty()) return "expected a warning";
  if (absl::StartsWith(cmd.header, "eval_info") && res->infos.empty()) return "expected an info";
  std::string err = CheckAnnotations(cmd, res->warnings, Expectation::kWarn, Expectation::kNoWarn, "warning");
  if (!err.empty()) return err;
  err = CheckAnnotations(cmd, res->infos, Expectation::kInfo, Expectation::kNoInfo, "info");
  if (!err.empty()) return err;
  ExpectedResult want;
  want.series = &cmd.series;
  want.scalar = cmd.scalar;
  want.string_result = cmd.string_result;
  want.ordered = cmd.ordered;
  if (cmd.range) {
    want.start = cmd.start;
    want.end = cmd.end;
    want.step = cmd.step;
  } else if (cmd.range_vector) {
    want.start = cmd.rv_start;
    want.end = cmd.rv_end;
    want.step = cmd.rv_step;
  }
  return CompareResult(*res, want);
}

std::string ScriptRunner::CheckRange(const EvalCommand& cmd, const promql::Expr& expr) {
  query::EngineOptions opts;
  opts.timeout = absl::Seconds(100);
  opts.max_samples = 10000;
  query::Engine engine(opts);
  const TimestampMs t = cmd.start;
  absl::StatusOr<query::QueryResult> res = engine.RangeQuery(storage_.get(), expr, t - 60000, t + 60000, 60000);
  if (!res.ok()) return absl::StrCat("range-mode query failed: ", res.status().ToString());
  if (cmd.ordered) return "";
  const query::Matrix& m = std::get<query::Matrix>(res->value);
  for (size_t i = 1; i < m.size(); ++i) {
    if (Compare(m[i - 1].metric, m[i].metric) >= 0) return "range-mode result is not sorted by labels";
  }
  query::QueryResult at_t;
  query::Vector vec;
  for (const query::MatrixSeries& s : m) {
    for (const Sample& p : s.points) {
      if (p.t == t) vec.push_back(query::VectorSample{s.metric, t, p.v});
    }
  }
  ExpectedResult want;
  want.series = &cmd.series;
  want.ordered = false;
  if (cmd.scalar.has_value()) {
    if (vec.empty()) return "range-mode query has no value at t for a scalar";
    at_t.value = query::Scalar{t, vec[0].v};
    want.scalar = cmd.scalar;
  } else {
    at_t.value = std::move(vec);
  }
  std::string err = CompareResult(at_t, want);
  return err.empty() ? "" : absl::StrCat("range mode: ", err);
}

// Whether a vector selector in `e` selects one of `series`.
bool SelectsAny(const promql::Expr& e, const std::vector<Labels>& series) {
  if (series.empty()) return false;
  switch (e.kind) {
    case promql::ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const promql::VectorSelector&>(e);
      for (const Labels& l : series) {
        if (std::all_of(vs.matchers.begin(), vs.matchers.end(),
                        [&](const Matcher& m) { return m.Matches(l.Get(m.name())); })) {
          return true;
        }
      }
      return false;
    }
    case promql::ExprKind::kMatrixSelector:
      return SelectsAny(*static_cast<const promql::MatrixSelector&>(e).vector_selector, series);
    case promql::ExprKind::kSubquery:
      return SelectsAny(*static_cast<const promql::SubqueryExpr&>(e).expr, series);
    case promql::ExprKind::kParen:
      return SelectsAny(*static_cast<const promql::ParenExpr&>(e).expr, series);
    case promql::ExprKind::kUnary:
      return SelectsAny(*static_cast<const promql::UnaryExpr&>(e).expr, series);
    case promql::ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return SelectsAny(*b.lhs, series) || SelectsAny(*b.rhs, series);
    }
    case promql::ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return SelectsAny(*a.expr, series) || (a.param && SelectsAny(*a.param, series));
    }
    case promql::ExprKind::kCall:
      for (const auto& a : static_cast<const promql::Call&>(e).args) {
        if (SelectsAny(*a, series)) return true;
      }
      return false;
    default:
      return false;
  }
}

// DSL §8.1: functions whose presence (outside subqueries) disables the @-pinned variants.
bool HasAtUnsafeCall(const promql::Expr& e) {
  switch (e.kind) {
    case promql::ExprKind::kCall: {
      const auto& c = static_cast<const promql::Call&>(e);
      static const std::set<std::string_view> kUnsafe = {
          "days_in_month", "day_of_month",   "day_of_week", "day_of_year", "end",  "hour", "minute",   "month",
          "year",          "predict_linear", "range",       "start",       "step", "time", "timestamp"};
      if (kUnsafe.contains(c.func->name)) return true;
      for (const auto& a : c.args) {
        if (HasAtUnsafeCall(*a)) return true;
      }
      return false;
    }
    case promql::ExprKind::kParen:
      return HasAtUnsafeCall(*static_cast<const promql::ParenExpr&>(e).expr);
    case promql::ExprKind::kUnary:
      return HasAtUnsafeCall(*static_cast<const promql::UnaryExpr&>(e).expr);
    case promql::ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return HasAtUnsafeCall(*b.lhs) || HasAtUnsafeCall(*b.rhs);
    }
    case promql::ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return HasAtUnsafeCall(*a.expr) || (a.param && HasAtUnsafeCall(*a.param));
    }
    default:
      return false;
  }
}

// Pins every selector and subquery without `@` (outside subqueries) to `t`.
void PinAt(promql::Expr* e, TimestampMs t) {
  switch (e->kind) {
    case promql::ExprKind::kVectorSelector: {
      auto* vs = static_cast<promql::VectorSelector*>(e);
      if (vs->at == promql::AtModifier::kNone) {
        vs->at = promql::AtModifier::kTimestamp;
        vs->at_ms = t;
      }
      return;
    }
    case promql::ExprKind::kMatrixSelector:
      PinAt(static_cast<promql::MatrixSelector*>(e)->vector_selector.get(), t);
      return;
    case promql::ExprKind::kSubquery: {
      auto* sq = static_cast<promql::SubqueryExpr*>(e);
      if (sq->at == promql::AtModifier::kNone) {
        sq->at = promql::AtModifier::kTimestamp;
        sq->at_ms = t;
      }
      return;
    }
    case promql::ExprKind::kParen:
      PinAt(static_cast<promql::ParenExpr*>(e)->expr.get(), t);
      return;
    case promql::ExprKind::kUnary:
      PinAt(static_cast<promql::UnaryExpr*>(e)->expr.get(), t);
      return;
    case promql::ExprKind::kBinary: {
      auto* b = static_cast<promql::BinaryExpr*>(e);
      PinAt(b->lhs.get(), t);
      PinAt(b->rhs.get(), t);
      return;
    }
    case promql::ExprKind::kAggregate: {
      auto* a = static_cast<promql::AggregateExpr*>(e);
      PinAt(a->expr.get(), t);
      if (a->param) PinAt(a->param.get(), t);
      return;
    }
    case promql::ExprKind::kCall:
      for (auto& a : static_cast<promql::Call*>(e)->args) PinAt(a.get(), t);
      return;
    default:
      return;
  }
}

void ScriptRunner::RunEval(const EvalCommand& cmd) {
  EvalOutcome outcome{cmd.line, cmd.header, EvalStatus::kPassed, ""};
  auto finish = [&](EvalStatus status, std::string message) {
    outcome.status = status;
    outcome.message = std::move(message);
    if (status == EvalStatus::kPassed) ++result_.passed;
    if (status == EvalStatus::kFailed) ++result_.failed;
    if (status == EvalStatus::kSkipped) ++result_.skipped;
    result_.evals.push_back(std::move(outcome));
  };
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(cmd.expr);
  // A failing eval that expects histogram values or selects native-histogram series counts as skipped: Vigil
  // stores float samples only.
  auto fail_or_skip = [&](std::string message) {
    if (cmd.has_histograms) {
      return finish(EvalStatus::kSkipped,
                    absl::StrCat("needs native histograms (expected histogram values): ", message));
    }
    if (expr.ok() && SelectsAny(**expr, native_series_)) {
      return finish(EvalStatus::kSkipped,
                    absl::StrCat("needs native histograms (selects histogram series): ", message));
    }
    for (const std::string& id : Identifiers(cmd.expr)) {
      if (native_names_.contains(id)) {
        return finish(EvalStatus::kSkipped,
                      absl::StrCat("needs native histograms (names histogram series): ", message));
      }
    }
    finish(EvalStatus::kFailed, std::move(message));
  };
  if (!expr.ok()) {
    for (std::string_view feature : {"anchored", "smoothed", "fill(", "fill_left(", "fill_right("}) {
      if (absl::StrContains(cmd.expr, AV(feature))) {
        return finish(EvalStatus::kSkipped, absl::StrCat("unsupported syntax (", AV(feature), ")"));
      }
    }
    return fail_or_skip(absl::StrCat("parse error: ", expr.status().message()));
  }
  std::string err = Check(cmd, **expr, cmd.start);
  if (!err.empty()) return fail_or_skip(err);
  if (cmd.range) return finish(EvalStatus::kPassed, "");

  static const RE2 context_fn(R"((start|end|range|step)\(\))");
  const bool range_check = options_.range_check && !cmd.fail && !cmd.range_vector && !cmd.string_result &&
                           !RE2::PartialMatch(cmd.expr, context_fn);
  if (range_check) {
    err = CheckRange(cmd, **expr);
    if (!err.empty()) return fail_or_skip(err);
  }
  if (options_.at_variants && !HasAtUnsafeCall(**expr)) {
    const TimestampMs t = cmd.start;
    std::vector<TimestampMs> times;
    if (t != 0) {
      times = {-10 * t, 0, t / 5, t, 10 * t};
    } else {
      times = {-1000, 0, 1000};
    }
    absl::StatusOr<promql::ExprPtr> pinned = promql::ParseExpr(cmd.expr);
    if (pinned.ok()) {
      PinAt(pinned->get(), t);
      for (TimestampMs at : times) {
        EvalCommand variant = cmd;
        variant.start = variant.end = at;
        err = Check(variant, **pinned, at);
        if (!err.empty()) return fail_or_skip(absl::StrCat("@ ", t, " variant at ", at, ": ", err));
        if (range_check) {
          err = CheckRange(variant, **pinned);
          if (!err.empty()) return fail_or_skip(absl::StrCat("@ ", t, " variant at ", at, ": ", err));
        }
      }
    }
  }
  finish(EvalStatus::kPassed, "");
}

}  // namespace

FileResult RunScript(std::string_view name, std::string_view text, const RunOptions& options) {
  ScriptRunner runner(name, options);
  return runner.Run(text);
}

}  // namespace vigil::promqltest
