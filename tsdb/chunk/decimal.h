// Exact decimal view of doubles (internal to tsdb/chunk).
//
// Most monitoring values are decimal numbers printed by an exporter with a fixed resolution (0.01 s CPU time,
// ns durations, integer byte counts) and parsed back into the nearest double. Such a double v equals
// double(m) / 10^e for an integer m and a small exponent e, where the division is IEEE-754 correctly rounded.
// Storing (m, e) instead of the 64-bit pattern turns the values into small integers whose differences pack
// tightly. The encoder only uses e for a value after checking that the decoder's formula gives back the
// identical bit pattern, so the conversion is lossless by construction.
#ifndef VIGIL_TSDB_CHUNK_DECIMAL_H_
#define VIGIL_TSDB_CHUNK_DECIMAL_H_

#include <cstdint>

namespace vigil::tsdb::chunk_internal {

// Largest decimal exponent the format uses. 10^18 is exactly representable as a double (all powers up to 10^22
// are), so the decoder's division is a single correctly rounded IEEE operation.
inline constexpr int kMaxDecimalExponent = 18;

// 10^e for e in [0, kMaxDecimalExponent], exact.
extern const double kPow10[kMaxDecimalExponent + 1];

// The decoder's formula: the double nearest to m / 10^e (e in [0, kMaxDecimalExponent]).
inline double FromDecimal(int64_t m, int e) { return static_cast<double>(m) / kPow10[e]; }

// Sets `*m` and returns true if FromDecimal(*m, e) has exactly the bit pattern of `v`. False for NaN, infinities,
// -0.0, values too small for exponent e and values whose mantissa would not fit in an int64.
bool ToDecimal(double v, int e, int64_t* m);

// Returns the smallest e in [0, kMaxDecimalExponent] for which ToDecimal(v, e) succeeds, or -1 if there is none.
// `hint` (a previous value's exponent) is where the search starts; it only affects speed.
int MinDecimalExponent(double v, int hint);

}  // namespace vigil::tsdb::chunk_internal

#endif  // VIGIL_TSDB_CHUNK_DECIMAL_H_
