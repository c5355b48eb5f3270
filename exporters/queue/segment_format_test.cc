#include "exporters/queue/segment_format.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil::queue {
namespace {

std::string Segment(std::initializer_list<std::string> records) {
  std::string s = SegmentHeader();
  for (const std::string& r : records) AppendFrame(r, static_cast<uint32_t>(r.size()), &s);
  return s;
}

TEST(SegmentFormatTest, NamesSortAsNumbersAndParseBack) {
  EXPECT_EQ(SegmentName(42), "00000000000000000042");
  EXPECT_EQ(ParseSegmentName(SegmentName(42)), 42u);
  EXPECT_EQ(ParseSegmentName(SegmentName(UINT64_MAX)), UINT64_MAX);
  EXPECT_FALSE(ParseSegmentName("42").has_value());
  EXPECT_FALSE(ParseSegmentName("0000000000000000004x").has_value());
  EXPECT_FALSE(ParseSegmentName("99999999999999999999").has_value());  // Beyond uint64.
}

TEST(SegmentFormatTest, HeaderIsCheckedForSizeMagicAndVersion) {
  EXPECT_TRUE(CheckSegmentHeader(SegmentHeader()).ok());
  EXPECT_EQ(CheckSegmentHeader("VQS").code(), absl::StatusCode::kDataLoss);
  std::string bad = SegmentHeader();
  bad[0] = 'X';
  EXPECT_EQ(CheckSegmentHeader(bad).code(), absl::StatusCode::kDataLoss);
  bad = SegmentHeader();
  bad[4] = 9;
  EXPECT_EQ(CheckSegmentHeader(bad).code(), absl::StatusCode::kDataLoss);
}

TEST(SegmentFormatTest, ScanFindsEveryRecord) {
  const std::string s = Segment({"alpha", "bravo!", "c"});
  SegmentScan scan = ScanSegment(s);
  ASSERT_EQ(scan.records.size(), 3u);
  EXPECT_EQ(scan.records[0].offset, kSegmentHeaderSize);
  EXPECT_EQ(scan.records[1].length, 6u);
  EXPECT_EQ(scan.records[1].items, 6u);
  EXPECT_TRUE(scan.corrupt.empty());
  EXPECT_EQ(scan.valid_end, s.size());
}

TEST(SegmentFormatTest, TornTailEndsTheValidData) {
  const std::string whole = Segment({"alpha", "bravo"});
  for (size_t cut = 1; cut < kFrameHeaderSize + 5; ++cut) {
    SegmentScan scan = ScanSegment(std::string_view(whole).substr(0, whole.size() - cut));
    ASSERT_EQ(scan.records.size(), 1u) << cut;
    EXPECT_EQ(scan.valid_end, kSegmentHeaderSize + kFrameHeaderSize + 5) << cut;
    EXPECT_TRUE(scan.corrupt.empty());
  }
}

TEST(SegmentFormatTest, CorruptionInTheMiddleIsSkipped) {
  const std::string whole = Segment({"alpha", "bravo", "charlie"});
  const size_t second = kSegmentHeaderSize + kFrameHeaderSize + 5;
  for (size_t at : {second + 1, second + kFrameHeaderSize + 2}) {  // In the header, in the payload.
    std::string s = whole;
    s[at] ^= 0x40;
    SegmentScan scan = ScanSegment(s);
    ASSERT_EQ(scan.records.size(), 2u) << at;
    EXPECT_EQ(scan.records[1].length, 7u);
    ASSERT_EQ(scan.corrupt.size(), 1u);
    EXPECT_EQ(scan.corrupt[0].offset, second);
    EXPECT_EQ(scan.corrupt[0].length, kFrameHeaderSize + 5);
    EXPECT_EQ(scan.valid_end, s.size());
  }
}

TEST(SegmentFormatTest, ZeroFilledTailIsNotAFrame) {
  std::string s = Segment({"alpha"}) + std::string(100, '\0');
  SegmentScan scan = ScanSegment(s);
  EXPECT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.valid_end, s.size() - 100);
}

TEST(SegmentFormatTest, AckLogKeepsTheGreatestValidEntry) {
  std::string log;
  AppendAckEntry({3, 100}, &log);
  AppendAckEntry({4, 8}, &log);
  AppendAckEntry({3, 900}, &log);
  EXPECT_EQ(ParseAckLog(log), (Position{4, 8}));
  std::string corrupt = log;
  corrupt[kAckEntrySize + 3] ^= 1;  // The {4, 8} entry.
  EXPECT_EQ(ParseAckLog(corrupt), (Position{3, 900}));
  EXPECT_EQ(ParseAckLog(log.substr(0, log.size() - 1)), (Position{4, 8}));  // Torn last entry.
  EXPECT_FALSE(ParseAckLog("").has_value());
}

}  // namespace
}  // namespace vigil::queue
