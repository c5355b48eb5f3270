#include "base/hash/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

using crc32c_internal::ExtendHardware;
using crc32c_internal::ExtendPortable;
using crc32c_internal::HardwareAvailable;

// Check values from RFC 3720 (iSCSI), appendix B.4, and the CRC catalogue's "123456789".
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableMatchesKnownVectors) {
  EXPECT_EQ(ExtendPortable(0, "123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(ExtendPortable(0, zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  std::string data;
  std::mt19937 rng(1);
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(rng()));
  const uint32_t whole = Crc32c(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t first = Crc32c(std::string_view(data).substr(0, split));
    EXPECT_EQ(Crc32cExtend(first, std::string_view(data).substr(split)), whole) << "split " << split;
  }
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnAllLengthsAndAlignments) {
  if (!HardwareAvailable()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(7);
  std::string buf(4096 + 16, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t len = 0; len < 300; ++len) {
      ASSERT_EQ(ExtendHardware(0x12345678u, buf.data() + align, len),
                ExtendPortable(0x12345678u, buf.data() + align, len))
          << "align " << align << " len " << len;
    }
    ASSERT_EQ(ExtendHardware(0, buf.data() + align, 4096), ExtendPortable(0, buf.data() + align, 4096));
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  std::string data = "a WAL frame payload of some length";
  const uint32_t crc = Crc32c(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string flipped = data;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Crc32c(flipped), crc) << "bit " << i;
  }
}

}  // namespace
}  // namespace vigil
