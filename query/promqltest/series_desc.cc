#include "query/promqltest/series_desc.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/strings/go_float.h"
#include "base/units/duration.h"
#include "model/sample.h"
#include "query/promql/literals.h"

namespace vigil::promqltest {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void SkipSpace(std::string_view* s) {
  while (!s->empty() && IsSpace(s->front())) s->remove_prefix(1);
}

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

std::string_view TakeName(std::string_view* s) {
  size_t n = 0;
  if (s->empty() || !IsNameStart(s->front())) return {};
  while (n < s->size() && IsNameChar((*s)[n])) ++n;
  std::string_view out = s->substr(0, n);
  s->remove_prefix(n);
  return out;
}

// Reads a PromQL string literal ("...", '...' or `...`) with Go escapes, as the PromQL lexer does.
absl::StatusOr<std::string> TakeString(std::string_view* s) {
  if (s->empty()) return absl::InvalidArgumentError("expected a string");
  const char q = s->front();
  if (q != '"' && q != '\'' && q != '`')
    return absl::InvalidArgumentError(absl::StrCat("expected a string at: ", AV(*s)));
  size_t i = 1;
  while (i < s->size() && (*s)[i] != q) i += ((*s)[i] == '\\' && q != '`') ? 2 : 1;
  if (i >= s->size()) return absl::InvalidArgumentError("unterminated string");
  absl::StatusOr<std::string> out = promql::UnquoteStringToken(s->substr(0, i + 1));
  if (!out.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad string ", AV(s->substr(0, i + 1)), ": ", AV(SV(out.status().message()))));
  }
  s->remove_prefix(i + 1);
  return out;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  if (!ParseGoFloat(s, &v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseDuration(std::string_view s) {
  absl::StatusOr<absl::Duration> d = units::ParsePrometheusDuration(s);
  if (!d.ok()) return std::nullopt;
  return absl::ToInt64Milliseconds(*d);
}

absl::StatusOr<Labels> ParseLabelSet(std::string_view text, std::string_view* rest) {
  std::string_view s = text;
  SkipSpace(&s);
  std::vector<std::pair<std::string, std::string>> pairs;
  const std::string_view name = TakeName(&s);
  if (!name.empty()) pairs.emplace_back(std::string(kMetricNameLabel), std::string(name));
  if (!s.empty() && s.front() == '{') {
    s.remove_prefix(1);
    for (;;) {
      SkipSpace(&s);
      if (s.empty()) return absl::InvalidArgumentError(absl::StrCat("unterminated label set: ", AV(text)));
      if (s.front() == '}') {
        s.remove_prefix(1);
        break;
      }
      std::string lname;
      if (s.front() == '"' || s.front() == '\'' || s.front() == '`') {
        auto str = TakeString(&s);
        if (!str.ok()) return str.status();
        lname = *str;
      } else {
        lname = std::string(TakeName(&s));
        if (lname.empty()) return absl::InvalidArgumentError(absl::StrCat("bad label name in: ", AV(text)));
      }
      SkipSpace(&s);
      if (!s.empty() && s.front() == '=') {
        s.remove_prefix(1);
        SkipSpace(&s);
        auto value = TakeString(&s);
        if (!value.ok()) return value.status();
        pairs.emplace_back(std::move(lname), std::move(*value));
      } else {
        // A bare quoted string is the metric name.
        pairs.emplace_back(std::string(kMetricNameLabel), std::move(lname));
      }
      SkipSpace(&s);
      if (!s.empty() && s.front() == ',') s.remove_prefix(1);
    }
  } else if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("expected a label set: ", AV(text)));
  }
  if (rest != nullptr) *rest = s;
  // Later duplicates replace earlier ones; empty values mean absent.
  LabelsBuilder b;
  for (const auto& [n, v] : pairs) b.Set(n, v);
  return b.Build();
}

absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  SeriesDesc desc;
  std::string_view rest;
  auto labels = ParseLabelSet(line, &rest);
  if (!labels.ok()) return labels.status();
  desc.labels = std::move(*labels);
  if (rest.find("{{") != std::string_view::npos) {
    desc.has_histograms = true;
    return desc;
  }
  while (true) {
    SkipSpace(&rest);
    if (rest.empty()) break;
    size_t n = 0;
    while (n < rest.size() && !IsSpace(rest[n])) ++n;
    const std::string_view tok = rest.substr(0, n);
    rest.remove_prefix(n);
    if (tok == "_") {
      desc.values.push_back(SeriesValue{true, 0});
      continue;
    }
    if (tok == "stale") {
      desc.values.push_back(SeriesValue{false, StaleNaN()});
      continue;
    }
    if (tok.size() > 2 && tok.substr(0, 2) == "_x") {
      const int64_t count = std::stoll(std::string(tok.substr(2)));
      for (int64_t i = 0; i < count; ++i) desc.values.push_back(SeriesValue{true, 0});
      continue;
    }
    std::string_view base = tok;
    int64_t repeat = -1;
    const size_t x = tok.rfind('x');
    if (x != std::string_view::npos) {
      base = tok.substr(0, x);
      const std::string_view count = tok.substr(x + 1);
      if (count.empty() || !std::all_of(count.begin(), count.end(), [](char c) { return std::isdigit(c); })) {
        return absl::InvalidArgumentError(absl::StrCat("bad repetition in: ", AV(tok)));
      }
      repeat = std::stoll(std::string(count));
    }
    // a+b / a-b
    size_t op = std::string_view::npos;
    for (size_t i = 1; i < base.size(); ++i) {
      if ((base[i] == '+' || base[i] == '-') && base[i - 1] != 'e' && base[i - 1] != 'E') {
        op = i;
        break;
      }
    }
    std::optional<double> a, b;
    if (op != std::string_view::npos) {
      a = ParseNumber(base.substr(0, op));
      b = ParseNumber(base.substr(op + 1));
      if (b.has_value() && base[op] == '-') b = -*b;
    } else {
      a = ParseNumber(base);
      b = 0;
    }
    if (!a.has_value() || !b.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("bad value: ", AV(tok)));
    }
    if (repeat < 0) {
      if (op != std::string_view::npos)
        return absl::InvalidArgumentError(absl::StrCat("missing repetition: ", AV(tok)));
      desc.values.push_back(SeriesValue{false, *a});
      continue;
    }
    double cur = *a;
    for (int64_t i = 0; i <= repeat; ++i) {
      desc.values.push_back(SeriesValue{false, cur});
      cur += *b;
    }
  }
  return desc;
}

}  // namespace vigil::promqltest
