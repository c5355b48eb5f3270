#include "query/lokiapi/params.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "query/api/params.h"

namespace vigil::lokiapi {

absl::StatusOr<int64_t> ParseLokiTime(std::string_view value) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, AV(value), &t, &err)) return absl::ToUnixNanos(t);
  if (value.find('.') != std::string_view::npos) {
    double f = 0;
    if (!absl::SimpleAtod(AV(value), &f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("strconv.ParseFloat: parsing \"", AV(value), "\": invalid syntax"));
    }
    if (!std::isfinite(f)) return absl::InvalidArgumentError("floating point timestamp is NaN or Inf");
    double high = 0;
    double low = std::modf(f, &high);
    if (high >= 9.2e18 || high <= -9.2e18) {
      return absl::InvalidArgumentError("floating point timestamp exceeds integer range");
    }
    if (high <= 1e10) {
      if (high < -9.2e9) return absl::InvalidArgumentError("floating point timestamp exceeds integer range");
      low = std::round(low * 1000) / 1000;
      return static_cast<int64_t>(high) * 1000000000 + static_cast<int64_t>(std::llround(low * 1e9));
    }
    return static_cast<int64_t>(high);  // nanoseconds; the fraction is dropped
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(AV(value), &n)) {
    return absl::InvalidArgumentError(absl::StrCat("strconv.ParseInt: parsing \"", AV(value), "\": invalid syntax"));
  }
  if (n <= 10000000000) {
    if (n < INT64_MIN / 1000000000) return absl::InvalidArgumentError("timestamp out of range");
    return n * 1000000000;  // seconds
  }
  return n;  // nanoseconds
}

absl::StatusOr<absl::Duration> ParseLokiStep(std::string_view value) { return query::api::ParseDuration(value); }

absl::StatusOr<tsdb::logs::Direction> ParseDirection(std::string_view value) {
  if (value.empty()) return tsdb::logs::Direction::kBackward;
  std::string v = absl::AsciiStrToLower(AV(value));
  if (v == "backward") return tsdb::logs::Direction::kBackward;
  if (v == "forward") return tsdb::logs::Direction::kForward;
  return absl::InvalidArgumentError(absl::StrCat("invalid direction '", AV(value), "'"));
}

absl::StatusOr<size_t> ParseLokiLimit(std::string_view value) {
  if (value.empty()) return kDefaultLimit;
  int64_t n = 0;
  if (!absl::SimpleAtoi(AV(value), &n)) {
    return absl::InvalidArgumentError(absl::StrCat("strconv.ParseInt: parsing \"", AV(value), "\": invalid syntax"));
  }
  if (n <= 0) return absl::InvalidArgumentError("limit must be a positive value");
  return static_cast<size_t>(n);
}

namespace {

absl::Status Annotated(std::string_view param, const absl::Status& s) {
  return absl::InvalidArgumentError(absl::StrCat("could not parse '", AV(param), "' parameter: ", s.message()));
}

}  // namespace

absl::StatusOr<TimeRange> ParseTimeRange(const http::Request& req, absl::Time now) {
  TimeRange r;
  r.end_ns = absl::ToUnixNanos(now);
  std::string end = req.Param("end");
  if (!end.empty()) {
    absl::StatusOr<int64_t> t = ParseLokiTime(end);
    if (!t.ok()) return Annotated("end", t.status());
    r.end_ns = *t;
  }
  absl::Duration since = kDefaultSince;
  std::string since_param = req.Param("since");
  if (!since_param.empty()) {
    absl::StatusOr<absl::Duration> d = ParseLokiStep(since_param);
    if (!d.ok()) return Annotated("since", d.status());
    since = *d;
  }
  // As Loki: the default start counts back from `end`, or from now when `end` is in the future.
  r.start_ns = std::min(r.end_ns, absl::ToUnixNanos(now)) - absl::ToInt64Nanoseconds(since);
  std::string start = req.Param("start");
  if (!start.empty()) {
    absl::StatusOr<int64_t> t = ParseLokiTime(start);
    if (!t.ok()) return Annotated("start", t.status());
    r.start_ns = *t;
  }
  if (r.end_ns < r.start_ns) {
    return absl::InvalidArgumentError("end timestamp must not be before or equal to start time");
  }
  return r;
}

absl::Duration DefaultStep(int64_t start_ns, int64_t end_ns) {
  double seconds = std::floor(static_cast<double>(end_ns - start_ns) / 1e9 / 250);
  return absl::Seconds(std::max(seconds, 1.0));
}

}  // namespace vigil::lokiapi
