#include "base/units/bytes.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::units {
namespace {

struct Unit {
  std::string_view symbol;  // Prometheus' spelling.
  std::string_view iec;     // The IEC spelling, also accepted and used by FormatByteSize.
  int shift;                // The unit is 2^shift bytes.
};

// Largest first, so FormatByteSize picks the largest exact unit.
constexpr Unit kUnits[] = {
    {"EB", "EiB", 60}, {"PB", "PiB", 50}, {"TB", "TiB", 40}, {"GB", "GiB", 30},
    {"MB", "MiB", 20}, {"KB", "KiB", 10}, {"B", "B", 0},
};

absl::Status Invalid(std::string_view text, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid byte size \"", AV(text), "\": ", AV(reason),
      "; want a whole number of bytes with an optional unit B, KB, MB, GB, TB, PB, EB or KiB, MiB, GiB, TiB, PiB, "
      "EiB (all powers of 1024), e.g. \"512MB\" or \"10GiB\""));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty string");
  if (text[0] == '-') return Invalid(text, "negative sizes are not allowed");
  if (!IsDigit(text[0])) return Invalid(text, "it must start with a digit");

  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t value = 0;
  bool overflow = false;
  size_t pos = 0;
  for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
    const int digit = text[pos] - '0';
    if (value > (kMax - digit) / 10) overflow = true;
    if (!overflow) value = value * 10 + digit;
  }
  const std::string_view unit = text.substr(pos);
  int shift = -1;
  if (unit.empty()) {
    shift = 0;
  } else {
    for (const Unit& u : kUnits) {
      if (unit == u.symbol || unit == u.iec) shift = u.shift;
    }
  }
  if (shift < 0) {
    if (unit[0] == '.' || unit[0] == ',') return Invalid(text, "fractions are not allowed");
    return Invalid(text, absl::StrCat("unknown unit \"", AV(unit), "\" (units are case-sensitive)"));
  }
  if (overflow || value > (kMax >> shift)) return Invalid(text, "larger than the maximum of 2^63-1 bytes");
  return value << shift;
}

std::string FormatByteSize(int64_t bytes) {
  std::string out;
  uint64_t magnitude;
  if (bytes < 0) {
    out.push_back('-');
    magnitude = static_cast<uint64_t>(-(bytes + 1)) + 1;  // |INT64_MIN| does not fit an int64.
  } else {
    magnitude = static_cast<uint64_t>(bytes);
  }
  for (const Unit& u : kUnits) {
    const uint64_t size = uint64_t{1} << u.shift;
    if (magnitude % size == 0 && (magnitude != 0 || u.shift == 0)) {
      absl::StrAppend(&out, magnitude / size, AV(u.iec));
      return out;
    }
  }
  return out;  // Unreachable: every value is a whole number of bytes.
}

}  // namespace vigil::units
