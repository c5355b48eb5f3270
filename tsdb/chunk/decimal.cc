#include "tsdb/chunk/decimal.h"

#include <bit>
#include <cmath>

namespace vigil::tsdb::chunk_internal {

const double kPow10[kMaxDecimalExponent + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                                1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

bool ToDecimal(double v, int e, int64_t* m) {
  const double p = v * kPow10[e];
  // Also rejects NaN. 2^63 bounds the int64 range; the candidate is verified below anyway.
  if (!(std::fabs(p) < 9223372036854775808.0)) return false;
  int64_t candidate;
  if (std::fabs(p) >= 4503599627370496.0) {  // 2^52: p is already an integer.
    candidate = static_cast<int64_t>(p);
  } else {
    candidate = static_cast<int64_t>(p + std::copysign(0.5, p));
  }
  if (std::bit_cast<uint64_t>(FromDecimal(candidate, e)) != std::bit_cast<uint64_t>(v)) return false;
  *m = candidate;
  return true;
}

int MinDecimalExponent(double v, int hint) {
  const double mag = std::fabs(v);
  // Quick rejections: NaN and infinities, and magnitudes no exponent can reach (a nonzero m / 10^18 is at least
  // 1e-18; m must stay below 2^63).
  if (!(mag < 9223372036854775808.0)) return -1;
  if (mag != 0 && mag < 0.5e-18) return -1;
  if (hint < 0) hint = 0;
  if (hint > kMaxDecimalExponent) hint = kMaxDecimalExponent;
  int64_t m;
  // While |m| < 2^50 the candidate mantissa is computed exactly and double(m) is exact, so "exact at e" implies
  // "exact at e + 1": one failure proves that every smaller exponent fails too. Above that, rounding can make a
  // larger exponent fail where a smaller one works, and the search falls back to scanning from 0.
  constexpr double kMonotonicBelow = 1125899906842624.0;  // 2^50
  auto ascending_from = [&](int first) {
    for (int e = first; e <= kMaxDecimalExponent; ++e) {
      if (mag * kPow10[e] >= 9223372036854775808.0) break;  // This and larger exponents overflow the mantissa.
      if (ToDecimal(v, e, &m)) return e;
    }
    return -1;
  };
  if (ToDecimal(v, hint, &m)) {
    int e = hint;
    while (e > 0 && ToDecimal(v, e - 1, &m)) --e;
    if (e == 0 || mag * kPow10[e - 1] < kMonotonicBelow) return e;
    const int lower = ascending_from(0);
    return lower >= 0 && lower < e ? lower : e;
  }
  if (mag * kPow10[hint] < kMonotonicBelow) return ascending_from(hint + 1);
  return ascending_from(0);
}

}  // namespace vigil::tsdb::chunk_internal
