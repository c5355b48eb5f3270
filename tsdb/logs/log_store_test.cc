#include "tsdb/logs/log_store.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/metrics/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/kv/memory_kv_store.h"
#include "tsdb/logs/log_generator.h"

namespace vigil::tsdb::logs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr TimestampNs kSecond = 1'000'000'000;
const TimestampNs kT0 = absl::ToUnixNanos(absl::FromUnixSeconds(1700000000));

Matcher Eq(std::string name, std::string value) { return *Matcher::Create(MatchType::kEqual, name, value); }
Matcher Re(std::string name, std::string value) { return *Matcher::Create(MatchType::kRegexMatch, name, value); }

LogEntry E(TimestampNs t, std::string line) { return LogEntry{t, std::move(line), {}}; }

std::vector<std::string> Lines(const StreamEntries& s) {
  std::vector<std::string> out;
  for (const LogEntry& e : s.entries) out.push_back(e.line);
  return out;
}

class LogStoreTest : public ::testing::Test {
 protected:
  LogStoreTest() : kv_(std::make_shared<kv::MemoryKvStore>()) {
    options_.retention = absl::Hours(24);
    options_.partition_duration = absl::Hours(1);
  }

  void Open() {
    absl::StatusOr<std::unique_ptr<LogStore>> s = LogStore::Open(kv_, options_, &clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  // Simulates kill -9 and reopens on what the kv store holds.
  void CrashAndReopen() {
    store_->AbandonForTesting();
    store_.reset();
    Open();
  }

  // Appends and commits; returns the rejection summary ("" if none).
  std::string Push(const Labels& labels, std::vector<LogEntry> entries) {
    std::unique_ptr<LogAppender> app = store_->NewAppender();
    absl::Status s = app->Append(labels, std::move(entries));
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_TRUE(app->Commit().ok());
    return app->rejections().total() == 0 ? "" : app->rejections().Summary();
  }

  std::vector<StreamEntries> Select(std::vector<Matcher> m, TimestampNs start, TimestampNs end, Direction d,
                                    size_t limit) {
    absl::StatusOr<std::vector<StreamEntries>> r = store_->Select({std::move(m), start, end, d, limit});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<StreamEntries>{};
  }

  std::shared_ptr<kv::MemoryKvStore> kv_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  LogStoreOptions options_;
  std::unique_ptr<LogStore> store_;
};

const Labels kApi = {{"app", "api"}, {"namespace", "prod"}};
const Labels kWeb = {{"app", "web"}, {"namespace", "prod"}};
const Labels kDev = {{"app", "api"}, {"namespace", "dev"}};

TEST_F(LogStoreTest, SelectBothDirectionsWithLimitAcrossStreams) {
  Open();
  EXPECT_EQ(Push(kApi, {E(kT0 + 1, "a1"), E(kT0 + 3, "a3"), E(kT0 + 5, "a5")}), "");
  EXPECT_EQ(Push(kWeb, {E(kT0 + 2, "w2"), E(kT0 + 4, "w4"), E(kT0 + 6, "w6")}), "");

  std::vector<StreamEntries> r = Select({Eq("namespace", "prod")}, kT0, kT0 + 10, Direction::kBackward, 3);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].labels, kApi);
  EXPECT_THAT(Lines(r[0]), ElementsAre("a5"));
  EXPECT_THAT(Lines(r[1]), ElementsAre("w6", "w4"));

  r = Select({Eq("namespace", "prod")}, kT0, kT0 + 10, Direction::kForward, 3);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("a1", "a3"));
  EXPECT_THAT(Lines(r[1]), ElementsAre("w2"));

  // start inclusive, end exclusive; no limit.
  r = Select({Eq("app", "api")}, kT0 + 3, kT0 + 5, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("a3"));
  EXPECT_TRUE(Select({Eq("app", "none")}, kT0, kT0 + 10, Direction::kForward, 0).empty());
}

TEST_F(LogStoreTest, SameResultsFromHeadAndFromChunks) {
  options_.chunk_target_bytes = 200;  // cut often
  Open();
  LogGenerator gen(LogKind::kJsonApp, 3);  // some entries carry structured metadata
  std::vector<LogEntry> all;
  for (int i = 0; i < 300; ++i) {
    std::vector<LogEntry> batch = {gen.Entry(kT0 + i * kSecond)};
    all.push_back(batch[0]);
    EXPECT_EQ(Push(kApi, batch), "");
  }
  LogStoreStats st = store_->GetStoreStats();
  EXPECT_GT(st.chunks, 10u);
  EXPECT_LT(st.head_entries, 300u);
  std::vector<StreamEntries> r = Select({Eq("app", "api")}, kT0, kT0 + 1000 * kSecond, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].entries, all);
  r = Select({Eq("app", "api")}, kT0, kT0 + 1000 * kSecond, Direction::kBackward, 10);
  ASSERT_EQ(r[0].entries.size(), 10u);
  EXPECT_EQ(r[0].entries[0], all.back());
  EXPECT_EQ(r[0].entries[9], all[290]);
}

TEST_F(LogStoreTest, MatchersLabelsSeriesAndStats) {
  Open();
  Push(kApi, {E(kT0 + 1, "x"), E(kT0 + 2, "yy")});
  Push(kWeb, {E(kT0 + 3, "zzz")});
  Push(kDev, {E(kT0 + 100 * kSecond, "dev")});

  absl::StatusOr<std::vector<Labels>> series = store_->Series(std::vector<Matcher>{Re("app", "a.*")}, kT0, kT0 + 10);
  ASSERT_TRUE(series.ok());
  EXPECT_THAT(*series, ElementsAre(kApi));  // kDev is outside the range

  std::vector<Matcher> none;
  EXPECT_THAT(*store_->LabelNames(none, kT0, kT0 + 200 * kSecond), ElementsAre("app", "namespace"));
  EXPECT_THAT(*store_->LabelValues("namespace", none, kT0, kT0 + 200 * kSecond), ElementsAre("dev", "prod"));
  EXPECT_THAT(*store_->LabelValues("app", std::vector<Matcher>{Eq("namespace", "prod")}, kT0, kT0 + 10),
              ElementsAre("api", "web"));

  std::vector<Matcher> prod = {Eq("namespace", "prod")};
  EXPECT_EQ(*store_->Stats(prod, kT0, kT0 + 10), (LogStats{2, 2, 3, 6}));
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(*store_->Stats(prod, kT0, kT0 + 10), (LogStats{2, 2, 3, 6}));
  EXPECT_EQ(*store_->Stats(prod, kT0 + 50, kT0 + 60), (LogStats{}));
}

TEST_F(LogStoreTest, PersistsAcrossCleanReopen) {
  Open();
  Push(kApi, {E(kT0 + 1, "one"), E(kT0 + 2, "two")});
  store_.reset();  // Close flushes the head
  Open();
  EXPECT_EQ(store_->GetStoreStats().head_entries, 0u);
  std::vector<StreamEntries> r = Select({Eq("app", "api")}, kT0, kT0 + 10, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("one", "two"));
  // A stream keeps its id: new entries join it.
  Push(kApi, {E(kT0 + 3, "three")});
  r = Select({}, kT0, kT0 + 10, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("one", "two", "three"));
}

TEST_F(LogStoreTest, CrashLosesNothingAcknowledgedAndDuplicatesNothing) {
  options_.chunk_target_bytes = 64;
  Open();
  std::vector<std::string> want;
  for (int i = 0; i < 50; ++i) {
    want.push_back("line " + std::to_string(i) + " with some padding to reach the target");
    Push(i % 2 ? kApi : kWeb, {E(kT0 + i, want.back())});
  }
  Push(kDev, {E(kT0 + 60, "head only")});  // small: stays in the head, only in the WAL
  CrashAndReopen();
  EXPECT_GT(store_->GetStoreStats().wal_entries_replayed, 0u);
  std::vector<std::string> got;
  for (const StreamEntries& s : Select({Eq("namespace", "prod")}, kT0, kT0 + 100, Direction::kForward, 0)) {
    for (const std::string& l : Lines(s)) got.push_back(l);
  }
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  std::vector<StreamEntries> dev = Select({Eq("namespace", "dev")}, kT0, kT0 + 100, Direction::kForward, 0);
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_THAT(Lines(dev[0]), ElementsAre("head only"));
  // A second crash right after replay changes nothing either.
  CrashAndReopen();
  EXPECT_EQ(Select({}, kT0, kT0 + 100, Direction::kForward, 0).size(), 3u);
}

TEST_F(LogStoreTest, OutOfOrderWithinTheWindowIsAcceptedOlderRefused) {
  options_.out_of_order_window = absl::Minutes(30);
  Open();
  EXPECT_EQ(Push(kApi, {E(kT0, "newest")}), "");
  EXPECT_EQ(Push(kApi, {E(kT0 - 29 * 60 * kSecond, "late but ok")}), "");
  std::string refused = Push(kApi, {E(kT0 - 31 * 60 * kSecond, "too late"), E(kT0 - 1, "fine")});
  EXPECT_THAT(refused, HasSubstr("1 entries refused: 1 out_of_order"));
  EXPECT_THAT(refused, HasSubstr("too far behind"));
  std::vector<StreamEntries> r = Select({}, kT0 - 3600 * kSecond, kT0 + 1, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("late but ok", "fine", "newest"));
  // The window also holds after the head is cut to disk.
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_THAT(Push(kApi, {E(kT0 - 31 * 60 * kSecond, "too late")}), HasSubstr("out_of_order"));
  // A new stream takes anything within the retention.
  EXPECT_EQ(Push(kWeb, {E(kT0 - 20 * 3600 * kSecond, "old but new stream")}), "");
}

TEST_F(LogStoreTest, EqualTimestampsKeepAppendOrder) {
  Open();
  Push(kApi, {E(kT0, "first"), E(kT0, "second")});
  Push(kApi, {E(kT0, "third")});
  ASSERT_TRUE(store_->Flush().ok());
  Push(kApi, {E(kT0, "fourth")});
  std::vector<StreamEntries> r = Select({}, kT0, kT0 + 1, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("first", "second", "third", "fourth"));
  r = Select({}, kT0, kT0 + 1, Direction::kBackward, 0);
  EXPECT_THAT(Lines(r[0]), ElementsAre("fourth", "third", "second", "first"));
}

TEST_F(LogStoreTest, RefusesBadStreamsAndEntries) {
  options_.max_line_bytes = 10;
  options_.max_labels_per_stream = 2;
  Open();
  std::unique_ptr<LogAppender> app = store_->NewAppender();
  EXPECT_THAT(app->Append(Labels{}, {E(kT0, "x")}).message(), HasSubstr("at least one label"));
  EXPECT_THAT(app->Append(Labels{{"a-b", "x"}}, {E(kT0, "x")}).message(), HasSubstr("invalid label name"));
  EXPECT_THAT(app->Append(Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}}, {E(kT0, "x")}).message(),
              HasSubstr("more than the limit of 2"));
  ASSERT_TRUE(app->Append(kApi, {E(kT0, "this line is too long"), E(kT0 - 25 * 3600 * kSecond, "old"),
                                 E(kT0 + 3600 * kSecond, "future"), E(kT0, "ok")})
                  .ok());
  EXPECT_EQ(app->rejections().count(EntryRejectReason::kLineTooLong), 1u);
  EXPECT_EQ(app->rejections().count(EntryRejectReason::kTooOld), 1u);
  EXPECT_EQ(app->rejections().count(EntryRejectReason::kTooNew), 1u);
  ASSERT_TRUE(app->Commit().ok());
  std::vector<StreamEntries> r = Select({}, kT0 - 30 * 3600 * kSecond, kT0 + 7200 * kSecond, Direction::kForward, 0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(Lines(r[0]), ElementsAre("ok"));
}

TEST_F(LogStoreTest, RetentionDropsOldPartitionsAndStreams) {
  Open();
  Push(kWeb, {E(kT0 - 20 * 3600 * kSecond, "old")});
  Push(kApi, {E(kT0, "recent")});
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(store_->GetStoreStats().partitions, 2u);
  clock_.Advance(absl::Hours(5));  // "old" is now 25h old, past the 24h retention
  ASSERT_TRUE(store_->Maintain().ok());
  LogStoreStats st = store_->GetStoreStats();
  EXPECT_EQ(st.partitions, 1u);
  EXPECT_EQ(st.partitions_dropped, 1u);
  EXPECT_EQ(st.streams, 1u);
  std::vector<Matcher> none;
  EXPECT_THAT(*store_->Series(none, kT0 - 30 * 3600 * kSecond, kT0 + kSecond), ElementsAre(kApi));
  EXPECT_EQ(kv_->ListNamespaces().size(), 1u);
  // Still gone after a reopen.
  store_.reset();
  Open();
  EXPECT_THAT(*store_->Series(none, kT0 - 30 * 3600 * kSecond, kT0 + kSecond), ElementsAre(kApi));
}

TEST_F(LogStoreTest, AgedHeadChunksAreCutAndTheWalTrimmed) {
  options_.max_chunk_age = absl::Minutes(10);
  Open();
  Push(kApi, {E(kT0, "a")});
  EXPECT_EQ(store_->GetStoreStats().head_entries, 1u);
  clock_.Advance(absl::Minutes(11));
  ASSERT_TRUE(store_->Maintain().ok());
  EXPECT_EQ(store_->GetStoreStats().head_entries, 0u);
  EXPECT_EQ(store_->GetStoreStats().chunks, 1u);
  // No WAL record is left.
  std::unique_ptr<kv::Iterator> it = kv_->NewIterator(kv_->DefaultNamespace(), {});
  int wal = 0;
  for (it->Seek("W"); it->Valid() && it->key()[0] == 'W'; it->Next()) ++wal;
  EXPECT_EQ(wal, 0);
}

TEST_F(LogStoreTest, HeadMemoryIsBounded) {
  options_.max_head_bytes = 10'000;
  Open();
  LogGenerator gen(LogKind::kNginx, 1);
  std::vector<Labels> streams = GeneratedStreams(20);
  for (int i = 0; i < 500; ++i) Push(streams[i % 20], {gen.Entry(kT0 + i)});
  EXPECT_LE(store_->GetStoreStats().head_bytes, 10'000u);
  EXPECT_GT(store_->GetStoreStats().chunks, 0u);
}

TEST_F(LogStoreTest, ForEachStreamAndMetrics) {
  Open();
  metrics::Registry registry;
  ASSERT_TRUE(store_->RegisterMetrics(&registry).ok());
  Push(kApi, {E(kT0 + 1, "a"), E(kT0 + 2, "b")});
  Push(kWeb, {E(kT0 + 1, "c")});
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->ForEachStream(std::vector<Matcher>{}, kT0, kT0 + 10, Direction::kBackward,
                                  [&](const Labels& l, std::span<const LogEntryRef> entries) {
                                    for (const LogEntryRef& e : entries)
                                      seen.push_back(std::string(l.Get("app")) + ":" + std::string(e.line));
                                    return absl::OkStatus();
                                  })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("api:b", "api:a", "web:c"));
  std::string text;
  registry.RenderText(&text);
  EXPECT_THAT(text, HasSubstr("vigil_logs_streams 2"));
  EXPECT_THAT(text, HasSubstr("vigil_logs_entries_appended_total 3"));
  store_.reset();
  text.clear();
  registry.RenderText(&text);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("vigil_logs_streams")));
}

TEST_F(LogStoreTest, ForEachStreamReadsChunksAndHeadWithoutCopiesAsSelectDoes) {
  options_.max_chunk_age = absl::Minutes(10);
  Open();
  // Several chunks of one stream, entries out of order across and within pushes, metadata on some, then more
  // entries left in the head.
  for (int round = 0; round < 3; ++round) {
    std::vector<LogEntry> entries;
    for (int i = 0; i < 50; ++i) {
      const TimestampNs t = kT0 + (round * 50 + (i * 7) % 50) * kSecond;
      LogEntry e = E(t, absl::StrCat("line ", round, "-", i));
      if (i % 5 == 0) e.structured_metadata = Labels{{"trace_id", absl::StrCat("t", i)}};
      entries.push_back(std::move(e));
    }
    Push(kApi, std::move(entries));
    clock_.Advance(absl::Minutes(11));
    ASSERT_TRUE(store_->Maintain().ok());
  }
  ASSERT_GE(store_->GetStoreStats().chunks, 3u);
  Push(kApi, {E(kT0 + 10 * kSecond, "late head"), E(kT0 + 200 * kSecond, "head")});
  Push(kWeb, {E(kT0 + 30 * kSecond, "web")});
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    const TimestampNs start = kT0 + 5 * kSecond, end = kT0 + 180 * kSecond;
    std::vector<StreamEntries> selected = Select({}, start, end, d, 0);
    std::vector<StreamEntries> scanned;
    ASSERT_TRUE(store_
                    ->ForEachStream(
                        std::vector<Matcher>{}, start, end, d,
                        [&](const Labels& l, std::span<const LogEntryRef> entries) {
                          StreamEntries& s = scanned.emplace_back();
                          s.labels = l;
                          for (const LogEntryRef& e : entries) {
                            s.entries.push_back(LogEntry{e.timestamp_ns, std::string(e.line), e.structured_metadata});
                          }
                          return absl::OkStatus();
                        })
                    .ok());
    ASSERT_EQ(scanned.size(), selected.size());
    for (size_t i = 0; i < selected.size(); ++i) {
      EXPECT_EQ(scanned[i].labels, selected[i].labels);
      ASSERT_EQ(scanned[i].entries.size(), selected[i].entries.size());
      for (size_t j = 0; j < selected[i].entries.size(); ++j) {
        EXPECT_EQ(scanned[i].entries[j].timestamp_ns, selected[i].entries[j].timestamp_ns) << i << " " << j;
        if (j > 0) {
          const bool ordered = d == Direction::kForward
                                   ? scanned[i].entries[j - 1].timestamp_ns <= scanned[i].entries[j].timestamp_ns
                                   : scanned[i].entries[j - 1].timestamp_ns >= scanned[i].entries[j].timestamp_ns;
          EXPECT_TRUE(ordered) << j;
        }
      }
    }
    ASSERT_EQ(scanned.size(), 2u);
    EXPECT_GE(scanned[0].entries.size(), 145u);  // 5 s .. 149 s of the chunked entries, and the head's
  }
}

}  // namespace
}  // namespace vigil::tsdb::logs
