#include "query/promqltest/compare.h"

#include <cfloat>
#include <cmath>
#include <string>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/strings/float_format.h"

namespace vigil::promqltest {
namespace {

std::string F(double v) {
  if (IsStaleNaN(v)) return "stale";
  std::string s;
  AppendFloat(v, &s);
  return s;
}

}  // namespace

bool AlmostEqual(double a, double b) {
  if (IsStaleNaN(a) || IsStaleNaN(b)) return IsStaleNaN(a) && IsStaleNaN(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || sum < DBL_MIN) return diff < 1e-6 * DBL_MIN;
  return diff / std::min(sum, DBL_MAX) < 1e-6;
}

std::string CompareResult(const query::QueryResult& got, const ExpectedResult& want) {
  if (want.string_result.has_value()) {
    const auto* s = std::get_if<query::StringValue>(&got.value);
    if (s == nullptr) return "expected a string result";
    if (s->v != *want.string_result) return absl::StrCat("string \"", s->v, "\" != \"", *want.string_result, "\"");
    return "";
  }
  if (const auto* s = std::get_if<query::Scalar>(&got.value)) {
    if (!want.scalar.has_value()) return absl::StrCat("got scalar ", F(s->v), ", expected no scalar");
    if (!AlmostEqual(s->v, *want.scalar)) return absl::StrCat("scalar ", F(s->v), " != expected ", F(*want.scalar));
    return "";
  }
  if (want.scalar.has_value()) return "expected a scalar result";
  if (std::holds_alternative<query::StringValue>(got.value)) return "unexpected string result";
  const std::vector<SeriesDesc>& exp = *want.series;
  absl::flat_hash_map<Labels, size_t> index;
  for (size_t i = 0; i < exp.size(); ++i) index[exp[i].labels] = i;

  if (const auto* vec = std::get_if<query::Vector>(&got.value)) {
    for (const SeriesDesc& d : exp) {
      if (d.values.size() != 1) return absl::StrCat("expected series ", d.labels.ToString(), " needs one value");
    }
    if (vec->size() != exp.size()) {
      std::string got_list;
      for (const auto& s : *vec) absl::StrAppend(&got_list, s.metric.ToString(), "=", F(s.v), " ");
      return absl::StrCat("got ", vec->size(), " samples, expected ", exp.size(), ": ", got_list);
    }
    for (size_t p = 0; p < vec->size(); ++p) {
      const query::VectorSample& s = (*vec)[p];
      auto it = index.find(s.metric);
      if (it == index.end()) return absl::StrCat("unexpected sample ", s.metric.ToString(), " ", F(s.v));
      if (want.ordered && it->second != p) {
        return absl::StrCat("sample ", s.metric.ToString(), " at position ", p, ", expected at ", it->second);
      }
      const SeriesValue& e = exp[it->second].values[0];
      if (e.omitted) return absl::StrCat("expected value of ", s.metric.ToString(), " is omitted");
      if (!AlmostEqual(s.v, e.v)) {
        return absl::StrCat("sample ", s.metric.ToString(), " = ", F(s.v), ", expected ", F(e.v));
      }
    }
    return "";
  }
  const auto& m = std::get<query::Matrix>(got.value);
  if (want.ordered) return "expect ordered is not valid for a matrix result";
  for (size_t i = 1; i < m.size(); ++i) {
    if (Compare(m[i - 1].metric, m[i].metric) >= 0) return "matrix is not sorted by labels";
  }
  if (m.size() != exp.size()) {
    std::string got_list;
    for (const auto& s : m) absl::StrAppend(&got_list, s.metric.ToString(), " ");
    return absl::StrCat("got ", m.size(), " series, expected ", exp.size(), ": ", got_list);
  }
  for (const query::MatrixSeries& s : m) {
    auto it = index.find(s.metric);
    if (it == index.end()) return absl::StrCat("unexpected series ", s.metric.ToString());
    const std::vector<SeriesValue>& values = exp[it->second].values;
    std::vector<Sample> expected;
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i].omitted) continue;
      const TimestampMs t = want.start + static_cast<TimestampMs>(i) * want.step;
      if (t > want.end) return absl::StrCat("expected value beyond the end for ", s.metric.ToString());
      expected.push_back(Sample{t, values[i].v});
    }
    if (expected.size() != s.points.size()) {
      std::string pts;
      for (const Sample& p : s.points) absl::StrAppend(&pts, p.t, ":", F(p.v), " ");
      return absl::StrCat(s.metric.ToString(), ": got ", s.points.size(), " points, expected ", expected.size(), ": ",
                          pts);
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      if (expected[i].t != s.points[i].t || !AlmostEqual(s.points[i].v, expected[i].v)) {
        return absl::StrCat(s.metric.ToString(), ": point ", s.points[i].t, ":", F(s.points[i].v), " != expected ",
                            expected[i].t, ":", F(expected[i].v));
      }
    }
  }
  return "";
}

}  // namespace vigil::promqltest
