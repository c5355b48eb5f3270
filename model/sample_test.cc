#include "model/sample.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(StaleNaNTest, IsANaNWithTheMarkerBits) {
  const double stale = StaleNaN();
  EXPECT_TRUE(std::isnan(stale));
  EXPECT_TRUE(IsStaleNaN(stale));
  uint64_t bits;
  std::memcpy(&bits, &stale, sizeof(bits));
  EXPECT_EQ(bits, kStaleNaNBits);
  EXPECT_EQ(bits, 0x7ff0000000000002ULL);
  static_assert(IsStaleNaN(StaleNaN()));
}

TEST(StaleNaNTest, OrdinaryNaNsAreNotStale) {
  EXPECT_FALSE(IsStaleNaN(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(IsStaleNaN(std::nan("")));
  EXPECT_FALSE(IsStaleNaN(-StaleNaN()));  // sign bit flipped
  volatile double zero = 0.0;
  EXPECT_FALSE(IsStaleNaN(zero / zero));
  EXPECT_FALSE(IsStaleNaN(0.0));
  EXPECT_FALSE(IsStaleNaN(std::numeric_limits<double>::infinity()));
  const uint64_t other_payload = 0x7ff0000000000001ULL;
  double d;
  std::memcpy(&d, &other_payload, sizeof(d));
  EXPECT_TRUE(std::isnan(d));
  EXPECT_FALSE(IsStaleNaN(d));
}

TEST(StaleNaNTest, SurvivesMemcpyRoundTrip) {
  Sample in{1000, StaleNaN()};
  unsigned char buf[sizeof(Sample)];
  std::memcpy(buf, &in, sizeof(in));
  Sample out;
  std::memcpy(&out, buf, sizeof(out));
  EXPECT_EQ(out.t, 1000);
  EXPECT_TRUE(IsStaleNaN(out.v));

  // And through the raw 64-bit pattern, as a WAL or chunk encoder stores it.
  uint64_t raw;
  std::memcpy(&raw, &in.v, sizeof(raw));
  double back;
  std::memcpy(&back, &raw, sizeof(back));
  EXPECT_TRUE(IsStaleNaN(back));
}

TEST(TimestampTest, TimeConversions) {
  EXPECT_EQ(ToTime(0), absl::UnixEpoch());
  EXPECT_EQ(ToTime(1500), absl::UnixEpoch() + absl::Milliseconds(1500));
  EXPECT_EQ(ToTime(-1), absl::UnixEpoch() - absl::Milliseconds(1));
  EXPECT_EQ(FromTime(absl::FromUnixMillis(1700000000123)), 1700000000123);
  // Sub-millisecond parts round towards the past.
  EXPECT_EQ(FromTime(absl::UnixEpoch() + absl::Microseconds(1999)), 1);
  EXPECT_EQ(FromTime(absl::UnixEpoch() - absl::Microseconds(1)), -1);
  for (TimestampMs t : {kMinTimestampMs, kMinTimestampMs + 1, TimestampMs{-1}, TimestampMs{0},
                        TimestampMs{1700000000123}, kMaxTimestampMs - 1, kMaxTimestampMs}) {
    EXPECT_EQ(FromTime(ToTime(t)), t) << t;
  }
}

TEST(TimestampTest, FromTimeSaturates) {
  EXPECT_EQ(FromTime(absl::InfiniteFuture()), kMaxTimestampMs);
  EXPECT_EQ(FromTime(absl::InfinitePast()), kMinTimestampMs);
  EXPECT_EQ(FromTime(ToTime(kMaxTimestampMs) + absl::Hours(1)), kMaxTimestampMs);
  EXPECT_EQ(FromTime(ToTime(kMinTimestampMs) - absl::Hours(1)), kMinTimestampMs);
}

}  // namespace
}  // namespace vigil
