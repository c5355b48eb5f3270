#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/sample.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/chunk/chunk_iterator.h"
#include "tsdb/chunk/varint.h"

namespace vigil::tsdb {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

std::string Encode(const Series& s) {
  ChunkAppender app(s.t.size());
  for (size_t i = 0; i < s.t.size(); ++i) {
    const absl::Status status = app.Append(s.t[i], s.v[i]);
    EXPECT_TRUE(status.ok()) << status;
  }
  return app.Finish();
}

// Decodes every sample; the error if the chunk is malformed.
absl::StatusOr<Series> Decode(std::string_view chunk) {
  ChunkIterator it(chunk);
  Series out;
  while (it.Next()) {
    out.t.push_back(it.At().t);
    out.v.push_back(it.At().v);
  }
  if (!it.Err().ok()) return it.Err();
  return out;
}

void ExpectSameBits(const Series& want, const Series& got, const std::string& context) {
  ASSERT_EQ(want.t.size(), got.t.size()) << context;
  for (size_t i = 0; i < want.t.size(); ++i) {
    ASSERT_EQ(want.t[i], got.t[i]) << context << " sample " << i;
    ASSERT_EQ(Bits(want.v[i]), Bits(got.v[i]))
        << context << " sample " << i << ": want " << want.v[i] << " got " << got.v[i];
  }
}

// ---- Generators of timestamps and values. Every shape the brief and real exporters produce.

enum class TimeKind { kScrape15s, kJittered, kOneMs, kHugeGaps, kNegative, kExtremes, kRandomGaps, kCount };
enum class ValueKind {
  kRandomWalk,
  kCounterWithResets,
  kGauge001,
  kGauge0001,
  kNanoFloats,
  kConstant,
  kNearTwo53,
  kBeyondInt64,
  kFloatNoise,
  kRandomBits,
  kNanPayloads,
  kSpecialMix,
  kDecimalWithSpecials,
  kSignedZeros,
  kDenormals,
  kIntegers,
  kCount
};

std::vector<int64_t> MakeTimes(std::mt19937_64& rng, TimeKind kind, size_t n) {
  std::vector<int64_t> t(n);
  int64_t start = 1795298400000 + static_cast<int64_t>(rng() % 100000);
  switch (kind) {
    case TimeKind::kScrape15s:
      for (size_t i = 0; i < n; ++i) t[i] = start + static_cast<int64_t>(i) * 15000;
      break;
    case TimeKind::kJittered:
      for (size_t i = 0; i < n; ++i) {
        t[i] = start + static_cast<int64_t>(i) * 15000 + (rng() % 10 == 0 ? 1 + static_cast<int64_t>(rng() % 25) : 0);
      }
      break;
    case TimeKind::kOneMs:
      for (size_t i = 0; i < n; ++i) t[i] = start + static_cast<int64_t>(i);
      break;
    case TimeKind::kHugeGaps: {
      // Gaps up to 2^52 ms, starting low enough that the sum cannot overflow.
      int64_t cur = -(int64_t{1} << 62);
      for (size_t i = 0; i < n; ++i) {
        cur += 1 + static_cast<int64_t>(rng() % (uint64_t{1} << (rng() % 53)));
        t[i] = cur;
      }
      break;
    }
    case TimeKind::kNegative:
      start = -start;
      for (size_t i = 0; i < n; ++i) {
        t[i] = start;
        start += 1 + static_cast<int64_t>(rng() % 3);
      }
      break;
    case TimeKind::kExtremes: {
      // First at INT64_MIN, last at INT64_MAX: the span is the full 2^64 - 1.
      for (size_t i = 0; i < n; ++i) t[i] = kMinTs + static_cast<int64_t>(i);
      if (n >= 2) t[n - 1] = kMaxTs;
      if (n >= 3) t[n - 2] = kMaxTs - 1;
      break;
    }
    default: {
      int64_t cur = static_cast<int64_t>(rng() >> 2) - (int64_t{1} << 61);
      for (size_t i = 0; i < n; ++i) {
        t[i] = cur;
        cur += 1 + static_cast<int64_t>(rng() % (rng() % 2 ? 100 : 100000));
      }
      break;
    }
  }
  return t;
}

double ParseDecimal(std::mt19937_64& rng, int64_t m, int digits) {
  (void)rng;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, static_cast<double>(m) / std::pow(10.0, digits));
  return std::strtod(buf, nullptr);
}

std::vector<double> MakeValues(std::mt19937_64& rng, ValueKind kind, size_t n) {
  std::vector<double> v(n);
  std::normal_distribution<double> norm;
  const double stale = StaleNaN();
  switch (kind) {
    case ValueKind::kRandomWalk: {
      double x = norm(rng) * 100;
      for (auto& y : v) y = x += norm(rng);
      break;
    }
    case ValueKind::kCounterWithResets: {
      int64_t c = static_cast<int64_t>(rng() % 100000000);
      for (auto& y : v) {
        c = rng() % 50 == 0 ? 0 : c + static_cast<int64_t>(rng() % 2000);
        y = ParseDecimal(rng, c, 2);
      }
      break;
    }
    case ValueKind::kGauge001:
    case ValueKind::kGauge0001: {
      const int digits = kind == ValueKind::kGauge001 ? 2 : 3;
      int64_t g = static_cast<int64_t>(rng() % 100000) - 50000;
      for (auto& y : v) {
        g += static_cast<int64_t>(rng() % 201) - 100;
        y = ParseDecimal(rng, g, digits);
      }
      break;
    }
    case ValueKind::kNanoFloats:
      for (auto& y : v) y = ParseDecimal(rng, static_cast<int64_t>(1000 + rng() % 10000000), 9);
      break;
    case ValueKind::kConstant: {
      const double c = rng() % 2 ? 1.0 : std::bit_cast<double>(rng());
      for (auto& y : v) y = c;
      break;
    }
    case ValueKind::kNearTwo53: {
      const double two53 = 9007199254740992.0;
      for (auto& y : v) y = (rng() % 2 ? 1 : -1) * (two53 + static_cast<double>(static_cast<int64_t>(rng() % 64) - 32));
      break;
    }
    case ValueKind::kBeyondInt64:
      for (auto& y : v) y = std::ldexp(1.0 + static_cast<double>(rng() % 1000), 63 + static_cast<int>(rng() % 900));
      break;
    case ValueKind::kFloatNoise:
      // 0.1 + 0.2 and friends: decimals with binary rounding noise, sometimes at full 17-digit precision.
      for (size_t i = 0; i < n; ++i)
        v[i] = rng() % 4 == 0 ? 0.1 * static_cast<double>(i) + 0.2 : 0.01 * static_cast<double>(rng() % 1000);
      break;
    case ValueKind::kRandomBits:
      for (auto& y : v) y = std::bit_cast<double>(rng());
      break;
    case ValueKind::kNanPayloads:
      for (auto& y : v) {
        const uint64_t payload = rng() % 3 == 0 ? 2 : (rng() & ((uint64_t{1} << 52) - 1)) | 1;
        y = std::bit_cast<double>((rng() % 2 ? 0xfff0000000000000ULL : 0x7ff0000000000000ULL) | payload);
      }
      break;
    case ValueKind::kSpecialMix: {
      const double specials[] = {stale,
                                 kInf,
                                 -kInf,
                                 -0.0,
                                 0.0,
                                 std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::max(),
                                 1.0};
      for (auto& y : v) y = specials[rng() % 9];
      break;
    }
    case ValueKind::kDecimalWithSpecials: {
      int64_t c = 123456;
      for (auto& y : v) {
        c += static_cast<int64_t>(rng() % 500);
        y = rng() % 30 == 0 ? (rng() % 2 ? stale : -kInf) : ParseDecimal(rng, c, 3);
      }
      if (n > 0) v[n - 1] = stale;  // A series that went away.
      break;
    }
    case ValueKind::kSignedZeros:
      for (auto& y : v) y = rng() % 2 ? 0.0 : -0.0;
      break;
    case ValueKind::kDenormals:
      for (auto& y : v) y = std::bit_cast<double>(rng() % ((uint64_t{1} << 52) - 1) + 1) * (rng() % 2 ? 1 : -1);
      break;
    default:
      for (auto& y : v) y = static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000);
      break;
  }
  return v;
}

TEST(ChunkRoundTripTest, EveryTimeAndValueShape) {
  std::mt19937_64 rng(20240601);
  std::set<int> value_encodings;
  std::set<int> time_encodings;
  const size_t sizes[] = {1, 2, 3, 7, 120, 240, 241, 1000};
  for (int tk = 0; tk < static_cast<int>(TimeKind::kCount); ++tk) {
    for (int vk = 0; vk < static_cast<int>(ValueKind::kCount); ++vk) {
      for (size_t n : sizes) {
        for (int rep = 0; rep < 3; ++rep) {
          Series s;
          s.t = MakeTimes(rng, static_cast<TimeKind>(tk), n);
          s.v = MakeValues(rng, static_cast<ValueKind>(vk), n);
          const std::string context =
              "time kind " + std::to_string(tk) + " value kind " + std::to_string(vk) + " n " + std::to_string(n);
          const std::string chunk = Encode(s);
          absl::StatusOr<Series> got = Decode(chunk);
          ASSERT_TRUE(got.ok()) << context << ": " << got.status();
          ExpectSameBits(s, *got, context);
          absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk);
          ASSERT_TRUE(h.ok()) << context;
          EXPECT_EQ(h->num_samples, n);
          EXPECT_EQ(h->min_time, s.t.front());
          EXPECT_EQ(h->max_time, s.t.back());
          value_encodings.insert(static_cast<int>(h->value_encoding));
          time_encodings.insert(static_cast<int>(h->time_encoding));
        }
      }
    }
  }
  // The generators must exercise every encoding, or the test proves less than it claims.
  EXPECT_THAT(value_encodings, testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(time_encodings, testing::ElementsAre(0, 1, 2));
}

TEST(ChunkRoundTripTest, RandomLengthsAndMixedShapes) {
  std::mt19937_64 rng(99);
  for (int iter = 0; iter < 2000; ++iter) {
    const size_t n = 1 + rng() % 300;
    Series s;
    s.t = MakeTimes(rng, static_cast<TimeKind>(rng() % static_cast<int>(TimeKind::kCount)), n);
    // Splice two value shapes so chunks mix regimes.
    const auto a = MakeValues(rng, static_cast<ValueKind>(rng() % static_cast<int>(ValueKind::kCount)), n);
    const auto b = MakeValues(rng, static_cast<ValueKind>(rng() % static_cast<int>(ValueKind::kCount)), n);
    const size_t cut = rng() % (n + 1);
    for (size_t i = 0; i < n; ++i) s.v.push_back(i < cut ? a[i] : b[i]);
    absl::StatusOr<Series> got = Decode(Encode(s));
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSameBits(s, *got, "iteration " + std::to_string(iter));
  }
}

TEST(ChunkTest, SignedZerosStayDistinct) {
  Series s{{1, 2, 3, 4}, {0.0, -0.0, 0.0, -0.0}};
  absl::StatusOr<Series> got = Decode(Encode(s));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Bits(got->v[0]), Bits(0.0));
  EXPECT_EQ(Bits(got->v[1]), Bits(-0.0));
  EXPECT_NE(Bits(got->v[0]), Bits(got->v[1]));
}

TEST(ChunkTest, StaleMarkerIsAnExceptionInADecimalChunk) {
  Series s;
  for (int i = 0; i < 240; ++i) {
    s.t.push_back(1000 + i * 15000);
    s.v.push_back(i == 239 ? StaleNaN() : i / 100.0);  // Division rounds like parsing "0.07" does.
  }
  const std::string chunk = Encode(s);
  absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->value_encoding, ValueEncoding::kDecimal);
  absl::StatusOr<Series> got = Decode(chunk);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(IsStaleNaN(got->v[239]));
  ExpectSameBits(s, *got, "stale");
  EXPECT_LT(chunk.size(), 60u);
}

TEST(ChunkTest, EmptyChunk) {
  ChunkAppender app;
  const std::string chunk = app.Finish();
  absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->num_samples, 0u);
  EXPECT_EQ(h->value_encoding, ValueEncoding::kNone);
  ChunkIterator it(chunk);
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
  EXPECT_TRUE(it.Err().ok());
  EXPECT_EQ(chunk.size(), 3u);
}

TEST(ChunkTest, OneSampleChunk) {
  ChunkAppender app;
  ASSERT_TRUE(app.Append(-5, 2.5).ok());
  const std::string chunk = app.Finish();
  absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->num_samples, 1u);
  EXPECT_EQ(h->min_time, -5);
  EXPECT_EQ(h->max_time, -5);
  ChunkIterator it(chunk);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().t, -5);
  EXPECT_EQ(it.At().v, 2.5);
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.Err().ok());
}

TEST(ChunkTest, AppendRejectsNonIncreasingTimestamps) {
  ChunkAppender app;
  ASSERT_TRUE(app.Append(100, 1).ok());
  absl::Status same = app.Append(100, 2);
  EXPECT_EQ(same.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(same.message()), HasSubstr("100"));
  EXPECT_EQ(app.Append(99, 3).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(app.Append(kMinTs, 3).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(app.num_samples(), 1u);
  ASSERT_TRUE(app.Append(101, 4).ok());
  absl::StatusOr<Series> got = Decode(app.Finish());
  ASSERT_TRUE(got.ok());
  ExpectSameBits(Series{{100, 101}, {1, 4}}, *got, "after rejects");
  // Finish resets: the next chunk may start earlier.
  EXPECT_EQ(app.num_samples(), 0u);
  EXPECT_TRUE(app.Append(5, 1).ok());
}

TEST(ChunkTest, AppendRejectsMoreThanTheLimit) {
  ChunkAppender app(kMaxChunkSamples);
  for (size_t i = 0; i < kMaxChunkSamples; ++i) ASSERT_TRUE(app.Append(static_cast<int64_t>(i), 1.0).ok());
  EXPECT_EQ(app.Append(static_cast<int64_t>(kMaxChunkSamples), 1.0).code(), absl::StatusCode::kResourceExhausted);
  absl::StatusOr<Series> got = Decode(app.Finish());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->t.size(), kMaxChunkSamples);
}

TEST(ChunkTest, EncoderValidatesInput) {
  ChunkEncoder enc;
  std::string out;
  const std::vector<int64_t> t = {1, 2, 2};
  const std::vector<double> v = {1, 2, 3};
  EXPECT_EQ(enc.Encode(t, v, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(enc.Encode(std::vector<int64_t>{1, 2}, v, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(enc.Encode(std::vector<int64_t>{1, 2, 3}, v, &out).ok());
  EXPECT_TRUE(Decode(out).ok());
}

TEST(ChunkSeekTest, Semantics) {
  Series s;
  for (int i = 0; i < 100; ++i) {
    s.t.push_back(1000 + i * 10);
    s.v.push_back(i);
  }
  const std::string chunk = Encode(s);
  {
    ChunkIterator it(chunk);
    ASSERT_TRUE(it.Seek(0));  // Before the first sample: the first sample.
    EXPECT_EQ(it.At().t, 1000);
    ASSERT_TRUE(it.Seek(1000));  // Already there: stays.
    EXPECT_EQ(it.At().t, 1000);
    ASSERT_TRUE(it.Seek(1055));  // Between samples: the next one.
    EXPECT_EQ(it.At().t, 1060);
    EXPECT_EQ(it.At().v, 6);
    ASSERT_TRUE(it.Seek(1060));  // Exact.
    EXPECT_EQ(it.At().t, 1060);
    ASSERT_TRUE(it.Seek(500));  // Never moves backwards.
    EXPECT_EQ(it.At().t, 1060);
    ASSERT_TRUE(it.Next());
    EXPECT_EQ(it.At().t, 1070);
    ASSERT_TRUE(it.Seek(1990));  // The last sample.
    EXPECT_EQ(it.At().v, 99);
    EXPECT_FALSE(it.Seek(1991));  // Past the end.
    EXPECT_FALSE(it.Seek(0));     // Exhausted stays exhausted.
    EXPECT_FALSE(it.Next());
    EXPECT_TRUE(it.Err().ok());
  }
  {
    ChunkIterator it(chunk);
    EXPECT_FALSE(it.Seek(kMaxTs));
    EXPECT_TRUE(it.Err().ok());
  }
}

TEST(ChunkAppendUntilTest, SameSamplesAsNextAndStopsOnTheFirstPastMaxt) {
  Series s;
  for (int i = 0; i < 100; ++i) {
    s.t.push_back(1000 + i * 10);
    s.v.push_back(i * 0.5);
  }
  const std::string chunk = Encode(s);
  ChunkIterator it(chunk);
  std::vector<Sample> out = {Sample{1, 1}};  // Appends after what is there.
  ASSERT_TRUE(it.AppendUntil(1055, &out));   // Stops on 1060, which is current.
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[1].t, 1000);
  EXPECT_EQ(out.back().t, 1050);
  EXPECT_EQ(out.back().v, 2.5);
  EXPECT_EQ(it.At().t, 1060);
  ASSERT_TRUE(it.AppendUntil(1060, &out));  // Past the current sample: 1070 is current, nothing appended.
  EXPECT_EQ(out.size(), 7u);
  EXPECT_EQ(it.At().t, 1070);
  EXPECT_FALSE(it.AppendUntil(kMaxTs, &out));  // To the end.
  ASSERT_EQ(out.size(), 7u + 92u);
  EXPECT_EQ(out.back().t, 1990);
  EXPECT_TRUE(it.Err().ok());
  EXPECT_FALSE(it.AppendUntil(kMaxTs, &out));  // Exhausted stays exhausted.
  EXPECT_EQ(out.size(), 99u);
}

TEST(ChunkAppendUntilTest, AgreesWithNextOnEveryShapeAndReportsCorruption) {
  std::mt19937_64 rng(11);
  for (int tk = 0; tk < static_cast<int>(TimeKind::kCount); ++tk) {
    for (int vk = 0; vk < static_cast<int>(ValueKind::kCount); ++vk) {
      Series s;
      s.t = MakeTimes(rng, static_cast<TimeKind>(tk), 150);
      s.v = MakeValues(rng, static_cast<ValueKind>(vk), 150);
      const std::string chunk = Encode(s);
      std::vector<Sample> want;
      ChunkIterator next(chunk);
      while (next.Next()) want.push_back(next.At());
      ASSERT_TRUE(next.Err().ok());
      std::vector<Sample> got;
      ChunkIterator bulk(chunk);
      ASSERT_FALSE(bulk.AppendUntil(kMaxTs, &got));
      ASSERT_TRUE(bulk.Err().ok());
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].t, want[i].t);
        EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v));
      }
      // A truncated chunk: AppendUntil fails as Next does, with the same error.
      const std::string cut = chunk.substr(0, chunk.size() - 1);
      ChunkIterator next_cut(cut), bulk_cut(cut);
      while (next_cut.Next()) {
      }
      std::vector<Sample> partial;
      EXPECT_FALSE(bulk_cut.AppendUntil(kMaxTs, &partial));
      EXPECT_EQ(bulk_cut.Err(), next_cut.Err());
    }
  }
}

// ---- Malformed input.

std::vector<std::string> ValidChunks() {
  std::mt19937_64 rng(7);
  std::vector<std::string> chunks;
  for (int tk = 0; tk < static_cast<int>(TimeKind::kCount); ++tk) {
    for (int vk = 0; vk < static_cast<int>(ValueKind::kCount); ++vk) {
      for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{37}}) {
        Series s;
        s.t = MakeTimes(rng, static_cast<TimeKind>(tk), n);
        s.v = MakeValues(rng, static_cast<ValueKind>(vk), n);
        chunks.push_back(Encode(s));
      }
    }
  }
  return chunks;
}

// Iterates to the end (bounded: a chunk never yields more than kMaxChunkSamples samples).
absl::Status Drain(std::string_view chunk) {
  ChunkIterator it(chunk);
  size_t count = 0;
  while (it.Next()) {
    if (++count > kMaxChunkSamples) return absl::InternalError("iterator did not terminate");
  }
  return it.Err();
}

TEST(ChunkMalformedTest, EveryTruncationIsAnErrorWithAnOffset) {
  for (const std::string& chunk : ValidChunks()) {
    ASSERT_TRUE(Drain(chunk).ok());
    for (size_t cut = 0; cut < chunk.size(); ++cut) {
      // A copy of exactly `cut` bytes, so ASan catches any read past it.
      const std::string prefix = chunk.substr(0, cut);
      const absl::Status s = Drain(prefix);
      ASSERT_FALSE(s.ok()) << "truncation to " << cut << " of " << chunk.size() << " bytes decoded cleanly";
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
      EXPECT_THAT(std::string(s.message()), HasSubstr("offset")) << s;
    }
  }
}

TEST(ChunkMalformedTest, TrailingBytesAreAnError) {
  for (const std::string& chunk : ValidChunks()) {
    const absl::Status s = Drain(chunk + std::string(1, '\0'));
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(std::string(s.message()), HasSubstr("unexpected")) << s;
  }
}

TEST(ChunkMalformedTest, WrongVersion) {
  std::string chunk = ValidChunks()[5];
  chunk[0] = 2;
  const absl::Status s = Drain(chunk);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("version 2 at byte offset 0"));
  EXPECT_FALSE(ParseChunkHeader(chunk).ok());
}

TEST(ChunkMalformedTest, UnknownEncodingsAndBadCounts) {
  std::string chunk = ValidChunks()[5];
  std::string bad = chunk;
  bad[1] = 0x0f;
  EXPECT_THAT(std::string(Drain(bad).message()), HasSubstr("unknown value encoding"));
  bad = chunk;
  bad[1] = static_cast<char>(0x32);
  EXPECT_THAT(std::string(Drain(bad).message()), HasSubstr("unknown timestamp encoding"));
  // Sample count above the limit: varint 65537.
  bad = std::string("\x01\x02\x81\x80\x04", 5);
  EXPECT_THAT(std::string(Drain(bad).message()), HasSubstr("exceeds the limit"));
  // An 11-byte varint.
  bad = std::string("\x01\x02") + std::string(10, '\xff') + std::string(1, '\x01');
  EXPECT_THAT(std::string(Drain(bad).message()), HasSubstr("not a valid varint"));
  // Time span overflowing int64: min time INT64_MAX (ZigZag 2^64-2) and span 1.
  bad = std::string("\x01\x02\x02", 3) + std::string("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10) + "\x01";
  EXPECT_THAT(std::string(Drain(bad).message()), HasSubstr("overflows"));
}

TEST(ChunkMalformedTest, LastTimestampMustMatchTheHeader) {
  // Timestamps with one late scrape are stored as grid offsets; the header's max time is redundant with them.
  Series s;
  for (int i = 0; i < 10; ++i) {
    s.t.push_back(1000 + i * 15000 + (i == 5 ? 7 : 0));
    s.v.push_back(i);
  }
  const std::string chunk = Encode(s);
  absl::StatusOr<ChunkHeader> h = ParseChunkHeader(chunk);
  ASSERT_TRUE(h.ok());
  ASSERT_NE(h->time_encoding, TimeEncoding::kRegular);
  // Rebuild the header with a span one larger: the mean step is unchanged, so the samples decode as before but
  // end one millisecond before the claimed max time.
  std::string prefix = chunk.substr(0, 2);
  chunk_internal::PutVarint(&prefix, s.t.size());
  chunk_internal::PutVarint(&prefix, chunk_internal::ZigZag(s.t.front()));
  const uint64_t span = static_cast<uint64_t>(s.t.back() - s.t.front());
  std::string old_span;
  chunk_internal::PutVarint(&old_span, span);
  ASSERT_EQ(chunk.substr(0, prefix.size() + old_span.size()), prefix + old_span);
  chunk_internal::PutVarint(&prefix, span + 1);
  const std::string bad = prefix + chunk.substr(h->header_bytes);
  const absl::Status st = Drain(bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(st.message()), HasSubstr("differs from the max time"));
}

TEST(ChunkMalformedTest, FlippedBytesNeverCrash) {
  std::mt19937_64 rng(1234);
  size_t errors = 0;
  size_t total = 0;
  for (const std::string& chunk : ValidChunks()) {
    for (size_t pos = 0; pos < chunk.size(); ++pos) {
      for (int rep = 0; rep < 2; ++rep) {
        std::string bad = chunk;
        bad[pos] = static_cast<char>(bad[pos] ^ static_cast<char>(1 + rng() % 255));
        const absl::Status s = Drain(bad);
        ++total;
        if (!s.ok()) {
          ++errors;
          ASSERT_NE(s.code(), absl::StatusCode::kInternal) << s;
          EXPECT_THAT(std::string(s.message()), HasSubstr("offset")) << s;
        }
      }
    }
  }
  // Most flips land in the structure and are caught; flips inside packed values decode to other values.
  EXPECT_GT(errors, total / 4);
}

TEST(ChunkMalformedTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(77);
  for (int iter = 0; iter < 100000; ++iter) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    // Half the inputs start like a chunk so the decoder gets past the header.
    if (junk.size() >= 3 && iter % 2 == 0) {
      junk[0] = 1;
      junk[1] = static_cast<char>((rng() % 3) << 4 | (rng() % 4));
      junk[2] = static_cast<char>(rng() % 100);
    }
    const absl::Status s = Drain(junk);
    if (!s.ok()) {
      ASSERT_NE(s.code(), absl::StatusCode::kInternal) << s;
      EXPECT_THAT(std::string(s.message()), HasSubstr("offset")) << s;
    }
  }
}

// ---- Size regressions: the point of this package is bytes per sample.

TEST(ChunkSizeTest, ConstantSeriesCostsOnlyTheHeader) {
  Series s;
  for (int i = 0; i < 240; ++i) {
    s.t.push_back(1795298402957 + i * 15000);
    s.v.push_back(1.0);
  }
  EXPECT_LE(Encode(s).size(), 17u);  // 14 header bytes + 19 bits of value.
}

TEST(ChunkSizeTest, CpuSecondsCounter) {
  // A node_cpu_seconds_total-like counter: 0.01 s resolution, ~13.5 s per 15 s with noise.
  std::mt19937_64 rng(5);
  Series s;
  int64_t c = 654758929;
  for (int i = 0; i < 240; ++i) {
    c += 1300 + static_cast<int64_t>(rng() % 100);
    s.t.push_back(1795298402957 + i * 15000);
    s.v.push_back(ParseDecimal(rng, c, 2));
  }
  const std::string chunk = Encode(s);
  EXPECT_LE(chunk.size(), 240u * 7 / 8 + 30);  // 7 bits per sample + header and parameters
  EXPECT_EQ(ParseChunkHeader(chunk)->value_encoding, ValueEncoding::kDecimal);
}

TEST(ChunkSizeTest, LateScrapesCostOnlyTheirOffsets) {
  Series s;
  for (int i = 0; i < 240; ++i) {
    s.t.push_back(1795298402957 + i * 15000 + (i % 60 == 30 ? 17 : 0));
    s.v.push_back(0);
  }
  const std::string chunk = Encode(s);
  EXPECT_EQ(ParseChunkHeader(chunk)->time_encoding, TimeEncoding::kGridOffset);
  EXPECT_LE(chunk.size(), 14u + 1 + 12);  // header, constant value, 4 patched offsets + stream header
}

}  // namespace
}  // namespace vigil::tsdb
