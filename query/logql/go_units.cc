#include "query/logql/go_units.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "query/promql/literals.h"

namespace vigil::logql {
namespace {

absl::Status InvalidDuration(std::string_view s) {
  return absl::InvalidArgumentError(absl::StrCat("time: invalid duration ", promql::QuoteString(s)));
}

// The nanoseconds in one `unit`, or 0 when unknown.
uint64_t GoUnit(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000ULL * 1000 * 1000;
  if (unit == "m") return 60ULL * 1000 * 1000 * 1000;
  if (unit == "h") return 3600ULL * 1000 * 1000 * 1000;
  return 0;
}

}  // namespace

absl::StatusOr<int64_t> ParseGoDuration(std::string_view orig) {
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return InvalidDuration(orig);
  uint64_t total = 0;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return InvalidDuration(orig);
    // Integer part.
    size_t i = 0;
    uint64_t whole = 0;
    bool overflow = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (whole > (kMax - 9) / 10) overflow = true;
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    if (overflow) return InvalidDuration(orig);
    const bool pre = i > 0;
    // Fraction.
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      const size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (frac < (1ULL << 62) / 10) {
          frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
          scale *= 10;
        }
        ++i;
      }
      post = i > start;
    }
    if (!pre && !post) return InvalidDuration(orig);
    // Unit.
    const size_t ustart = i;
    while (i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) ++i;
    if (i == ustart) {
      return absl::InvalidArgumentError(absl::StrCat("time: missing unit in duration ", promql::QuoteString(orig)));
    }
    const std::string_view unit = s.substr(ustart, i - ustart);
    const uint64_t mult = GoUnit(unit);
    if (mult == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("time: unknown unit ", promql::QuoteString(unit), " in duration ", promql::QuoteString(orig)));
    }
    if (whole > kMax / mult) return InvalidDuration(orig);
    uint64_t v = whole * mult;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(mult) / scale));
      if (v > kMax) return InvalidDuration(orig);
    }
    total += v;
    if (total > kMax) return InvalidDuration(orig);
    s.remove_prefix(i);
  }
  if (!neg && total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return InvalidDuration(orig);
  if (neg) return total == kMax ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
  return static_cast<int64_t>(total);
}

absl::StatusOr<int64_t> ParseLokiDuration(std::string_view s) {
  absl::StatusOr<int64_t> ms = promql::ParseDurationToken(s);
  if (ms.ok()) {
    // ParseDurationToken answers in nanoseconds already (see literals.h).
    return *ms;
  }
  return ParseGoDuration(s);
}

absl::StatusOr<double> ParseGoFloat(std::string_view s) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.ParseFloat: parsing ", promql::QuoteString(s), ": invalid syntax"));
  };
  std::string_view t = s;
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  const std::string lower = absl::AsciiStrToLower(AV(t));
  if (lower == "inf" || lower == "infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (lower == "nan") return std::numeric_limits<double>::quiet_NaN();
  // Decimal syntax only: digits [. digits] [e [sign] digits], at least one digit in the mantissa.
  size_t i = 0;
  size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return invalid();
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return invalid();
  }
  if (i != t.size()) return invalid();
  const std::string copy(s);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (errno == ERANGE && std::isinf(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.ParseFloat: parsing ", promql::QuoteString(s), ": value out of range"));
  }
  return v;
}

absl::StatusOr<uint64_t> ParseHumanizeBytes(std::string_view s) {
  size_t last_digit = 0;
  std::string num;
  while (last_digit < s.size()) {
    const char c = s[last_digit];
    if (!((c >= '0' && c <= '9') || c == '.' || c == ',')) break;
    if (c != ',') num.push_back(c);
    ++last_digit;
  }
  absl::StatusOr<double> f = ParseGoFloat(num);
  if (!f.ok()) return f.status();
  std::string extra = absl::AsciiStrToLower(absl::StripAsciiWhitespace(AV(s.substr(last_digit))));
  double mult = 0;
  static constexpr struct {
    const char* name;
    double mult;
  } kTable[] = {
      {"", 1},
      {"b", 1},
      {"k", 1e3},
      {"kb", 1e3},
      {"ki", 1024.0},
      {"kib", 1024.0},
      {"m", 1e6},
      {"mb", 1e6},
      {"mi", 1048576.0},
      {"mib", 1048576.0},
      {"g", 1e9},
      {"gb", 1e9},
      {"gi", 1073741824.0},
      {"gib", 1073741824.0},
      {"t", 1e12},
      {"tb", 1e12},
      {"ti", 1099511627776.0},
      {"tib", 1099511627776.0},
      {"p", 1e15},
      {"pb", 1e15},
      {"pi", 1125899906842624.0},
      {"pib", 1125899906842624.0},
      {"e", 1e18},
      {"eb", 1e18},
      {"ei", 1152921504606846976.0},
      {"eib", 1152921504606846976.0},
  };
  for (const auto& e : kTable) {
    if (extra == e.name) mult = e.mult;
  }
  if (mult == 0) return absl::InvalidArgumentError(absl::StrCat("unhandled size name: ", extra));
  const double v = *f * mult;
  if (!(v < 18446744073709551615.0)) return absl::InvalidArgumentError(absl::StrCat("too large: ", AV(s)));
  return static_cast<uint64_t>(v);
}

std::string FormatGoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  const auto sci = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view s(buf, static_cast<size_t>(sci.ptr - buf));
  const size_t e = s.find('e');
  const int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  if (exp < -4 || exp >= 6) {
    // Go writes at least two exponent digits: 1e+06, 1e-05.
    std::string out(s.substr(0, e));
    out += 'e';
    out += exp < 0 ? '-' : '+';
    const int a = exp < 0 ? -exp : exp;
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  const auto fixed = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

}  // namespace vigil::logql
