#include "tools/vigilctl/analyze.h"

#include <filesystem>

#include "base/clock/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/db/db.h"

namespace vigil::vigilctl {
namespace {

TEST(AnalyzeTest, CountsPartitionsWalSeriesAndTopMetrics) {
  std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/analyze";
  std::filesystem::remove_all(dir);
  FakeClock clock(absl::FromUnixSeconds(100000));
  {
    tsdb::DbOptions options;
    options.dir = dir;
    options.retention = absl::ZeroDuration();
    {
      auto db = tsdb::Db::Open(options, &clock, nullptr);
      ASSERT_TRUE(db.ok()) << db.status();
      auto app = (*db)->NewAppender();
      for (int i = 0; i < 3; ++i) {
        for (int t = 0; t < 10; ++t) {
          ASSERT_TRUE(app->Append(0, Labels{{"__name__", "cpu"}, {"i", std::to_string(i)}}, 1000 * t, t).ok());
        }
      }
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "up"}}, 0, 1).ok());
      ASSERT_TRUE(app->Commit().ok());
      ASSERT_TRUE((*db)->Close().ok());  // everything to partitions
    }
    // More samples that stay in the WAL: a second store session left without a flush.
    auto db2 = tsdb::Db::Open(options, &clock, nullptr);
    ASSERT_TRUE(db2.ok()) << db2.status();
    auto app2 = (*db2)->NewAppender();
    ASSERT_TRUE(app2->Append(0, Labels{{"__name__", "mem"}}, 20000, 1).ok());
    ASSERT_TRUE(app2->Commit().ok());
    std::filesystem::copy(dir, dir + "_copy", std::filesystem::copy_options::recursive);
  }
  absl::StatusOr<TsdbAnalysis> a = AnalyzeTsdb(dir + "_copy", 2);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->partitions, 1u);
  EXPECT_EQ(a->partition_samples, 31u);
  EXPECT_EQ(a->wal_samples, 1u);
  EXPECT_EQ(a->series, 5u);
  EXPECT_EQ(a->samples, 32u);
  ASSERT_EQ(a->top_metrics.size(), 2u);
  EXPECT_EQ(a->top_metrics[0], (std::pair<std::string, uint64_t>{"cpu", 3}));
  EXPECT_GT(a->bytes_per_sample, 0);
  EXPECT_THAT(FormatAnalysis(*a), ::testing::HasSubstr("top metrics by series:"));
  EXPECT_FALSE(AnalyzeTsdb(dir + "_missing", 2).ok());
}

}  // namespace
}  // namespace vigil::vigilctl
