#include <limits>
#include <string>

#include "base/encoding/little_endian.h"
#include "base/encoding/varint.h"
#include "gtest/gtest.h"

namespace vigil::encoding {
namespace {

TEST(LittleEndianTest, RoundTripsAndByteOrder) {
  char b[8];
  PutFixed32(b, 0x01020304u);
  EXPECT_EQ(std::string(b, 4), std::string("\x04\x03\x02\x01", 4));
  EXPECT_EQ(GetFixed32(b), 0x01020304u);
  PutFixed64(b, 0xF102030405060708ull);
  EXPECT_EQ(std::string(b, 8), std::string("\x08\x07\x06\x05\x04\x03\x02\xF1", 8));
  EXPECT_EQ(GetFixed64(b), 0xF102030405060708ull);
  PutFixed32(b, 0xFFFFFFFFu);
  EXPECT_EQ(GetFixed32(b), 0xFFFFFFFFu);
}

TEST(VarintTest, EncodesAndSizes) {
  std::string out;
  AppendVarint(0, &out);
  AppendVarint(127, &out);
  AppendVarint(300, &out);
  EXPECT_EQ(out, std::string("\x00\x7f\xac\x02", 4));
  EXPECT_EQ(VarintSize(0), 1u);
  EXPECT_EQ(VarintSize(127), 1u);
  EXPECT_EQ(VarintSize(128), 2u);
  EXPECT_EQ(VarintSize(std::numeric_limits<uint64_t>::max()), 10u);
  out.clear();
  AppendVarint(std::numeric_limits<uint64_t>::max(), &out);
  EXPECT_EQ(out.size(), 10u);
}

TEST(VarintTest, ReadsWhatAppendWritesAndRefusesTruncatedInput) {
  std::string in;
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{300}, std::numeric_limits<uint64_t>::max()})
    AppendVarint(v, &in);
  size_t pos = 0;
  uint64_t v = 1;
  ASSERT_TRUE(ReadVarint(in, &pos, &v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(ReadVarint(in, &pos, &v));
  EXPECT_EQ(v, 127u);
  ASSERT_TRUE(ReadVarint(in, &pos, &v));
  EXPECT_EQ(v, 300u);
  ASSERT_TRUE(ReadVarint(in, &pos, &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(pos, in.size());
  EXPECT_FALSE(ReadVarint(in, &pos, &v));  // At the end.
  pos = 0;
  EXPECT_FALSE(ReadVarint("\x80\x80", &pos, &v));  // Ends inside.
  EXPECT_EQ(pos, 0u);
}

}  // namespace
}  // namespace vigil::encoding
