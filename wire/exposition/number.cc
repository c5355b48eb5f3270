#include "wire/exposition/number.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "base/strings/float_format.h"

namespace vigil::exposition {
namespace {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Whether `s` (no sign) is digits [. digits] [e [sign] digits] with at least one mantissa digit.
bool IsDecimalFloatSyntax(std::string_view s) {
  size_t i = 0;
  size_t mantissa_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

NumberError ParseValue(std::string_view text, double* value) {
  if (text.empty()) return NumberError::kSyntax;
  bool negative = false;
  std::string_view s = text;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // Fast path: up to 15 digits are exact in a double, so integers need no float parser.
  if (!s.empty() && s.size() <= 15) {
    uint64_t n = 0;
    size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) n = n * 10 + static_cast<uint64_t>(s[i++] - '0');
    if (i == s.size()) {
      const double d = static_cast<double>(n);
      *value = negative ? -d : d;
      return NumberError::kOk;
    }
  }
  if (!IsDecimalFloatSyntax(s)) {
    if (EqualsLower(s, "inf") || EqualsLower(s, "infinity")) {
      *value = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return NumberError::kOk;
    }
    // Go accepts "NaN" without a sign only.
    if (s.size() == text.size() && EqualsLower(s, "nan")) {
      *value = std::numeric_limits<double>::quiet_NaN();
      return NumberError::kOk;
    }
    return NumberError::kSyntax;
  }
  double d = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow and overflow alike; strtod tells them apart (HUGE_VAL only on overflow).
    const std::string copy(s);
    d = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(d)) return NumberError::kRange;
  } else if (ec != std::errc() || ptr != s.data() + s.size()) {
    return NumberError::kSyntax;
  }
  *value = negative ? -d : d;
  return NumberError::kOk;
}

NumberError ParseTimestampMs(std::string_view text, int64_t* ms) {
  bool negative = false;
  std::string_view s = text;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return NumberError::kSyntax;
  // Accumulate the magnitude as unsigned so that -9223372036854775808 fits.
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  uint64_t n = 0;
  for (char c : s) {
    if (!IsDigit(c)) return NumberError::kSyntax;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (limit - digit) / 10) return NumberError::kRange;
    n = n * 10 + digit;
  }
  *ms = negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return NumberError::kOk;
}

NumberError ParseTimestampSeconds(std::string_view text, int64_t* ms) {
  bool negative = false;
  std::string_view s = text;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // Exact path: digits [. digits].
  size_t i = 0;
  uint64_t seconds = 0;
  bool overflow = false;
  while (i < s.size() && IsDigit(s[i])) {
    if (seconds > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    if (!overflow) seconds = seconds * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  const size_t int_digits = i;
  uint64_t millis = 0;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) {
      if (frac_digits < 3) millis = millis * 10 + static_cast<uint64_t>(s[i] - '0');
      ++frac_digits;
      ++i;
    }
    for (size_t k = frac_digits; k < 3; ++k) millis *= 10;
  }
  if (i == s.size() && int_digits + frac_digits > 0) {
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (overflow || seconds > (limit - millis) / 1000) return NumberError::kRange;
    const uint64_t total = seconds * 1000 + millis;
    *ms = negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
    return NumberError::kOk;
  }
  double v = 0;
  const NumberError e = ParseValue(text, &v);
  if (e != NumberError::kOk) return e;
  if (!std::isfinite(v)) return NumberError::kNotFinite;
  const double scaled = std::trunc(v * 1000.0);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (scaled >= 9223372036854775808.0 || scaled < -9223372036854775808.0) return NumberError::kRange;
  *ms = static_cast<int64_t>(scaled);
  return NumberError::kOk;
}

void AppendValue(double value, std::string* out) { AppendFloat(value, out); }

namespace {

// Appends |ms| as seconds with `frac_digits` (0 or 3) fraction digits, trailing zeros trimmed when `trim`.
void AppendSeconds(bool negative, uint64_t magnitude, bool trim, std::string* out) {
  if (negative) out->push_back('-');
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), magnitude / 1000);
  out->append(buf, r.ptr);
  uint64_t frac = magnitude % 1000;
  if (frac == 0 && trim) return;
  char digits[3] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                    static_cast<char>('0' + frac % 10)};
  size_t n = 3;
  if (trim) {
    while (n > 0 && digits[n - 1] == '0') --n;
  }
  out->push_back('.');
  out->append(digits, n);
}

// What Prometheus computes from an OpenMetrics timestamp: int64(ParseFloat(text) * 1000).
bool PrometheusReadsBack(std::string_view text, int64_t ms) {
  double seconds = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  const double scaled = seconds * 1000.0;
  if (!(scaled < 9223372036854775808.0 && scaled >= -9223372036854775808.0)) return false;
  return static_cast<int64_t>(scaled) == ms;
}

}  // namespace

void AppendTimestampSeconds(int64_t ms, std::string* out) {
  const bool negative = ms < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  const size_t start = out->size();
  AppendSeconds(negative, magnitude, /*trim=*/true, out);
  if (PrometheusReadsBack(std::string_view(*out).substr(start), ms)) return;
  // A microsecond past the millisecond keeps the product above it; truncation (exact or Prometheus') drops it.
  // Timestamps are whole milliseconds, so that is never enough to reach the next one.
  out->resize(start);
  AppendSeconds(negative, magnitude, /*trim=*/false, out);
  out->append("001");
}

}  // namespace vigil::exposition
