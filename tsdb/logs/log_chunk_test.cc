#include "tsdb/logs/log_chunk.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/logs/log_format.h"
#include "tsdb/logs/log_generator.h"

namespace vigil::tsdb::logs {
namespace {

using ::testing::HasSubstr;

std::vector<LogEntry> SampleEntries() {
  LogGenerator gen(LogKind::kMixed, 7);
  std::vector<LogEntry> out;
  TimestampNs t = 1700000000000000000;
  for (int i = 0; i < 500; ++i) {
    t += static_cast<TimestampNs>(gen.Uniform(1000000)) - 100000;  // some go backwards
    out.push_back(gen.Entry(t));
  }
  out.push_back(LogEntry{-5, "", Labels{{"k", "v"}, {"trace_id", "abc"}}});
  out.push_back(LogEntry{INT64_MAX, std::string("\0\xff", 2), {}});
  return out;
}

std::vector<LogEntry> Decode(std::string_view block, TimestampNs base) {
  std::vector<LogEntry> out;
  absl::Status s = DecodeEntries(block, base, [&](LogEntry& e) {
    out.push_back(std::move(e));
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(LogChunkTest, BlockRoundTripsEveryField) {
  const std::vector<LogEntry> entries = SampleEntries();
  std::string block;
  TimestampNs prev = 123;
  for (const LogEntry& e : entries) AppendEntry(e, &prev, &block);
  EXPECT_EQ(Decode(block, 123), entries);
}

TEST(LogChunkTest, EveryCodecRoundTrips) {
  std::string block;
  TimestampNs prev = 0;
  for (const LogEntry& e : SampleEntries()) AppendEntry(e, &prev, &block);
  for (CodecOptions o : {CodecOptions{Codec::kNone, 0}, CodecOptions{Codec::kSnappy, 0}, CodecOptions{Codec::kZstd, 1},
                         CodecOptions{Codec::kZstd, 3}}) {
    std::string blob, back;
    ASSERT_TRUE(CompressBlock(block, o, &blob).ok());
    ASSERT_TRUE(DecompressBlock(blob, &back).ok()) << CodecName(o.codec);
    EXPECT_EQ(back, block) << CodecName(o.codec);
    if (o.codec != Codec::kNone) {
      EXPECT_LT(blob.size(), block.size() / 2) << CodecName(o.codec);
    }
  }
}

TEST(LogChunkTest, CorruptionIsDataLossNotACrash) {
  std::string block;
  TimestampNs prev = 0;
  for (const LogEntry& e : SampleEntries()) AppendEntry(e, &prev, &block);
  std::string blob, out;
  ASSERT_TRUE(CompressBlock(block, {}, &blob).ok());
  std::string flipped = blob;
  flipped[flipped.size() / 2] ^= 0x40;
  EXPECT_THAT(DecompressBlock(flipped, &out).message(), HasSubstr("checksum mismatch"));
  std::string bad_version = blob;
  bad_version[0] = 9;
  EXPECT_THAT(DecompressBlock(bad_version, &out).message(), HasSubstr("unknown format version"));
  for (size_t n = 0; n < 8; ++n)
    EXPECT_EQ(DecompressBlock(blob.substr(0, n), &out).code(), absl::StatusCode::kDataLoss);
  // Truncated blocks never read out of bounds.
  for (size_t n = 1; n < 200; n += 7) {
    absl::Status s = DecodeEntries(block.substr(0, n), 0, [](LogEntry&) { return absl::OkStatus(); });
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << n;
  }
}

TEST(LogChunkTest, ParseCodec) {
  EXPECT_EQ(*ParseCodec("zstd"), Codec::kZstd);
  EXPECT_EQ(*ParseCodec("snappy"), Codec::kSnappy);
  EXPECT_FALSE(ParseCodec("gzip").ok());
}

TEST(LogFormatTest, KeysRoundTripAndSort) {
  EXPECT_EQ(*ParseWalKey(WalKey(77)), 77u);
  EXPECT_EQ(*ParseStreamKey(StreamKey(5)), 5u);
  EXPECT_EQ(*ParsePartitionKey(PartitionKey(-3)), -3);
  EXPECT_LT(PartitionKey(-1), PartitionKey(0));
  EXPECT_LT(WalKey(255), WalKey(256));
  EXPECT_EQ(*ParsePartitionNamespaceName(PartitionNamespaceName(-2)), -2);
  EXPECT_LT(PartitionNamespaceName(-2), PartitionNamespaceName(19000));
  EXPECT_FALSE(ParsePartitionNamespaceName("p0000000000000001").has_value());
  ChunkKey k{9, -1000, 42};
  absl::StatusOr<ChunkKey> back = ParseChunkKey(ChunkMetaKey(k));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stream_id, 9u);
  EXPECT_EQ(back->min_time, -1000);
  EXPECT_EQ(back->seq, 42u);
  EXPECT_LT(ChunkMetaKey({9, -5, 0}), ChunkMetaKey({9, 3, 0}));
  EXPECT_EQ(ChunkMetaKey(k).substr(0, 5), ChunkMetaPrefix(9));
  EXPECT_FALSE(ParseChunkKey("I123").ok());
}

TEST(LogFormatTest, RecordsRoundTrip) {
  StreamRecord s{Labels{{"app", "x"}, {"ns", "y"}}, true, -5, 99, 12};
  absl::StatusOr<StreamRecord> s2 = DecodeStreamRecord(EncodeStreamRecord(s));
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->labels, s.labels);
  EXPECT_EQ(s2->min_time, -5);
  EXPECT_EQ(s2->max_time, 99);
  EXPECT_EQ(s2->flushed_seq, 12u);
  EXPECT_TRUE(s2->has_data);
  std::string enc = EncodeStreamRecord(s);
  EXPECT_EQ(DecodeStreamRecord(enc.substr(0, enc.size() - 1)).status().code(), absl::StatusCode::kDataLoss);

  PartitionRecord p{1, 2, 3, 4, 5, 6};
  absl::StatusOr<PartitionRecord> p2 = DecodePartitionRecord(EncodePartitionRecord(p));
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->stored_bytes, 6u);
  EXPECT_EQ(p2->min_time, 1);

  std::string wal;
  BeginWalRecord(&wal);
  AppendWalStream(3, 2, "ab", &wal);
  AppendWalStream(4, 1, "c", &wal);
  FinishWalRecord(2, &wal);
  std::vector<std::string> seen;
  ASSERT_TRUE(DecodeWalRecord(wal, [&](uint32_t sid, uint64_t n, std::string_view block) {
                seen.push_back(absl::StrCat(sid, ":", n, ":", std::string(block)));
                return absl::OkStatus();
              }).ok());
  EXPECT_THAT(seen, ::testing::ElementsAre("3:2:ab", "4:1:c"));
  EXPECT_EQ(DecodeWalRecord(wal.substr(0, wal.size() - 1),
                            [](uint32_t, uint64_t, std::string_view) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vigil::tsdb::logs
