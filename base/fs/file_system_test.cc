// The same behaviour tests run against RealFileSystem (in $TEST_TMPDIR) and InMemoryFileSystem, so the fake
// stays faithful to the real thing.
#include "base/fs/file_system.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fs/in_memory_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

enum class Kind { kReal, kInMemory };

class FileSystemContractTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    static int counter = 0;
    if (GetParam() == Kind::kReal) {
      const char* tmp = std::getenv("TEST_TMPDIR");
      root_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/fs_test_", ++counter);
      fs_ = RealFileSystem();
    } else {
      owned_ = std::make_unique<InMemoryFileSystem>();
      fs_ = owned_.get();
      root_ = absl::StrCat("/root_", ++counter);
    }
    ASSERT_TRUE(fs_->CreateDirs(root_).ok());
  }

  std::string P(std::string_view name) { return JoinPath(root_, name); }

  std::unique_ptr<InMemoryFileSystem> owned_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(FileSystemContractTest, AppendThenReadBack) {
  auto file = fs_->OpenAppendable(P("wal"));
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ((*file)->Size(), 11u);
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_FALSE((*file)->Append("x").ok());
  EXPECT_EQ(*fs_->ReadFile(P("wal")), "hello world");

  // Reopening appends after the existing bytes.
  auto again = fs_->OpenAppendable(P("wal"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Size(), 11u);
  ASSERT_TRUE((*again)->Append("!").ok());
  EXPECT_EQ(*fs_->ReadFile(P("wal")), "hello world!");
}

TEST_P(FileSystemContractTest, ReadAtReturnsShortReadAtEnd) {
  ASSERT_TRUE(fs_->WriteFileAtomic(P("f"), "0123456789", false).ok());
  auto file = fs_->OpenReadable(P("f"));
  ASSERT_TRUE(file.ok());
  std::string out;
  ASSERT_TRUE((*file)->ReadAt(3, 4, &out).ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE((*file)->ReadAt(8, 10, &out).ok());
  EXPECT_EQ(out, "89");
  ASSERT_TRUE((*file)->ReadAt(20, 10, &out).ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(*(*file)->Size(), 10u);
}

TEST_P(FileSystemContractTest, WriteFileAtomicReplacesWholeFile) {
  ASSERT_TRUE(fs_->WriteFileAtomic(P("positions"), "old contents that are long", true).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("positions"), "new", true).ok());
  EXPECT_EQ(*fs_->ReadFile(P("positions")), "new");
  // No temporary file is left behind.
  EXPECT_THAT(*fs_->ListDir(root_), ElementsAre("positions"));
}

TEST_P(FileSystemContractTest, ListDirIsSortedAndShowsSubdirectories) {
  ASSERT_TRUE(fs_->WriteFileAtomic(P("b"), "", false).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("a"), "", false).ok());
  ASSERT_TRUE(fs_->CreateDirs(P("sub/deeper")).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("sub/c"), "", false).ok());
  EXPECT_THAT(*fs_->ListDir(root_), ElementsAre("a", "b", "sub"));
  EXPECT_THAT(*fs_->ListDir(P("sub")), ElementsAre("c", "deeper"));
  EXPECT_TRUE(fs_->Stat(P("sub"))->is_dir);
  EXPECT_FALSE(fs_->Stat(P("a"))->is_dir);
}

TEST_P(FileSystemContractTest, RenameKeepsIdentityAndTruncateCuts) {
  ASSERT_TRUE(fs_->WriteFileAtomic(P("app.log"), "line1\nline2\n", false).ok());
  uint64_t inode = fs_->Stat(P("app.log"))->inode;
  ASSERT_TRUE(fs_->Rename(P("app.log"), P("app.log.1")).ok());
  EXPECT_FALSE(fs_->Exists(P("app.log")));
  EXPECT_EQ(fs_->Stat(P("app.log.1"))->inode, inode);
  ASSERT_TRUE(fs_->Truncate(P("app.log.1"), 6).ok());
  EXPECT_EQ(*fs_->ReadFile(P("app.log.1")), "line1\n");
  EXPECT_EQ(fs_->Stat(P("app.log.1"))->size, 6u);
}

TEST_P(FileSystemContractTest, RenameMovesADirectoryWithItsContents) {
  ASSERT_TRUE(fs_->CreateDirs(P("checkpoint.tmp/sub")).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("checkpoint.tmp/00000000"), "series", false).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("checkpoint.tmp/sub/x"), "y", false).ok());
  ASSERT_TRUE(fs_->Rename(P("checkpoint.tmp"), P("checkpoint.00000003")).ok());
  EXPECT_FALSE(fs_->Exists(P("checkpoint.tmp")));
  EXPECT_EQ(*fs_->ReadFile(P("checkpoint.00000003/00000000")), "series");
  EXPECT_EQ(*fs_->ReadFile(P("checkpoint.00000003/sub/x")), "y");
  EXPECT_THAT(*fs_->ListDir(root_), ElementsAre("checkpoint.00000003"));
}

TEST_P(FileSystemContractTest, ErrorsNameThePath) {
  absl::StatusOr<std::string> missing = fs_->ReadFile(P("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(P("nope")));
  EXPECT_EQ(fs_->Remove(P("nope")).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->OpenAppendable(P("no/such/dir/f")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs_->ListDir(P("nope")).ok());
  ASSERT_TRUE(fs_->CreateDirs(P("d")).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("d/f"), "x", false).ok());
  EXPECT_FALSE(fs_->Remove(P("d")).ok());  // not empty
  ASSERT_TRUE(fs_->Remove(P("d/f")).ok());
  EXPECT_TRUE(fs_->Remove(P("d")).ok());
  EXPECT_TRUE(fs_->SyncDir(root_).ok());
}

INSTANTIATE_TEST_SUITE_P(Both, FileSystemContractTest, ::testing::Values(Kind::kReal, Kind::kInMemory),
                         [](const auto& info) { return info.param == Kind::kReal ? "Real" : "InMemory"; });

TEST(InMemoryFileSystemTest, WriteErrorIsReportedWithPathUntilCleared) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/q").ok());
  auto file = fs.OpenAppendable("/q/segment");
  ASSERT_TRUE(file.ok());
  fs.SetWriteError(absl::ResourceExhaustedError("no space left on device"));
  absl::Status s = (*file)->Append("data");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/q/segment"));
  EXPECT_FALSE(fs.WriteFileAtomic("/q/other", "x", true).ok());
  fs.SetWriteError(absl::OkStatus());
  EXPECT_TRUE((*file)->Append("data").ok());
  EXPECT_EQ(*fs.ReadFile("/q/segment"), "data");
}

TEST(InMemoryFileSystemTest, PowerLossDropsUnsyncedTail) {
  InMemoryFileSystem fs;
  auto file = fs.OpenAppendable("wal");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("synced|").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("lost").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("meta", "kept", true).ok());
  fs.DropUnsyncedData();
  EXPECT_EQ(*fs.ReadFile("wal"), "synced|");
  EXPECT_EQ(*fs.ReadFile("meta"), "kept");
}

TEST(PathTest, JoinAndDirName) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
}

}  // namespace
}  // namespace vigil
