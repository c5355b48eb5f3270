#include "base/units/duration.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::units {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kMsPerWeek = 7 * kMsPerDay;
constexpr int64_t kMsPerYear = 365 * kMsPerDay;

struct Unit {
  std::string_view symbol;
  int64_t ms;
};

// Largest first: the order terms must appear in, and the order the formatter emits them in.
constexpr Unit kUnits[] = {
    {"y", kMsPerYear},   {"w", kMsPerWeek},   {"d", kMsPerDay}, {"h", kMsPerHour},
    {"m", kMsPerMinute}, {"s", kMsPerSecond}, {"ms", 1},
};
constexpr int kNumUnits = sizeof(kUnits) / sizeof(kUnits[0]);

constexpr std::string_view kExpected =
    "want one or more <integer><unit> terms, largest unit first and each unit at most once, with units y, w, d, "
    "h, m, s, ms (e.g. \"15s\", \"1h30m\", \"2d12h\"), or \"0\"";

absl::Status Invalid(std::string_view text, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid duration \"", AV(text), "\": ", AV(reason), "; ", AV(kExpected)));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Index into kUnits of the unit starting at text[pos], or -1; sets *len to its length.
int MatchUnit(std::string_view text, size_t pos, size_t* len) {
  if (pos >= text.size()) return -1;
  // "ms" must be tried before "m".
  if (text.compare(pos, 2, "ms") == 0) {
    *len = 2;
    return kNumUnits - 1;
  }
  for (int i = 0; i < kNumUnits - 1; ++i) {
    if (text[pos] == kUnits[i].symbol[0]) {
      *len = 1;
      return i;
    }
  }
  return -1;
}

}  // namespace

absl::StatusOr<absl::Duration> ParsePrometheusDuration(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty string");
  if (text == "0") return absl::ZeroDuration();
  if (text[0] == '-') return Invalid(text, "negative durations are not allowed");

  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total_ms = 0;
  int last_unit = -1;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsDigit(text[pos])) {
      return Invalid(text, absl::StrCat("unexpected \"", AV(text.substr(pos, 1)), "\" at offset ", pos,
                                        " where a number was expected"));
    }
    int64_t value = 0;
    bool overflow = false;
    const size_t number_start = pos;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      const int digit = text[pos] - '0';
      if (value > (kMax - digit) / 10) overflow = true;
      if (!overflow) value = value * 10 + digit;
    }
    const std::string_view number = text.substr(number_start, pos - number_start);
    if (pos == text.size()) return Invalid(text, absl::StrCat("missing unit after \"", AV(number), "\""));
    size_t unit_len = 0;
    const int unit = MatchUnit(text, pos, &unit_len);
    if (unit < 0) {
      if (text[pos] == '.' || text[pos] == ',') return Invalid(text, "fractions are not allowed");
      size_t end = pos;
      while (end < text.size() && !IsDigit(text[end])) ++end;
      return Invalid(text, absl::StrCat("unknown unit \"", AV(text.substr(pos, end - pos)), "\""));
    }
    const std::string_view symbol = kUnits[unit].symbol;
    if (unit == last_unit) return Invalid(text, absl::StrCat("unit \"", AV(symbol), "\" appears more than once"));
    if (unit < last_unit) {
      return Invalid(text, absl::StrCat("unit \"", AV(symbol), "\" comes after the smaller unit \"",
                                        AV(kUnits[last_unit].symbol), "\""));
    }
    last_unit = unit;
    pos += unit_len;
    const int64_t mult = kUnits[unit].ms;
    if (overflow || value > kMax / mult || value * mult > kMax - total_ms) {
      return Invalid(text, "out of range (the maximum is 2^63-1 milliseconds, about 292 million years)");
    }
    total_ms += value * mult;
  }
  return absl::Milliseconds(total_ms);
}

std::string FormatPrometheusDuration(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "inf";
  if (d == -absl::InfiniteDuration()) return "-inf";
  // Saturates at the int64 range and truncates sub-millisecond parts toward zero.
  const int64_t signed_ms = absl::ToInt64Milliseconds(d);
  if (signed_ms == 0) return "0s";
  std::string out;
  uint64_t ms;
  if (signed_ms < 0) {
    out.push_back('-');
    ms = static_cast<uint64_t>(-(signed_ms + 1)) + 1;  // |INT64_MIN| does not fit an int64.
  } else {
    ms = static_cast<uint64_t>(signed_ms);
  }
  for (int i = 0; i < kNumUnits; ++i) {
    const uint64_t mult = static_cast<uint64_t>(kUnits[i].ms);
    const bool exact_only = kUnits[i].symbol == "y" || kUnits[i].symbol == "w";
    if (exact_only && ms % mult != 0) continue;
    const uint64_t count = ms / mult;
    if (count == 0) continue;
    absl::StrAppend(&out, count, AV(kUnits[i].symbol));
    ms -= count * mult;
  }
  return out;
}

}  // namespace vigil::units
