// Samples and timestamps as Prometheus has them: a float64 value at an int64 millisecond timestamp, and the special
// NaN that marks a series as stale.
//
//   vigil::Sample s{vigil::FromTime(absl::Now()), 1.0};
//   vigil::Sample gone{t, vigil::StaleNaN()};       // written when a target or series disappears
//   vigil::IsStaleNaN(gone.v);                      // true; an ordinary NaN from a division by zero is not stale
#ifndef VIGIL_MODEL_SAMPLE_H_
#define VIGIL_MODEL_SAMPLE_H_

#include <bit>
#include <cstdint>
#include <limits>

#include "absl/time/time.h"

namespace vigil {

// Milliseconds since the Unix epoch (1970-01-01T00:00:00Z), the timestamp unit of Prometheus' TSDB and APIs.
using TimestampMs = int64_t;

// The bounds of TimestampMs, used for open-ended time ranges (as Prometheus uses math.MinInt64/MaxInt64).
inline constexpr TimestampMs kMinTimestampMs = std::numeric_limits<int64_t>::min();
inline constexpr TimestampMs kMaxTimestampMs = std::numeric_limits<int64_t>::max();

// One sample of a float series.
struct Sample {
  TimestampMs t;
  double v;
};

// The bit pattern of Prometheus' stale marker (value.StaleNaN): a NaN with payload 2 and the quiet bit clear. It
// must be stored, copied and compared bit for bit (memcpy, std::bit_cast); arithmetic on it yields an ordinary NaN.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

// The stale marker as a double.
constexpr double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

// Whether `v` is exactly the stale marker. Any other NaN, including the quiet NaN arithmetic produces, is not.
constexpr bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

// The instant `t` milliseconds after the epoch. Exact for every TimestampMs.
inline absl::Time ToTime(TimestampMs t) { return absl::FromUnixMillis(t); }

// `t` in milliseconds since the epoch, rounded towards the infinite past; instants beyond the TimestampMs range
// (including absl::InfinitePast/InfiniteFuture) saturate to kMinTimestampMs/kMaxTimestampMs.
TimestampMs FromTime(absl::Time t);

}  // namespace vigil

#endif  // VIGIL_MODEL_SAMPLE_H_
