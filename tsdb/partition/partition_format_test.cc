#include "tsdb/partition/partition_format.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::tsdb::partition {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PartitionFormatTest, MetaRoundTrip) {
  PartitionMeta meta{.id = 42,
                     .range = {-5000, 1795305600000},
                     .num_series = 73414,
                     .num_chunks = 146828,
                     .num_samples = 35238720,
                     .bytes = 30000000,
                     .max_chunk_span = 3600000,
                     .level = 2};
  const std::string v = EncodeMeta(meta);
  EXPECT_EQ(v[0], 1);
  absl::StatusOr<PartitionMeta> back = DecodeMeta(42, v);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, meta);
}

TEST(PartitionFormatTest, MetaErrorsSayWhereAndWhy) {
  const std::string v = EncodeMeta(PartitionMeta{.id = 7, .range = {0, 100}, .num_series = 3});
  for (size_t n = 0; n < v.size(); ++n) {
    absl::StatusOr<PartitionMeta> m = DecodeMeta(7, v.substr(0, n));
    ASSERT_FALSE(m.ok()) << n;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(m.status().message(), HasSubstr("p0000000000000007"));
  }
  EXPECT_THAT(DecodeMeta(7, v + "x").status().message(), HasSubstr("unexpected bytes at offset"));
  std::string wrong = v;
  wrong[0] = 9;
  EXPECT_THAT(DecodeMeta(7, wrong).status().message(), HasSubstr("unknown format version 9"));
  // A varint running past 64 bits.
  EXPECT_FALSE(DecodeMeta(7, std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)).ok());
}

TEST(PartitionFormatTest, NamespaceAndMetaKeys) {
  EXPECT_EQ(NamespaceName(42), "p000000000000002a");
  EXPECT_EQ(ParseNamespaceName("p000000000000002a"), 42u);
  EXPECT_EQ(ParseNamespaceName("p00000000000002A"), std::nullopt);
  EXPECT_EQ(ParseNamespaceName("default"), std::nullopt);
  EXPECT_EQ(*ParseMetaKey(MetaKey(12345)), 12345u);
  EXPECT_LT(MetaKey(1), MetaKey(256));
  EXPECT_FALSE(ParseMetaKey("M\x01xx").ok());
}

TEST(PartitionFormatTest, SeriesKeysSortByIdThenTime) {
  std::vector<std::string> keys = {
      SeriesKey(1), ChunkKey(1, -1000),          ChunkKey(1, 0), ChunkKey(1, 1), ChunkKey(1, 1795305600000),
      SeriesKey(2), ChunkKey(2, kMinTimestampMs)};
  for (size_t i = 1; i < keys.size(); ++i) EXPECT_LT(keys[i - 1], keys[i]) << i;
  EXPECT_LT(SeriesSpaceBegin(), SeriesKey(0));
  EXPECT_LT(ChunkKey(UINT32_MAX, kMaxTimestampMs), SeriesSpaceEnd());
  absl::StatusOr<SeriesSpaceKey> k = ParseSeriesSpaceKey(ChunkKey(7, -42));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->sid, 7u);
  EXPECT_TRUE(k->is_chunk);
  EXPECT_EQ(k->min_time, -42);
  EXPECT_FALSE(ParseSeriesSpaceKey(SeriesKey(7) + "x").ok());
  EXPECT_FALSE(ParseSeriesSpaceKey(PostingsKey("a", "b")).ok());
}

TEST(PartitionFormatTest, ListingKeys) {
  EXPECT_LT(ListingKey("a", "zzz"), ListingKey("ab", ""));
  const std::string key = ListingKey("job", std::string("x\0y", 3));
  auto parsed = ParseListingKey(key);  // Views into `key`.
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->first, "job");
  EXPECT_EQ(parsed->second, std::string("x\0y", 3));
  EXPECT_FALSE(ParseListingKey(std::string("L\x01", 2) + "noseparator").ok());
  EXPECT_TRUE(CheckListingValue(ListingValue()).ok());
  EXPECT_FALSE(CheckListingValue("").ok());
}

TEST(PartitionFormatTest, LabelsRoundTripAndCorruption) {
  Labels l = {{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}};
  std::string v;
  EncodeLabels(l, &v);
  absl::StatusOr<Labels> back = DecodeLabels(v);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, l);
  for (size_t n = 0; n < v.size(); ++n) {
    EXPECT_EQ(DecodeLabels(v.substr(0, n)).status().code(), absl::StatusCode::kDataLoss) << n;
  }
  // Out of order names.
  std::string bad =
      "\x01\x02\x01"
      "b\x01x\x01"
      "a\x01y";
  EXPECT_THAT(DecodeLabels(bad).status().message(), HasSubstr("out of order"));
  // A length pointing past the end.
  EXPECT_THAT(DecodeLabels(std::string("\x01\x01\x7f"
                                       "a",
                                       4))
                  .status()
                  .message(),
              HasSubstr("truncated"));
}

TEST(PartitionFormatTest, PostingsRoundTripAndCorruption) {
  std::vector<uint32_t> ids = {0, 1, 5, 200, 70000};
  std::string v;
  EncodePostings(ids, &v);
  std::vector<uint32_t> back;
  ASSERT_TRUE(DecodePostings(v, 70001, &back).ok());
  EXPECT_EQ(back, ids);
  absl::Status s = DecodePostings(v, 70000, &back);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("70000"));
  for (size_t n = 0; n < v.size(); ++n) EXPECT_FALSE(DecodePostings(v.substr(0, n), 70001, &back).ok()) << n;
  EXPECT_THAT(DecodePostings(std::string("\x01\x02\x03\x00", 4), 10, &back).message(), HasSubstr("zero delta"));
  EXPECT_TRUE(DecodePostings(std::string("\x01\x00", 2), 0, &back).ok());
  EXPECT_TRUE(back.empty());
}

TEST(PartitionFormatTest, ChunkValue) {
  std::string v;
  EncodeChunkValue("abc", &v);
  EXPECT_EQ(*DecodeChunkValue(v), "abc");
  EXPECT_FALSE(DecodeChunkValue("").ok());
  EXPECT_FALSE(DecodeChunkValue("\x02"
                                "abc")
                   .ok());
}

TEST(PartitionFormatTest, Varints) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 35, ~uint64_t{0}}) {
    std::string s;
    PutVarint(v, &s);
    size_t pos = 0;
    uint64_t back = 1;
    ASSERT_TRUE(GetVarint(s, &pos, &back));
    EXPECT_EQ(back, v);
    EXPECT_EQ(pos, s.size());
  }
  size_t pos = 0;
  uint64_t v;
  EXPECT_FALSE(GetVarint("\x80", &pos, &v));
}

}  // namespace
}  // namespace vigil::tsdb::partition
