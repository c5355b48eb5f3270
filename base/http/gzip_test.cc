#include "base/http/gzip.h"

#include <zlib.h>

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::http {
namespace {

using ::testing::HasSubstr;

std::string Pseudorandom(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1664525 + 1013904223;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

TEST(GzipTest, RoundTripsEmptySmallAndLargeInputs) {
  for (const std::string& input :
       {std::string(), std::string("hello, gzip"), Pseudorandom(1 << 20), std::string(3 << 20, 'a')}) {
    absl::StatusOr<std::string> compressed = GzipCompress(input);
    ASSERT_TRUE(compressed.ok()) << compressed.status();
    ASSERT_GE(compressed->size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>((*compressed)[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>((*compressed)[1]), 0x8b);
    absl::StatusOr<std::string> back = GzipDecompress(*compressed, input.size());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, input);
  }
}

TEST(GzipTest, OutputIsStandardGzipThatZlibReads) {
  std::string input(100000, 'x');
  absl::StatusOr<std::string> compressed = GzipCompress(input);
  ASSERT_TRUE(compressed.ok());
  EXPECT_LT(compressed->size(), 1000u);
  // Decode with zlib directly (auto-detecting the wrapper) rather than with our own function.
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 32), Z_OK);
  std::string out(input.size() + 1, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(compressed->data());
  zs.avail_in = static_cast<uInt>(compressed->size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, input);
}

TEST(GzipTest, DecompressionIsBoundedAgainstBombs) {
  // 64 MiB of zeros compresses to about 64 KiB.
  std::string zeros(64 << 20, '\0');
  absl::StatusOr<std::string> bomb = GzipCompress(zeros);
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), 100u << 10);

  absl::StatusOr<std::string> out = GzipDecompress(*bomb, 1 << 20);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(out.status().message(), HasSubstr("exceeds the limit of 1048576 bytes"));
}

TEST(GzipTest, LimitIsInclusive) {
  std::string input = Pseudorandom(5000);
  absl::StatusOr<std::string> compressed = GzipCompress(input);
  ASSERT_TRUE(compressed.ok());
  EXPECT_TRUE(GzipDecompress(*compressed, 5000).ok());
  EXPECT_EQ(GzipDecompress(*compressed, 4999).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GzipDecompress(*compressed, 0).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(GzipTest, ReadsConcatenatedMembers) {
  absl::StatusOr<std::string> a = GzipCompress("first ");
  absl::StatusOr<std::string> b = GzipCompress("second");
  ASSERT_TRUE(a.ok() && b.ok());
  absl::StatusOr<std::string> out = GzipDecompress(*a + *b, 100);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "first second");
}

TEST(GzipTest, RejectsTruncatedCorruptAndNonGzipInput) {
  absl::StatusOr<std::string> compressed = GzipCompress(Pseudorandom(10000));
  ASSERT_TRUE(compressed.ok());

  absl::StatusOr<std::string> truncated = GzipDecompress(compressed->substr(0, compressed->size() / 2), 1 << 20);
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(truncated.status().message(), HasSubstr("unexpected end of data"));

  // A missing trailer (CRC and length) is truncation too.
  EXPECT_EQ(GzipDecompress(compressed->substr(0, compressed->size() - 4), 1 << 20).status().code(),
            absl::StatusCode::kInvalidArgument);

  std::string corrupt = *compressed;
  corrupt[corrupt.size() - 6] ^= 0x55;  // In the CRC32.
  absl::StatusOr<std::string> bad_crc = GzipDecompress(corrupt, 1 << 20);
  EXPECT_EQ(bad_crc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_crc.status().message(), HasSubstr("corrupt"));

  EXPECT_EQ(GzipDecompress("plain text, not gzip", 1 << 20).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GzipDecompress("", 1 << 20).status().code(), absl::StatusCode::kInvalidArgument);

  absl::StatusOr<std::string> trailing = GzipDecompress(*compressed + "junk", 1 << 20);
  EXPECT_EQ(trailing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(trailing.status().message(), HasSubstr("after the gzip stream"));
}

TEST(AcceptsGzipTest, PlainListsAndCase) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br,gzip"));
  EXPECT_TRUE(AcceptsGzip("  deflate ,  gzip  "));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
  EXPECT_FALSE(AcceptsGzip("notgzip"));
}

TEST(AcceptsGzipTest, QValues) {
  EXPECT_TRUE(AcceptsGzip("gzip;q=1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("gzip; q=0.001"));
  EXPECT_TRUE(AcceptsGzip("gzip;Q=1.000"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip ; q = 0"));
  EXPECT_FALSE(AcceptsGzip("deflate, gzip;q=0"));
  // Malformed q-values refuse.
  EXPECT_FALSE(AcceptsGzip("gzip;q=abc"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=2"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=1.5"));
  EXPECT_FALSE(AcceptsGzip("gzip;q="));
}

TEST(AcceptsGzipTest, Wildcard) {
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("br, *;q=0.1"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  // An explicit refusal wins over the wildcard, and an explicit acceptance over a refusing wildcard.
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
  EXPECT_TRUE(AcceptsGzip("*;q=0, gzip"));
}

}  // namespace
}  // namespace vigil::http
