#include "base/strings/float_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace vigil {

void AppendFloat(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (value == 0) {
    out->append(std::signbit(value) ? "-0" : "0");
    return;
  }
  char buf[32];  // The longest shortest-round-trip double, "-2.2250738585072014e-308", has 24 characters.
  std::to_chars_result r;
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (std::fabs(value) <= kMaxExactInteger && std::trunc(value) == value) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), value);
  }
  out->append(buf, r.ptr);
}

}  // namespace vigil
