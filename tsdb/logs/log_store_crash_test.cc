// kill -9 after acknowledged commits loses nothing: a child process commits entries to a LogStore on RocksDB,
// reports each acknowledgement through a pipe, and is SIGKILLed; the parent reopens the store and finds every
// acknowledged entry exactly once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "gtest/gtest.h"
#include "tsdb/logs/log_store.h"

namespace vigil::tsdb::logs {
namespace {

constexpr int kCommits = 300;
const TimestampNs kT0 = absl::ToUnixNanos(absl::FromUnixSeconds(1700000000));

std::string TempDir(std::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", std::string(name), "_", getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

LogStoreOptions Options() {
  LogStoreOptions o;
  o.retention = absl::ZeroDuration();
  o.max_future = absl::ZeroDuration();
  o.chunk_target_bytes = 500;  // chunks are cut and the WAL trimmed while the child runs
  return o;
}

// The child: commits, acknowledging each through `ack_fd`, then waits to be killed. Never returns.
[[noreturn]] void Child(const std::string& dir, int ack_fd, int hold_fd) {
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(dir, Options(), RealClock());
  if (!store.ok()) _exit(2);
  for (int i = 0; i < kCommits; ++i) {
    std::unique_ptr<LogAppender> app = (*store)->NewAppender();
    Labels labels = {{"app", absl::StrCat("app", i % 7)}};
    if (!app->Append(labels, {LogEntry{kT0 + i, absl::StrCat("entry ", i, " padding padding padding"), {}}}).ok() ||
        !app->Commit().ok()) {
      _exit(3);
    }
    const char ack = 'a';
    if (write(ack_fd, &ack, 1) != 1) _exit(4);
  }
  char c = 0;
  (void)!read(hold_fd, &c, 1);  // blocks until the parent kills us
  _exit(5);
}

TEST(LogStoreCrashTest, KillMinusNineLosesNoAcknowledgedEntry) {
  const std::string dir = TempDir("log_store_crash");
  int ack[2], hold[2];
  ASSERT_EQ(pipe(ack), 0);
  ASSERT_EQ(pipe(hold), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ack[0]);
    close(hold[1]);
    Child(dir, ack[1], hold[0]);
  }
  close(ack[1]);
  close(hold[0]);
  int acked = 0;
  char c = 0;
  while (acked < kCommits && read(ack[0], &c, 1) == 1) ++acked;
  ASSERT_EQ(acked, kCommits) << "the child failed before acknowledging everything";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  close(ack[0]);
  close(hold[1]);

  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(dir, Options(), RealClock());
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::vector<StreamEntries>> r =
      (*store)->Select({.matchers = {}, .start_ns = kT0, .end_ns = kT0 + kCommits, .direction = Direction::kForward});
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<bool> seen(kCommits, false);
  int total = 0;
  for (const StreamEntries& s : *r) {
    for (const LogEntry& e : s.entries) {
      const int i = static_cast<int>(e.timestamp_ns - kT0);
      ASSERT_TRUE(i >= 0 && i < kCommits);
      EXPECT_FALSE(seen[i]) << "entry " << i << " twice";
      EXPECT_EQ(s.labels.Get("app"), absl::StrCat("app", i % 7));
      seen[i] = true;
      ++total;
    }
  }
  EXPECT_EQ(total, kCommits);
  EXPECT_GT((*store)->GetStoreStats().chunks, 0u);  // some had been cut before the kill
  EXPECT_GT((*store)->GetStoreStats().wal_entries_replayed, 0u);
}

}  // namespace
}  // namespace vigil::tsdb::logs
