#include "wire/otlp/proto_reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::wire::otlp {
namespace {

using ::testing::HasSubstr;

TEST(ProtoReaderTest, ReadsEveryWireType) {
  // field 1 varint 300; field 2 fixed64 1; field 3 len "ab"; field 4 fixed32 7.
  const std::string data(
      "\x08\xac\x02\x11\x01\x00\x00\x00\x00\x00\x00\x00\x1a\x02"
      "ab"
      "\x25\x07\x00\x00\x00",
      21);
  ProtoReader r(data, 100);
  uint32_t field = 0, wt = 0;
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  EXPECT_EQ(field, 1u);
  EXPECT_EQ(wt, ProtoReader::kVarint);
  uint64_t v = 0;
  ASSERT_TRUE(r.ReadVarint(&v).ok());
  EXPECT_EQ(v, 300u);
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  EXPECT_EQ(wt, ProtoReader::kFixed64);
  ASSERT_TRUE(r.ReadFixed64(&v).ok());
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  std::string_view bytes;
  size_t off = 0;
  ASSERT_TRUE(r.ReadLengthDelimited(&bytes, &off).ok());
  EXPECT_EQ(bytes, "ab");
  EXPECT_EQ(off, 114u);
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  uint32_t f32 = 0;
  ASSERT_TRUE(r.ReadFixed32(&f32).ok());
  EXPECT_EQ(f32, 7u);
  EXPECT_TRUE(r.AtEnd());
}

TEST(ProtoReaderTest, ErrorsCarryAbsoluteOffsets) {
  const std::string data(
      "\x0a\x05"
      "ab",
      4);  // length 5, only 2 bytes left
  ProtoReader r(data, 1000);
  uint32_t field = 0, wt = 0;
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  std::string_view bytes;
  size_t off = 0;
  absl::Status s = r.ReadLengthDelimited(&bytes, &off);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("malformed protobuf at byte 1001"));
  EXPECT_THAT(s.message(), HasSubstr("length 5"));
}

TEST(ProtoReaderTest, RejectsBadKeysAndTruncation) {
  uint32_t field = 0, wt = 0;
  {
    ProtoReader r(std::string_view("\x00", 1), 0);  // field 0
    EXPECT_FALSE(r.ReadTag(&field, &wt).ok());
  }
  {
    ProtoReader r("\x0f", 0);  // wire type 7
    EXPECT_FALSE(r.ReadTag(&field, &wt).ok());
  }
  {
    ProtoReader r("\x80\x80", 0);  // truncated varint
    uint64_t v = 0;
    EXPECT_FALSE(r.ReadVarint(&v).ok());
  }
  {
    ProtoReader r("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 0);  // 11-byte varint
    uint64_t v = 0;
    EXPECT_THAT(r.ReadVarint(&v).message(), HasSubstr("longer than 10"));
  }
  {
    ProtoReader r("\x01\x02\x03", 0);
    uint32_t v = 0;
    EXPECT_FALSE(r.ReadFixed32(&v).ok());
  }
}

TEST(ProtoReaderTest, SkipsGroupsAndRejectsUnterminated) {
  // field 1 start group, inside field 2 varint 5, field 1 end group, then field 3 varint 1.
  ProtoReader r("\x0b\x10\x05\x0c\x18\x01", 0);
  uint32_t field = 0, wt = 0;
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  EXPECT_EQ(wt, ProtoReader::kStartGroup);
  ASSERT_TRUE(r.Skip(wt).ok());
  ASSERT_TRUE(r.ReadTag(&field, &wt).ok());
  EXPECT_EQ(field, 3u);

  ProtoReader bad("\x0b\x10\x05", 0);
  ASSERT_TRUE(bad.ReadTag(&field, &wt).ok());
  EXPECT_THAT(bad.Skip(wt).message(), HasSubstr("unterminated group"));

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "\x0b";
  ProtoReader d(deep, 0);
  ASSERT_TRUE(d.ReadTag(&field, &wt).ok());
  EXPECT_THAT(d.Skip(wt).message(), HasSubstr("too deep"));
}

}  // namespace
}  // namespace vigil::wire::otlp
