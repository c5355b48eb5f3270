// Tailer tests on real files in TEST_TMPDIR (rotation, truncation, restarts need real inodes), with a FakeClock.
#include "agent/logs/tailer.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/logs/tailer_loop.h"
#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "base/metrics/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wire/loki/label_string.h"
#include "wire/loki/push_decode.h"
#include "wire/loki/push_encode.h"

namespace vigil::agent::logs {
namespace {

constexpr char kTs[] = "2026-11-22T10:00:00.000000001Z";
constexpr int64_t kTsNs = 1795341600000000001;

std::string Cri(std::string_view msg, std::string_view stream = "stdout", char tag = 'F') {
  return absl::StrCat(kTs, " ", std::string(stream), " ", std::string(1, tag), " ", std::string(msg), "\n");
}

// One read entry, flattened.
struct Got {
  std::string labels;
  int64_t ts = 0;
  std::string line;
};

class TailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = JoinPath(tmp != nullptr ? tmp : "/tmp", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(fs_->CreateDirs(root_).ok());
    pods_ = JoinPath(root_, "pods");
    log_dir_ = JoinPath(pods_, "prod_api-7f9c_0b1c2d3e-aaaa-bbbb-cccc-000000000001/app");
    ASSERT_TRUE(fs_->CreateDirs(log_dir_).ok());
    options_.cri_paths = {JoinPath(pods_, "*/*/*.log")};
    options_.docker_paths = {JoinPath(root_, "docker/containers/*/*-json.log")};
    options_.node = "node-1";
    options_.positions_file = JoinPath(root_, "positions");
    options_.rescan_interval = absl::ZeroDuration();
    options_.rotated_grace = absl::Seconds(5);
  }

  std::unique_ptr<Tailer> NewTailer() {
    // Later tailers of a test (restarts) get registries of their own, as a restarted process would.
    metrics::Registry* reg = &registry_;
    if (tailers_++ > 0) reg = extra_registries_.emplace_back(std::make_unique<metrics::Registry>()).get();
    absl::StatusOr<std::unique_ptr<Tailer>> t = Tailer::Create(options_, fs_, &clock_, reg);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }

  std::unique_ptr<WritableFile> Open(const std::string& path) {
    absl::StatusOr<std::unique_ptr<WritableFile>> w = fs_->OpenAppendable(path);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }

  void Append(WritableFile* w, std::string_view s) { ASSERT_TRUE(w->Append(s).ok()); }

  // Polls until a Poll returns nothing; acks every batch when `ack`.
  std::vector<Got> Drain(Tailer* t, bool ack = true, std::vector<uint64_t>* tokens = nullptr) {
    std::vector<Got> out;
    for (int i = 0; i < 100; ++i) {
      LogBatch b = t->Poll();
      if (b.empty()) break;
      for (const BatchStream& s : b.streams) {
        for (const wire::loki::PushEntryRef& e : s.entries)
          out.push_back({s.labels, e.timestamp_ns, std::string(e.line)});
      }
      if (tokens != nullptr) tokens->push_back(b.token);
      if (ack) {
        EXPECT_TRUE(t->Ack(b.token).ok());
      }
    }
    return out;
  }

  static std::vector<std::string> Lines(const std::vector<Got>& g) {
    std::vector<std::string> out;
    for (const Got& x : g) out.push_back(x.line);
    return out;
  }

  bool MetricIs(std::string_view series, double v) {
    std::string text = registry_.RenderText();
    return text.find(absl::StrCat(std::string(series), " ", v, "\n")) != std::string::npos;
  }

  FileSystem* fs_ = RealFileSystem();
  FakeClock clock_;
  metrics::Registry registry_;
  int tailers_ = 0;
  std::vector<std::unique_ptr<metrics::Registry>> extra_registries_;
  TailerOptions options_;
  std::string root_, pods_, log_dir_;
};

using ::testing::ElementsAre;

TEST_F(TailerTest, ReadsCriLinesWithPathLabels) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  Append(w.get(), Cri("hello") + Cri("oops", "stderr"));
  auto t = NewTailer();
  std::vector<Got> got = Drain(t.get());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "hello");
  EXPECT_EQ(got[0].ts, kTsNs);
  EXPECT_EQ(got[0].labels, R"({container="app", namespace="prod", node="node-1", pod="api-7f9c", stream="stdout"})");
  EXPECT_EQ(got[1].line, "oops");
  EXPECT_EQ(got[1].labels, R"({container="app", namespace="prod", node="node-1", pod="api-7f9c", stream="stderr"})");
  EXPECT_TRUE(MetricIs("vigil_agent_logs_lines_total", 2));
  EXPECT_TRUE(MetricIs("vigil_agent_logs_files_followed", 1));
  EXPECT_TRUE(Drain(t.get()).empty());
}

TEST_F(TailerTest, JoinsPartialCriRecordsAcrossReads) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  auto t = NewTailer();
  Append(w.get(), Cri("hel", "stdout", 'P'));
  EXPECT_TRUE(Drain(t.get()).empty());  // a P record waits for its F
  Append(w.get(), absl::StrCat(kTs, " stdout P lo"));
  EXPECT_TRUE(Drain(t.get()).empty());  // a line without its newline waits
  Append(w.get(), std::string("\n") + Cri(" world") + absl::StrCat(kTs, " stdout F next"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("hello world"));
  Append(w.get(), "\n");
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("next"));
}

TEST_F(TailerTest, SplitsLongLines) {
  options_.max_line_bytes = 100;
  auto w = Open(JoinPath(log_dir_, "0.log"));
  auto t = NewTailer();
  Append(w.get(), Cri(std::string(250, 'a')));
  std::vector<Got> got = Drain(t.get());
  EXPECT_THAT(Lines(got), ElementsAre(std::string(100, 'a'), std::string(100, 'a'), std::string(50, 'a')));
  EXPECT_TRUE(MetricIs("vigil_agent_logs_lines_split_total", 1));
  // A line longer than the read window is emitted before its newline, and continues after it.
  Append(w.get(), absl::StrCat(kTs, " stderr F ", std::string(20000, 'b')));
  got = Drain(t.get());
  ASSERT_FALSE(got.empty());
  size_t total = 0;
  for (const Got& g : got) {
    EXPECT_LE(g.line.size(), 100u);
    EXPECT_EQ(g.ts, kTsNs);
    total += g.line.size();
  }
  Append(w.get(), "bb\n" + Cri("after"));
  got = Drain(t.get());
  ASSERT_GE(got.size(), 2u);
  for (size_t i = 0; i + 1 < got.size(); ++i) total += got[i].line.size();
  EXPECT_EQ(total, 20002u);
  EXPECT_EQ(got.back().line, "after");
}

TEST_F(TailerTest, RotationByRenameMidWrite) {
  const std::string path = JoinPath(log_dir_, "0.log");
  auto w = Open(path);
  auto t = NewTailer();
  Append(w.get(), Cri("line1") + absl::StrCat(kTs, " stdout F li"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("line1"));
  // The runtime renames the file, finishes its write on the old inode, then opens a new file.
  ASSERT_TRUE(fs_->Rename(path, path + ".20261122-100000").ok());
  Append(w.get(), "ne2\n");
  auto w2 = Open(path);
  Append(w2.get(), Cri("line3"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("line2", "line3"));
  EXPECT_TRUE(MetricIs("vigil_agent_logs_rotations_total{kind=\"rename\"}", 1));
  EXPECT_EQ(t->files_followed(), 2u);
  // Late writes to the old inode within the grace period are still read; then it is closed.
  Append(w.get(), Cri("late"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("late"));
  clock_.Advance(absl::Seconds(6));
  Drain(t.get());
  EXPECT_EQ(t->files_followed(), 1u);
  Append(w2.get(), Cri("line4"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("line4"));
}

TEST_F(TailerTest, CopyTruncateRestartsFromZero) {
  const std::string path = JoinPath(log_dir_, "0.log");
  auto w = Open(path);
  auto t = NewTailer();
  Append(w.get(), Cri("one") + Cri("two") + Cri("three"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("one", "two", "three"));
  ASSERT_TRUE(fs_->Truncate(path, 0).ok());
  auto w2 = Open(path);
  Append(w2.get(), Cri("four"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("four"));
  EXPECT_TRUE(MetricIs("vigil_agent_logs_rotations_total{kind=\"truncate\"}", 1));
}

TEST_F(TailerTest, NewAndDeletedFiles) {
  const std::string a = JoinPath(log_dir_, "0.log");
  auto wa = Open(a);
  Append(wa.get(), Cri("from a"));
  auto t = NewTailer();
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("from a"));
  const std::string b_dir = JoinPath(pods_, "dev_web-1_0b1c2d3e-aaaa-bbbb-cccc-000000000002/nginx");
  ASSERT_TRUE(fs_->CreateDirs(b_dir).ok());
  auto wb = Open(JoinPath(b_dir, "0.log"));
  Append(wb.get(), Cri("from b"));
  std::vector<Got> got = Drain(t.get());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "from b");
  EXPECT_NE(got[0].labels.find(R"(namespace="dev")"), std::string::npos);
  EXPECT_EQ(t->files_followed(), 2u);
  ASSERT_TRUE(fs_->Remove(a).ok());
  Append(wa.get(), Cri("written after unlink"));
  EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("written after unlink"));
  clock_.Advance(absl::Seconds(6));
  Drain(t.get());
  EXPECT_EQ(t->files_followed(), 1u);
}

TEST_F(TailerTest, RestartBetweenReadAndAckNeitherLosesNorRepeats) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  Append(w.get(), Cri("1") + Cri("2"));
  {
    auto t = NewTailer();
    EXPECT_THAT(Lines(Drain(t.get(), /*ack=*/true)), ElementsAre("1", "2"));
    Append(w.get(), Cri("3") + Cri("4"));
    EXPECT_THAT(Lines(Drain(t.get(), /*ack=*/false)), ElementsAre("3", "4"));  // read, never acknowledged
  }
  {
    auto t = NewTailer();
    std::vector<uint64_t> tokens;
    EXPECT_THAT(Lines(Drain(t.get(), /*ack=*/false, &tokens)), ElementsAre("3", "4"));
    Append(w.get(), Cri("5"));
    EXPECT_THAT(Lines(Drain(t.get(), /*ack=*/false, &tokens)), ElementsAre("5"));
    // Acks out of order: the offset only moves past what is acknowledged in file order.
    ASSERT_EQ(tokens.size(), 2u);
    ASSERT_TRUE(t->Ack(tokens[1]).ok());
  }
  {
    auto t = NewTailer();
    EXPECT_THAT(Lines(Drain(t.get())), ElementsAre("3", "4", "5"));
  }
  {
    auto t = NewTailer();
    EXPECT_TRUE(Drain(t.get()).empty());
  }
}

TEST_F(TailerTest, ReusedInodeWithOtherContentStartsOver) {
  const std::string path = JoinPath(log_dir_, "0.log");
  {
    auto w = Open(path);
    Append(w.get(), Cri(std::string(2000, 'x')));
    auto t = NewTailer();
    EXPECT_EQ(Drain(t.get()).size(), 1u);
  }
  // Same path rewritten in place (same inode) with other first bytes: the fingerprint no longer matches.
  ASSERT_TRUE(fs_->Truncate(path, 0).ok());
  auto w = Open(path);
  Append(w.get(), Cri(std::string(1500, 'y')) + Cri(std::string(1500, 'z')));
  auto t = NewTailer();
  std::vector<Got> got = Drain(t.get());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, std::string(1500, 'y'));
}

TEST_F(TailerTest, KeepsInvalidUtf8AndMalformedLines) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  Append(w.get(), Cri("bad \xff\xfe bytes") + "not a cri line\n" + Cri("ok"));
  auto t = NewTailer();
  std::vector<Got> got = Drain(t.get());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].line, "bad \xff\xfe bytes");
  EXPECT_EQ(got[1].line, "ok");
  // Malformed lines form their own stream (no stream label), stamped with the read time.
  EXPECT_EQ(got[2].line, "not a cri line");
  EXPECT_EQ(got[2].ts, absl::ToUnixNanos(clock_.Now()));
  EXPECT_EQ(got[2].labels, R"({container="app", namespace="prod", node="node-1", pod="api-7f9c"})");
  EXPECT_TRUE(MetricIs("vigil_agent_logs_malformed_lines_total", 1));
}

TEST_F(TailerTest, DockerJsonFilesWithContainerName) {
  const std::string id = "3f4e5d6c7b8a90123456789abcdef0123456789abcdef0123456789abcdef0123";
  const std::string dir = JoinPath(root_, "docker/containers/" + id);
  ASSERT_TRUE(fs_->CreateDirs(dir).ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(JoinPath(dir, "config.v2.json"),
                                   R"({"ID":")" + id + R"(","Name":"/web","Config":{"Image":"nginx","Labels":{}}})",
                                   false)
                  .ok());
  auto w = Open(JoinPath(dir, id + "-json.log"));
  Append(w.get(), R"({"log":"part one ","stream":"stdout","time":"2016-10-20T18:39:20.57606443Z"})"
                  "\n"
                  R"({"log":"and two\n","stream":"stdout","time":"2016-10-20T18:39:20.6Z"})"
                  "\n"
                  R"({"log":"err\n","stream":"stderr","time":"2016-10-20T18:39:21Z"})"
                  "\n");
  auto t = NewTailer();
  std::vector<Got> got = Drain(t.get());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "part one and two");
  EXPECT_EQ(got[0].ts, 1476988760576064430);
  EXPECT_EQ(got[0].labels, R"({container="web", node="node-1", stream="stdout"})");
  EXPECT_EQ(got[1].line, "err");
}

TEST_F(TailerTest, BackpressureStopsReadingUntilAck) {
  options_.max_line_bytes = 100;
  options_.poll_bytes = 1;           // raised to the minimum window
  options_.max_in_flight_bytes = 1;  // raised to one window
  auto w = Open(JoinPath(log_dir_, "0.log"));
  std::string text;
  for (int i = 0; i < 400; ++i) text += Cri(absl::StrCat("line ", i));
  Append(w.get(), text);
  auto t = NewTailer();
  LogBatch first = t->Poll();
  ASSERT_FALSE(first.empty());
  EXPECT_LT(first.bytes_read, text.size());
  EXPECT_TRUE(t->Poll().empty());  // the window is in flight
  EXPECT_EQ(t->in_flight_bytes(), first.bytes_read);
  ASSERT_TRUE(t->Ack(first.token).ok());
  std::vector<Got> rest = Drain(t.get());
  EXPECT_EQ(first.entries + rest.size(), 400u);
  EXPECT_EQ(rest.back().line, "line 399");
}

TEST_F(TailerTest, BatchEncodesToValidPush) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  Append(w.get(), Cri("a") + Cri("b", "stderr") + Cri("c"));
  auto t = NewTailer();
  LogBatch b = t->Poll();
  ASSERT_FALSE(b.empty());
  std::string body;
  EncodePushRequestSnappy(b.PushStreams(), &body);
  absl::StatusOr<wire::loki::DecodedPush> push = wire::loki::DecodeProtobufPush(body, 1 << 20);
  ASSERT_TRUE(push.ok()) << push.status();
  ASSERT_EQ(push->streams.size(), 2u);
  EXPECT_EQ(push->entries, 3u);
  for (const wire::loki::PushStream& s : push->streams) EXPECT_TRUE(wire::loki::ValidateStreamLabels(s.labels).ok());
  EXPECT_EQ(push->streams[0].labels.Get("stream"), "stdout");
  EXPECT_EQ(push->streams[0].entries[1].line, "c");
}

TEST_F(TailerTest, LoopRunsOnceAndStops) {
  auto w = Open(JoinPath(log_dir_, "0.log"));
  Append(w.get(), Cri("x"));
  auto t = NewTailer();
  std::vector<uint64_t> tokens;
  TailerLoop loop(t.get(), &clock_, absl::Seconds(1), [&](LogBatch b) { tokens.push_back(b.token); });
  EXPECT_TRUE(loop.RunOnce());
  EXPECT_FALSE(loop.RunOnce());
  EXPECT_EQ(tokens.size(), 1u);
  loop.Start();
  clock_.AwaitSleepers(1);
  loop.Stop();
  EXPECT_EQ(tokens.size(), 1u);
}

}  // namespace
}  // namespace vigil::agent::logs
