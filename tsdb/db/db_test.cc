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
