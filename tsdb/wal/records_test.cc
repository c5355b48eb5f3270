#include "tsdb/wal/records.h"

#include <bit>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/labels.h"
#include "model/sample.h"
#include "tsdb/wal/segment.h"

namespace vigil::wal {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

std::vector<SampleRecord> SpecialSamples() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr uint64_t kMaxRef = std::numeric_limits<uint64_t>::max();
  return {
      {5, 1700000000000, 1.5},
      {0, kMin, StaleNaN()},
      {kMaxRef, kMax, std::numeric_limits<double>::infinity()},
      {3, 0, -std::numeric_limits<double>::infinity()},
      {kMaxRef - 1, -1, -0.0},
      {1, 1700000000001, std::numeric_limits<double>::quiet_NaN()},
      {2, 1700000000002, std::bit_cast<double>(uint64_t{0xfff8dead00000001})},
      {4, 1700000000003, std::numeric_limits<double>::denorm_min()},
      {6, 1700000000004, std::numeric_limits<double>::max()},
  };
}

TEST(RecordsTest, SamplesRoundTripEveryBitPattern) {
  const std::vector<SampleRecord> in = SpecialSamples();
  std::string payload;
  AppendSamplesPayload(in, &payload);
  std::vector<SampleRecord> out;
  ASSERT_TRUE(DecodeSamplesPayload(payload, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref) << i;
    EXPECT_EQ(out[i].t, in[i].t) << i;
    EXPECT_TRUE(SameBits(out[i].v, in[i].v)) << i;
  }
  EXPECT_TRUE(IsStaleNaN(out[1].v));
}

TEST(RecordsTest, SamplesOfOneScrapeAreCompact) {
  std::vector<SampleRecord> in;
  for (uint64_t i = 0; i < 2000; ++i) in.push_back({1000 + i, 1700000000000, 1.0});
  std::string payload;
  AppendSamplesPayload(in, &payload);
  // 8 value bytes + at most 2 for the ref delta + 1 for the timestamp delta.
  EXPECT_LE(payload.size(), 2000 * 11 + 32);
}

TEST(RecordsTest, SeriesRoundTrip) {
  std::vector<SeriesRecord> in = {
      {1, Labels{{"__name__", "up"}, {"job", "node"}}},
      {std::numeric_limits<uint64_t>::max(), Labels{}},
      {7, Labels{{"a", std::string(300, 'x')}, {"b\xff", "\x01\x02"}}},
  };
  std::string payload;
  AppendSeriesPayload(in, &payload);
  size_t expected = 1 + 1;
  for (const SeriesRecord& s : in) expected += SeriesEntrySize(s);
  EXPECT_EQ(payload.size(), expected);
  SeriesPayloadDecoder decoder;
  ASSERT_TRUE(decoder.Decode(payload).ok());
  ASSERT_EQ(decoder.series().size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(decoder.series()[i].ref, in[i].ref);
    EXPECT_EQ(Labels::FromPairs(decoder.series()[i].labels), in[i].labels);
  }
}

TEST(RecordsTest, EveryTruncationIsAnErrorNotACrash) {
  std::string samples;
  AppendSamplesPayload(SpecialSamples(), &samples);
  std::vector<SampleRecord> out;
  for (size_t n = 0; n < samples.size(); ++n) {
    EXPECT_FALSE(DecodeSamplesPayload(samples.substr(0, n), &out).ok()) << n;
    EXPECT_TRUE(out.empty());
  }
  std::string series;
  AppendSeriesPayload(std::vector<SeriesRecord>{{1, Labels{{"job", "node"}}}, {2, Labels{{"a", "b"}}}}, &series);
  SeriesPayloadDecoder decoder;
  for (size_t n = 0; n < series.size(); ++n) {
    EXPECT_FALSE(decoder.Decode(series.substr(0, n)).ok()) << n;
    EXPECT_TRUE(decoder.series().empty());
  }
}

TEST(RecordsTest, RejectsMalformedPayloads) {
  std::vector<SampleRecord> out;
  SeriesPayloadDecoder decoder;
  // Unknown version.
  EXPECT_FALSE(DecodeSamplesPayload(std::string("\x02\x01", 2) + std::string(10, '\0'), &out).ok());
  // A count the payload cannot hold must not make the decoder allocate it.
  absl::Status huge = DecodeSamplesPayload(std::string("\x01\xff\xff\xff\xff\x0f", 6) + std::string(10, '\0'), &out);
  EXPECT_FALSE(huge.ok());
  EXPECT_NE(huge.message().find("exceeds"), std::string_view::npos) << huge;
  // Trailing bytes.
  std::string payload;
  AppendSamplesPayload(std::vector<SampleRecord>{{1, 2, 3.0}}, &payload);
  EXPECT_FALSE(DecodeSamplesPayload(payload + "x", &out).ok());
  // Zero counts.
  EXPECT_FALSE(DecodeSamplesPayload(std::string("\x01\x00", 2), &out).ok());
  EXPECT_FALSE(decoder.Decode(std::string("\x01\x00", 2)).ok());
  // A label count beyond the payload, and an 11-byte varint.
  EXPECT_FALSE(decoder.Decode(std::string("\x01\x01\x05\xff\x01", 5)).ok());
  absl::Status overlong = decoder.Decode(std::string("\x01\x01") + std::string(10, '\xff') + std::string("\x01\x00"));
  EXPECT_FALSE(overlong.ok());
  EXPECT_NE(overlong.message().find("payload offset"), std::string_view::npos) << overlong;
}

TEST(RecordsTest, EncodeBatchCutsRecordsAndRefusesOversizedSeries) {
  std::vector<SampleRecord> samples(20000, SampleRecord{1, 2, 3.0});
  EncodedBatch batch;
  ASSERT_TRUE(EncodeBatch({}, samples, MaxPayloadSize(kDefaultSegmentSize), &batch).ok());
  EXPECT_EQ(batch.frames.size(), 3u);  // ~9300 samples per 256 KiB record.
  EXPECT_EQ(batch.frames.back().end, batch.bytes.size());

  batch.Clear();
  std::vector<SeriesRecord> big = {{1, Labels{{"a", "b"}}}, {2, Labels{{"a", std::string(2000, 'x')}}}};
  absl::Status s = EncodeBatch(big, samples, /*max_payload=*/1000, &batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("ref 2"), std::string_view::npos) << s;
  EXPECT_TRUE(batch.bytes.empty());
  EXPECT_TRUE(batch.frames.empty());
}

}  // namespace
}  // namespace vigil::wal
