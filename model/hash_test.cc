#include "model/hash.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace vigil {
namespace {

constexpr uint64_t kPrime32 = 2654435761U;

// The buffer of xxHash's own sanity test (xxhsum's BMK_fillTestBuffer): byte i is the top byte of
// 2654435761 * 11400714785074694797^i (mod 2^64).
std::string SanityBuffer(size_t len) {
  std::string buf(len, '\0');
  uint64_t gen = kPrime32;
  for (size_t i = 0; i < len; ++i) {
    buf[i] = static_cast<char>(gen >> 56);
    gen *= 11400714785074694797ULL;
  }
  return buf;
}

struct Vector {
  size_t len;
  uint64_t seed;
  uint64_t want;
};

TEST(Hash64Test, XxhashSanityVectors) {
  // Published in xxHash's sanity checks (cli/xsum_sanity_check.c) for XXH64.
  const Vector vectors[] = {
      {0, 0, 0xEF46DB3751D8E999ULL},   {0, kPrime32, 0xAC75FDA2929B17EFULL},
      {1, 0, 0xE934A84ADB052768ULL},   {1, kPrime32, 0x5014607643A9B4C3ULL},
      {4, 0, 0x9136A0DCA57457EEULL},   {4, kPrime32, 0xCAAB286BD8E9FDB5ULL},
      {14, 0, 0x8282DCC4994E35C8ULL},  {14, kPrime32, 0xC3BD6BF63DEB6DF0ULL},
      {222, 0, 0xB641AE8CB691C174ULL}, {222, kPrime32, 0x20CB8AB7AE10C14AULL},
  };
  const std::string buf = SanityBuffer(222);
  for (const Vector& v : vectors) {
    EXPECT_EQ(Hash64Bytes(buf.data(), v.len, v.seed), v.want) << "len=" << v.len << " seed=" << v.seed;
  }
}

TEST(Hash64Test, KnownStrings) {
  EXPECT_EQ(Hash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(Hash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(Hash64("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(Hash64("xxhash"), 0x32DD38952C4BC720ULL);
  EXPECT_EQ(Hash64("xxhash", 20141025), 0xB559B98D844E0635ULL);
  // 39 and 43 bytes: exercise the 32-byte stripe loop and every tail step.
  EXPECT_EQ(Hash64("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
  EXPECT_EQ(Hash64("The quick brown fox jumps over the lazy dog"), 0x0B242D361FDA71BCULL);
}

TEST(Hash64Test, NullPointerWithZeroLength) { EXPECT_EQ(Hash64Bytes(nullptr, 0, 0), 0xEF46DB3751D8E999ULL); }

TEST(Hasher64Test, MatchesOneShotForEverySplit) {
  const std::string buf = SanityBuffer(300);
  for (size_t len : {0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 65, 100, 222, 300}) {
    const std::string_view data(buf.data(), len);
    const uint64_t want = Hash64(data, kPrime32);
    for (size_t split = 0; split <= len; ++split) {
      Hasher64 hasher(kPrime32);
      hasher.Update(data.substr(0, split));
      hasher.Update(data.substr(split));
      ASSERT_EQ(hasher.Digest(), want) << "len=" << len << " split=" << split;
    }
  }
}

TEST(Hasher64Test, ByteAtATimeAndDigestDoesNotConsume) {
  const std::string buf = SanityBuffer(222);
  Hasher64 hasher;
  for (size_t i = 0; i < buf.size(); ++i) {
    hasher.UpdateByte(static_cast<uint8_t>(buf[i]));
    if (i == 13) {
      EXPECT_EQ(hasher.Digest(), 0x8282DCC4994E35C8ULL);
    }
  }
  EXPECT_EQ(hasher.Digest(), 0xB641AE8CB691C174ULL);
  EXPECT_EQ(hasher.Digest(), 0xB641AE8CB691C174ULL);
}

TEST(Hasher64Test, EmptyUpdatesChangeNothing) {
  Hasher64 hasher;
  hasher.Update("");
  hasher.Update(nullptr, 0);
  EXPECT_EQ(hasher.Digest(), 0xEF46DB3751D8E999ULL);
}

}  // namespace
}  // namespace vigil
