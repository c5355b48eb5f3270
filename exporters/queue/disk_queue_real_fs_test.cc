// DiskQueue on the real POSIX file system: the same promises as on InMemoryFileSystem, with real files,
// fdatasync and directory listings.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fs/file_system.h"
#include "exporters/queue/disk_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::queue {
namespace {

using ::testing::ElementsAre;

class DiskQueueRealFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/vigil_queue_XXXXXX");
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = JoinPath(tmpl, "queue");  // Open creates it.
  }

  void TearDown() override {
    FileSystem* fs = RealFileSystem();
    if (absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir_); names.ok()) {
      for (const std::string& n : *names) (void)fs->Remove(JoinPath(dir_, n));
    }
    (void)fs->Remove(dir_);
    (void)fs->Remove(DirName(dir_));
  }

  std::unique_ptr<DiskQueue> Open(SyncPolicy policy = SyncPolicy::kAlways) {
    DiskQueueOptions o;
    o.sync_policy = policy;
    o.segment_bytes = 256;
    absl::StatusOr<std::unique_ptr<DiskQueue>> q = DiskQueue::Open(RealFileSystem(), dir_, o);
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? std::move(*q) : nullptr;
  }

  static std::vector<std::string> Drain(DiskQueue* q) {
    std::vector<std::string> out;
    QueueRecord rec;
    while (true) {
      absl::StatusOr<bool> got = q->Peek(&rec);
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || !*got) return out;
      out.push_back(rec.data);
      EXPECT_TRUE(q->Ack(rec.id).ok());
    }
  }

  std::string dir_;
};

TEST_F(DiskQueueRealFsTest, SurvivesRestartsWithAcknowledgedPositionKept) {
  {
    std::unique_ptr<DiskQueue> q = Open();
    ASSERT_NE(q, nullptr);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(q->Append(absl::StrCat("record-", i, std::string(40, '.'))).ok());
    QueueRecord rec;
    for (int i = 0; i < 7; ++i) {
      ASSERT_TRUE(*q->Peek(&rec));
      ASSERT_TRUE(q->Ack(rec.id).ok());
    }
  }
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_NE(q, nullptr);
  std::vector<std::string> got = Drain(q.get());
  ASSERT_EQ(got.size(), 13u);
  EXPECT_EQ(got.front().substr(0, 8), "record-7");
  EXPECT_EQ(got.back().substr(0, 9), "record-19");
}

TEST_F(DiskQueueRealFsTest, TornTailOnDiskIsTruncated) {
  {
    std::unique_ptr<DiskQueue> q = Open(SyncPolicy::kNone);
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(q->Append("kept").ok());
  }
  std::vector<std::string> names = *RealFileSystem()->ListDir(dir_);
  std::string segment;
  for (const std::string& n : names) {
    if (ParseSegmentName(n)) segment = JoinPath(dir_, n);
  }
  ASSERT_FALSE(segment.empty());
  const uint64_t good = RealFileSystem()->Stat(segment)->size;
  {
    std::unique_ptr<WritableFile> f = *RealFileSystem()->OpenAppendable(segment);
    ASSERT_TRUE(f->Append("half a frame").ok());
  }
  std::unique_ptr<DiskQueue> q = Open();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->stats().truncated_bytes, 12u);
  EXPECT_EQ(RealFileSystem()->Stat(segment)->size, good);
  EXPECT_THAT(Drain(q.get()), ElementsAre("kept"));
}

}  // namespace
}  // namespace vigil::queue
