#include "base/strings/go_float.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace vigil {

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string_view body = s;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  // from_chars would accept "nan(...)" and hex only with an explicit format; both are refused here.
  double v = 0;
  std::from_chars_result r = std::from_chars(body.data(), body.data() + body.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    // Go returns ±Inf or ±0 with an error for out-of-range values: treat as unparsable.
    return false;
  }
  if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return false;
  if (std::isnan(v) && body.find('(') != std::string_view::npos) return false;
  *out = negative ? -v : v;
  return true;
}

}  // namespace vigil
