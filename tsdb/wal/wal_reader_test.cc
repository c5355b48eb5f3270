#include "tsdb/wal/wal_reader.h"

#include <memory>
#include <string>
#include <vector>

#include "base/fs/in_memory_file_system.h"
#include "gtest/gtest.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/wal_test_util.h"
#include "tsdb/wal/wal_writer.h"

namespace vigil::wal {
namespace {

using testing::ExpectSameSamples;
using testing::ExpectSameSeries;
using testing::MakeSamples;
using testing::MakeSeries;
using testing::ReplayAll;
using testing::Replayed;

constexpr char kDir[] = "/wal";

Replayed MustReplay(FileSystem* fs, ReplayOptions options = {}) {
  absl::StatusOr<Replayed> r = ReplayAll(fs, kDir, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : Replayed();
}

std::string Path(std::string_view name) { return JoinPath(kDir, name); }

// Writes `batches` of samples, one LogSamples call (and record) each, starting a new segment before the batches
// whose index is in `rotate_before`. Returns each record's (segment, frame offset).
std::vector<std::pair<uint32_t, uint64_t>> WriteBatches(FileSystem* fs,
                                                        const std::vector<std::vector<SampleRecord>>& batches,
                                                        std::vector<size_t> rotate_before = {}) {
  std::vector<std::pair<uint32_t, uint64_t>> where;
  absl::StatusOr<std::unique_ptr<WalWriter>> w = WalWriter::Open(fs, kDir);
  EXPECT_TRUE(w.ok()) << w.status();
  for (size_t i = 0; i < batches.size(); ++i) {
    if (std::find(rotate_before.begin(), rotate_before.end(), i) != rotate_before.end()) {
      EXPECT_TRUE((*w)->Rotate().ok());
    }
    const uint32_t seg = (*w)->CurrentSegment();
    where.emplace_back(seg, fs->Stat(Path(SegmentName(seg)))->size);
    EXPECT_TRUE((*w)->LogSamples(batches[i]).ok());
  }
  EXPECT_TRUE((*w)->Close().ok());
  return where;
}

std::vector<SampleRecord> Concat(const std::vector<std::vector<SampleRecord>>& batches, std::vector<size_t> skip = {}) {
  std::vector<SampleRecord> out;
  for (size_t i = 0; i < batches.size(); ++i) {
    if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
    out.insert(out.end(), batches[i].begin(), batches[i].end());
  }
  return out;
}

std::vector<std::vector<SampleRecord>> Batches(size_t n) {
  std::vector<std::vector<SampleRecord>> out;
  for (size_t i = 0; i < n; ++i) out.push_back(MakeSamples(20, 1000 * static_cast<int64_t>(i), 10 * i));
  return out;
}

void FlipByte(InMemoryFileSystem* fs, const std::string& path, uint64_t offset) {
  std::string bytes = *fs->ReadFile(path);
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x20);
  ASSERT_TRUE(fs->WriteFileAtomic(path, bytes, true).ok());
}

TEST(WalReaderTest, MissingOrEmptyDirectoryReplaysNothing) {
  InMemoryFileSystem fs;
  Replayed missing = MustReplay(&fs);
  EXPECT_TRUE(missing.samples.empty());
  EXPECT_TRUE(missing.result.segments.empty());
  EXPECT_FALSE(missing.result.checkpoint.has_value());
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  ASSERT_TRUE(fs.WriteFileAtomic(Path("lock"), "x", false).ok());  // Unrelated files are ignored.
  Replayed empty = MustReplay(&fs);
  EXPECT_TRUE(empty.samples.empty());
  EXPECT_TRUE(empty.result.corruptions.empty());
}

TEST(WalReaderTest, TornTailAtEveryByteOfTheLastRecordIsDroppedSilently) {
  const auto batches = Batches(3);
  InMemoryFileSystem original;
  const auto where = WriteBatches(&original, batches, {1});  // Segments: 0 = {0}, 1 = {1, 2}.
  const std::string last = Path("00000001");
  const std::string bytes = *original.ReadFile(last);
  const uint64_t start = where[2].second;
  ASSERT_EQ(where[2].first, 1u);
  for (uint64_t cut = start; cut < bytes.size(); ++cut) {
    InMemoryFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs(kDir).ok());
    ASSERT_TRUE(fs.WriteFileAtomic(Path("00000000"), *original.ReadFile(Path("00000000")), true).ok());
    ASSERT_TRUE(fs.WriteFileAtomic(last, bytes.substr(0, cut), true).ok());
    Replayed r = MustReplay(&fs);
    EXPECT_TRUE(r.result.corruptions.empty()) << "cut " << cut << ": " << r.result.corruptions[0].ToString();
    ExpectSameSamples(r.samples, Concat(batches, {2}));
    EXPECT_EQ(r.result.torn_bytes, cut - start) << "cut " << cut;
    if (cut > start) {
      EXPECT_EQ(r.result.torn_file, "00000001");
      EXPECT_EQ(r.result.torn_offset, start);
    }
    // Repaired: the segment ends at the last complete record, and a second replay finds nothing torn.
    EXPECT_EQ(fs.Stat(last)->size, start);
    EXPECT_EQ(MustReplay(&fs).result.torn_bytes, 0u);
  }
}

TEST(WalReaderTest, ZeroFilledTailAfterPowerLossIsTorn) {
  const auto batches = Batches(3);
  InMemoryFileSystem fs;
  const auto where = WriteBatches(&fs, batches);
  const std::string seg = Path("00000000");
  std::string bytes = *fs.ReadFile(seg);
  // The last record's second half and a few blocks after it never reached the disk.
  const uint64_t start = where[2].second;
  const uint64_t half = start + (bytes.size() - start) / 2;
  std::string damaged = bytes.substr(0, half) + std::string(bytes.size() - half + 8192, '\0');
  ASSERT_TRUE(fs.WriteFileAtomic(seg, damaged, true).ok());
  Replayed r = MustReplay(&fs, {.repair_torn_tail = false});
  EXPECT_TRUE(r.result.corruptions.empty());
  ExpectSameSamples(r.samples, Concat(batches, {2}));
  EXPECT_EQ(r.result.torn_bytes, damaged.size() - start);
  EXPECT_EQ(fs.Stat(seg)->size, damaged.size());  // Not repaired when asked not to.

  // Zeros from inside the frame header on.
  damaged = bytes.substr(0, start + 5) + std::string(4096, '\0');
  ASSERT_TRUE(fs.WriteFileAtomic(seg, damaged, true).ok());
  r = MustReplay(&fs);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.torn_bytes, damaged.size() - start);
}

TEST(WalReaderTest, FlippedPayloadByteLosesOneRecordAndIsReported) {
  const auto batches = Batches(6);
  InMemoryFileSystem fs;
  const auto where = WriteBatches(&fs, batches, {3});  // Segments: 0 = {0, 1, 2}, 1 = {3, 4, 5}.
  const uint64_t frame = where[1].second;
  FlipByte(&fs, Path("00000000"), frame + kFrameHeaderSize + 20);
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].file, "00000000");
  EXPECT_EQ(r.result.corruptions[0].offset, frame);
  EXPECT_NE(r.result.corruptions[0].reason.find("payload checksum"), std::string::npos);
  ExpectSameSamples(r.samples, Concat(batches, {1}));
  EXPECT_EQ(r.result.torn_bytes, 0u);
}

TEST(WalReaderTest, FlippedHeaderByteLosesTheRestOfTheSegmentOnly) {
  const auto batches = Batches(6);
  InMemoryFileSystem fs;
  const auto where = WriteBatches(&fs, batches, {3});
  const uint64_t frame = where[1].second;
  FlipByte(&fs, Path("00000000"), frame + 2);  // In the length field.
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].ToString().substr(0, 17 + std::to_string(frame).size()),
            "00000000 at byte " + std::to_string(frame));
  EXPECT_NE(r.result.corruptions[0].reason.find("header checksum"), std::string::npos);
  ExpectSameSamples(r.samples, Concat(batches, {1, 2}));
}

TEST(WalReaderTest, CorruptionInTheMiddleOfTheLastSegmentIsNotATornTail) {
  const auto batches = Batches(4);
  InMemoryFileSystem fs;
  const auto where = WriteBatches(&fs, batches);
  const std::string seg = Path("00000000");
  const uint64_t size = fs.Stat(seg)->size;
  FlipByte(&fs, seg, where[1].second + 3);
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].offset, where[1].second);
  EXPECT_EQ(r.result.torn_bytes, 0u);
  EXPECT_EQ(fs.Stat(seg)->size, size);  // Evidence is kept.
  ExpectSameSamples(r.samples, batches[0]);
}

TEST(WalReaderTest, BadSegmentHeaderSkipsThatSegment) {
  const auto batches = Batches(3);
  InMemoryFileSystem fs;
  WriteBatches(&fs, batches, {1, 2});
  FlipByte(&fs, Path("00000001"), 1);
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].file, "00000001");
  EXPECT_EQ(r.result.corruptions[0].offset, 0u);
  ExpectSameSamples(r.samples, Concat(batches, {1}));
}

TEST(WalReaderTest, PartialFrameAtTheEndOfAnEarlierSegmentIsCorruption) {
  const auto batches = Batches(3);
  InMemoryFileSystem fs;
  const auto where = WriteBatches(&fs, batches, {2});
  ASSERT_TRUE(fs.Truncate(Path("00000000"), where[1].second + 30).ok());
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].offset, where[1].second);
  EXPECT_NE(r.result.corruptions[0].reason.find("runs past the end"), std::string::npos);
  ExpectSameSamples(r.samples, Concat(batches, {1}));
}

TEST(WalReaderTest, UnknownRecordTypeIsSkippedAndReported) {
  const auto batches = Batches(2);
  InMemoryFileSystem fs;
  WriteBatches(&fs, batches, {1});
  std::string bytes = *fs.ReadFile(Path("00000000"));
  const uint64_t offset = bytes.size();
  const size_t start = BeginFrame(&bytes);
  bytes += "\x01 a future record";
  FinishFrame(&bytes, start, static_cast<RecordType>(9));
  ASSERT_TRUE(fs.WriteFileAtomic(Path("00000000"), bytes, true).ok());
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].offset, offset);
  EXPECT_NE(r.result.corruptions[0].reason.find("unknown record type 9"), std::string::npos);
  ExpectSameSamples(r.samples, Concat(batches));
}

TEST(WalReaderTest, MissingSegmentIsReported) {
  const auto batches = Batches(4);
  InMemoryFileSystem fs;
  WriteBatches(&fs, batches, {1, 2, 3});
  ASSERT_TRUE(fs.Remove(Path("00000001")).ok());
  ASSERT_TRUE(fs.Remove(Path("00000002")).ok());
  Replayed r = MustReplay(&fs);
  ASSERT_EQ(r.result.corruptions.size(), 1u);
  EXPECT_EQ(r.result.corruptions[0].ToString(), "00000003 at byte 0: segments 00000001 to 00000002 are missing");
  ExpectSameSamples(r.samples, Concat(batches, {1, 2}));
}

TEST(WalReaderTest, TornSegmentHeaderRemovesTheSegment) {
  const auto batches = Batches(1);
  InMemoryFileSystem fs;
  WriteBatches(&fs, batches);
  ASSERT_TRUE(fs.WriteFileAtomic(Path("00000001"), "VWA", true).ok());
  Replayed r = MustReplay(&fs);
  EXPECT_TRUE(r.result.corruptions.empty());
  EXPECT_EQ(r.result.torn_bytes, 3u);
  EXPECT_FALSE(fs.Exists(Path("00000001")));
  ExpectSameSamples(r.samples, batches[0]);
}

TEST(WalReaderTest, CallbackErrorStopsReplay) {
  InMemoryFileSystem fs;
  WriteBatches(&fs, Batches(3));
  int calls = 0;
  absl::StatusOr<ReplayResult> r = Replay(
      &fs, kDir, [](std::span<const SeriesRecordView>) { return absl::OkStatus(); },
      [&](std::span<const SampleRecord>) {
        return ++calls == 2 ? absl::ResourceExhaustedError("head is full") : absl::OkStatus();
      });
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("00000000 at byte"), std::string_view::npos) << r.status();
  EXPECT_EQ(calls, 2);
}

TEST(WalReaderTest, SeriesAndSamplesKeepTheirOrder) {
  InMemoryFileSystem fs;
  auto w = WalWriter::Open(&fs, kDir);
  ASSERT_TRUE(w.ok());
  std::vector<SeriesRecord> series = MakeSeries(5);
  std::vector<SampleRecord> samples = MakeSamples(10);
  ASSERT_TRUE((*w)->Log(series, samples).ok());
  std::vector<char> order;
  absl::StatusOr<ReplayResult> r = Replay(
      &fs, kDir,
      [&](std::span<const SeriesRecordView>) {
        order.push_back('S');
        return absl::OkStatus();
      },
      [&](std::span<const SampleRecord>) {
        order.push_back('s');
        return absl::OkStatus();
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(order.begin(), order.end()), "Ss");
  EXPECT_EQ(r->series, 5u);
  EXPECT_EQ(r->samples, 10u);
}

}  // namespace
}  // namespace vigil::wal
