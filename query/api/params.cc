#include "query/api/params.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "base/strings/go_float.h"
#include "base/strings/utf8.h"
#include "base/units/duration.h"
#include "query/api/json.h"

namespace vigil::query::api {
namespace {

absl::Status CannotParseTime(std::string_view s) {
  return absl::InvalidArgumentError(absl::StrCat("cannot parse ", GoQuote(s), " to a valid timestamp"));
}

}  // namespace

absl::StatusOr<TimestampMs> ParseTime(std::string_view s) {
  double f = 0;
  if (ParseGoFloat(s, &f)) {
    if (!std::isfinite(f)) return CannotParseTime(s);
    double secs = std::trunc(f);
    double frac_ms = std::round((f - secs) * 1000);
    // Beyond Prometheus' MinTime/MaxTime the conversion to int64 nanoseconds would wrap in Go; refuse instead.
    if (secs < static_cast<double>(kApiMinTime / 1000) || secs > static_cast<double>(kApiMaxTime / 1000)) {
      return CannotParseTime(s);
    }
    return static_cast<TimestampMs>(secs) * 1000 + static_cast<TimestampMs>(frac_ms);
  }
  absl::Time t;
  std::string err;
  // Go's RFC3339Nano layout requires 'T' and a zone; absl's RFC3339_full is the same grammar.
  if (s.find_first_of("Tt") != std::string_view::npos && absl::ParseTime(absl::RFC3339_full, AV(s), &t, &err)) {
    return absl::ToUnixMillis(t);
  }
  return CannotParseTime(s);
}

absl::StatusOr<TimestampMs> ParseTimeParam(std::string_view name, std::string_view value, TimestampMs default_value) {
  if (value.empty()) return default_value;
  absl::StatusOr<TimestampMs> t = ParseTime(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid time value for '", AV(name), "': ", AV(SV(t.status().message()))));
  }
  return *t;
}

absl::StatusOr<absl::Duration> ParseDuration(std::string_view s) {
  double f = 0;
  if (ParseGoFloat(s, &f)) {
    double ns = f * 1e9;
    if (std::isnan(ns) || ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse ", GoQuote(s), " to a valid duration. It overflows int64"));
    }
    return absl::Nanoseconds(static_cast<int64_t>(ns));
  }
  absl::StatusOr<absl::Duration> d = units::ParsePrometheusDuration(s);
  if (d.ok()) return *d;
  return absl::InvalidArgumentError(absl::StrCat("cannot parse ", GoQuote(s), " to a valid duration"));
}

absl::StatusOr<int64_t> Atoi(std::string_view s) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool valid = !digits.empty();
  for (char c : digits) valid = valid && c >= '0' && c <= '9';
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": invalid syntax"));
  }
  uint64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  uint64_t max = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (overflow || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": value out of range"));
  }
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

absl::StatusOr<int64_t> ParseLimit(std::string_view s) {
  if (s.empty()) return 0;
  absl::StatusOr<int64_t> v = Atoi(s);
  if (!v.ok()) return v.status();
  if (*v < 0) return absl::InvalidArgumentError("limit must be non-negative");
  return *v;
}

std::string UnescapeLabelName(std::string_view name) {
  constexpr std::string_view kPrefix = "U__";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::string(name);
  std::string_view escaped = name.substr(kPrefix.size());
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '_') {
      out.push_back(escaped[i]);
      continue;
    }
    ++i;
    if (i >= escaped.size()) return std::string(name);
    if (escaped[i] == '_') {
      out.push_back('_');
      continue;
    }
    uint32_t cp = 0;
    // As Prometheus: at most five hex digits before the closing underscore.
    for (int j = 0;; ++j, ++i) {
      if (i >= escaped.size() || j >= 6) return std::string(name);
      if (escaped[i] == '_') break;
      char c = static_cast<char>(escaped[i] | 0x20);
      if (c >= '0' && c <= '9') {
        cp = cp * 16 + static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp = cp * 16 + static_cast<uint32_t>(c - 'a' + 10);
      } else {
        return std::string(name);
      }
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::string(name);
    AppendUtf8(cp, &out);
  }
  return out;
}

}  // namespace vigil::query::api
