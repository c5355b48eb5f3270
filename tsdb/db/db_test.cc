#include "tsdb/db/db.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::tsdb {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kHour = 3600 * 1000;

std::string NewDir(std::string_view name) {
  static int counter = 0;
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/db_", std::string(name), "_", ++counter);
  std::filesystem::remove_all(dir);
  return dir;
}

DbOptions Options(std::string dir) {
  DbOptions o;
  o.dir = std::move(dir);
  o.retention = absl::ZeroDuration();
  return o;
}

Labels Series(int i) { return Labels{{"__name__", "node_cpu_seconds_total"}, {"cpu", absl::StrCat(i)}}; }

// Appends `n` samples 15 s apart from `start` for series 0..series-1, one commit per timestamp.
void Fill(Db* db, int series, TimestampMs start, int n) {
  for (int k = 0; k < n; ++k) {
    auto app = db->NewAppender();
    for (int i = 0; i < series; ++i) {
      ASSERT_TRUE(app->Append(0, Series(i), start + k * 15000, k * 0.01 + i).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Samples per series over [mint, maxt], and checks there are no duplicate timestamps.
std::vector<size_t> Count(Db* db, TimestampMs mint, TimestampMs maxt) {
  auto q = db->NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok());
  std::vector<Matcher> ms = {*Matcher::Create(MatchType::kEqual, "__name__", "node_cpu_seconds_total")};
  auto set = (*q)->Select(true, nullptr, ms);
  std::vector<size_t> out;
  while (set->Next()) {
    auto it = set->At()->Iterator();
    size_t n = 0;
    TimestampMs last = kMinTimestampMs;
    while (it->Next()) {
      EXPECT_GT(it->At().t, last);
      last = it->At().t;
      ++n;
    }
    EXPECT_TRUE(it->Err().ok()) << it->Err();
    out.push_back(n);
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  return out;
}

TEST(DbTest, AcknowledgedSamplesSurviveACrash) {
  std::string dir = NewDir("crash");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  {
    auto db = Db::Open(Options(dir), &clock, nullptr);
    ASSERT_TRUE(db.ok()) << db.status();
    Fill(db->get(), 3, 9 * kHour, 100);
    // A crash: copy the directory as the OS holds it, while the Db is still open (nothing flushed).
    std::filesystem::copy(dir, dir + "_crashed", std::filesystem::copy_options::recursive);
  }
  auto db = Db::Open(Options(dir + "_crashed"), &clock, nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->open_report().wal_samples, 300u);
  EXPECT_EQ(Count(db->get(), 0, 20 * kHour), (std::vector<size_t>{100, 100, 100}));
}

TEST(DbTest, MaintainPersistsOldRangesAndQueriesSpanBoth) {
  std::string dir = NewDir("persist");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  auto db = Db::Open(Options(dir), &clock, nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  Fill(db->get(), 4, 4 * kHour, 4 * 240);  // four hours
  ASSERT_TRUE((*db)->Maintain().ok());
  EXPECT_GE((*db)->partitions().Partitions().size(), 1u);
  EXPECT_GE((*db)->head().MinValidTime(), 6 * kHour);
  EXPECT_EQ(Count(db->get(), 0, 20 * kHour), (std::vector<size_t>(4, 960)));
  // A sample in a persisted range is refused now.
  auto app = (*db)->NewAppender();
  auto late = app->Append(0, Series(0), 4 * kHour + 7, 1);
  EXPECT_EQ(GetRejectReason(late.status()), RejectReason::kOutOfBounds);
}

// As Prometheus' appender asks for a head compaction, a commit that leaves the head spanning more than 1.5 chunk
// ranges asks for a maintenance round; AwaitMaintenance then returns without waiting and clears the request.
TEST(DbTest, CommitRequestsMaintenanceOnceTheHeadIsReadyToPersist) {
  std::string dir = NewDir("trigger");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  auto db = Db::Open(Options(dir), &clock, nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  Fill(db->get(), 2, 4 * kHour, 3 * 240);  // 3h minus 15s: under 1.5 ranges of 2h
  EXPECT_FALSE((*db)->MaintenanceRequested());
  Fill(db->get(), 2, 7 * kHour, 2);  // now 3h apart
  EXPECT_TRUE((*db)->MaintenanceRequested());
  (*db)->AwaitMaintenance(absl::InfiniteDuration());  // Returns at once: requested.
  EXPECT_FALSE((*db)->MaintenanceRequested());
  ASSERT_TRUE((*db)->Maintain().ok());
  EXPECT_GE((*db)->head().MinValidTime(), 6 * kHour);
  Fill(db->get(), 2, 7 * kHour + 30000, 2);  // Persisted: no longer due.
  EXPECT_FALSE((*db)->MaintenanceRequested());
  (*db)->AwaitMaintenance(absl::ZeroDuration());
}

// A head holding many ranges (a backfill, or a restart after a long stop) is persisted in the widest
// compaction windows that lie whole in it, not range by range to be merged again by compaction.
TEST(DbTest, PersistingALongHeadWritesWholeCompactionWindows) {
  std::string dir = NewDir("windows");
  FakeClock clock(absl::FromUnixMillis(40 * kHour));
  auto db = Db::Open(Options(dir), &clock, nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  Fill(db->get(), 3, 1 * kHour, 30 * 240);  // 1h .. 31h
  ASSERT_TRUE((*db)->Maintain().ok());
  // The cut is at 28h. Written: 1h..2h, 2h..4h and 4h..6h by chunk range (the 6h window [0, 6h) starts before
  // the head), 6h..12h, 12h..18h and 18h..24h as whole 6h windows, 24h..26h and 26h..28h by chunk range (their
  // 6h window ends after the cut). Compaction then has two merges left: the 6h window [0, 6h), then the closed
  // 18h window [0, 18h).
  std::vector<std::pair<TimestampMs, TimestampMs>> ranges;
  for (const auto& p : (*db)->partitions().Partitions()) ranges.emplace_back(p.range.min_time, p.range.max_time);
  const std::vector<std::pair<TimestampMs, TimestampMs>> want = {
      {0, 18 * kHour - 1}, {18 * kHour, 24 * kHour - 1}, {24 * kHour, 26 * kHour - 1}, {26 * kHour, 28 * kHour - 1}};
  EXPECT_EQ(ranges, want);
  EXPECT_EQ((*db)->partitions().Stats().compactions, 2u);  // Range by range it was 5: four 6h windows, then 18h.
  EXPECT_EQ(Count(db->get(), 0, 40 * kHour), (std::vector<size_t>(3, 30 * 240)));
}

TEST(DbTest, CloseFlushesHeadAndReopenReadsPartitions) {
  std::string dir = NewDir("close");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  {
    auto db = Db::Open(Options(dir), &clock, nullptr);
    ASSERT_TRUE(db.ok());
    Fill(db->get(), 2, 9 * kHour, 50);
    ASSERT_TRUE((*db)->Close().ok());
    EXPECT_LT((*db)->WalBytes(), 4096u);
  }
  auto db = Db::Open(Options(dir), &clock, nullptr);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->open_report().wal_samples, 0u);
  EXPECT_EQ(Count(db->get(), 0, 20 * kHour), (std::vector<size_t>{50, 50}));
  // Appending continues after a restart.
  Fill(db->get(), 2, 9 * kHour + 50 * 15000, 10);
  EXPECT_EQ(Count(db->get(), 0, 20 * kHour), (std::vector<size_t>{60, 60}));
}

TEST(DbTest, RetentionRefusesOldSamplesAndDropsOldPartitions) {
  std::string dir = NewDir("retention");
  FakeClock clock(absl::FromUnixMillis(100 * kHour));
  DbOptions options = Options(dir);
  options.retention = absl::Hours(10);
  auto db = Db::Open(options, &clock, nullptr);
  ASSERT_TRUE(db.ok());
  auto app = (*db)->NewAppender();
  auto old = app->Append(0, Series(0), 80 * kHour, 1);
  EXPECT_EQ(GetRejectReason(old.status()), RejectReason::kTooOld);
  EXPECT_THAT(std::string(old.status().message()), HasSubstr("older than the retention"));

  Fill(db->get(), 1, 92 * kHour, 4 * 240);  // 92h..96h
  ASSERT_TRUE((*db)->Maintain().ok());
  ASSERT_FALSE((*db)->partitions().Partitions().empty());
  clock.Advance(absl::Hours(12));  // now 112h: everything persisted before 96h is out of retention
  ASSERT_TRUE((*db)->Maintain().ok());
  EXPECT_TRUE((*db)->partitions().Partitions().empty());
}

TEST(DbTest, SecondOpenOfALockedDirectoryFailsCleanly) {
  std::string dir = NewDir("locked");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  auto first = Db::Open(Options(dir), &clock, nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Db::Open(Options(dir), &clock, nullptr);
  EXPECT_FALSE(second.ok());
}

TEST(DbTest, ExportsHeadSeriesUnderPrometheusName) {
  std::string dir = NewDir("metrics");
  FakeClock clock(absl::FromUnixMillis(10 * kHour));
  metrics::Registry registry;
  auto db = Db::Open(Options(dir), &clock, &registry);
  ASSERT_TRUE(db.ok()) << db.status();
  Fill(db->get(), 3, 9 * kHour, 2);
  std::string text = registry.RenderText();
  EXPECT_THAT(text, HasSubstr("prometheus_tsdb_head_series 3"));
  EXPECT_THAT(text, HasSubstr("vigil_tsdb_head_memory_bytes_per_series"));
}

}  // namespace
}  // namespace vigil::tsdb
