// No loss through a store outage: vigil-agent ships every 1 s cycle to a real vigil-store by remote_write; the
// store is stopped for 60 s and started again on the same data. Afterwards the store must hold every cycle the
// agent ran up to the end, each exactly once and complete: for every cycle's timestamp, as many samples as the
// cycle had (the agent says how many in vigil_agent_snapshot_samples, and numbers its cycles in
// vigil_agent_cycles_total, so a missing or repeated cycle shows).
#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"
#include "tsdb/db/db.h"

namespace vigil {
namespace {

constexpr absl::Duration kOutage = absl::Seconds(60);

// The value of the first sample line of `page` whose series starts with `prefix`, or -1.
double PageValue(const std::string& page, absl::string_view prefix) {
  for (absl::string_view line : absl::StrSplit(page, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, prefix)) continue;
    const size_t space = line.rfind(' ');
    double v = 0;
    if (space != absl::string_view::npos && absl::SimpleAtod(line.substr(space + 1), &v)) return v;
  }
  return -1;
}

absl::StatusOr<std::string> AgentPage(int port) {
  http::HttplibClient client;
  absl::StatusOr<http::ClientResponse> r = client.Get(testing::LocalUrl(port, "/metrics"), {}, absl::Seconds(10));
  if (!r.ok()) return r.status();
  if (r->status != 200) return absl::InternalError(absl::StrCat("agent /metrics: ", r->status));
  return r->body;
}

struct StoreContents {
  std::map<std::string, std::vector<Sample>> by_series;  // selected series
  std::map<TimestampMs, int64_t> samples_at;             // every series
};

absl::StatusOr<StoreContents> ReadStore(const std::string& dir) {
  tsdb::DbOptions options;
  options.dir = dir;
  options.retention = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<tsdb::Db>> db = tsdb::Db::Open(options, RealClock(), nullptr);
  if (!db.ok()) return db.status();
  auto q = (*db)->NewQuerier(0, std::numeric_limits<int64_t>::max());
  if (!q.ok()) return q.status();
  std::vector<Matcher> ms = {*Matcher::Create(MatchType::kRegexMatch, "__name__", ".+")};
  auto set = (*q)->Select(true, nullptr, ms);
  StoreContents out;
  while (set->Next()) {
    const Labels& labels = set->At()->labels();
    const bool keep =
        labels.MetricName() == "vigil_agent_cycles_total" || labels.MetricName() == "vigil_agent_snapshot_samples";
    auto it = set->At()->Iterator();
    while (it->Next()) {
      ++out.samples_at[it->At().t];
      if (keep) out.by_series[labels.ToString()].push_back(it->At());
    }
    if (!it->Err().ok()) return it->Err();
  }
  if (!set->Err().ok()) return set->Err();
  return out;
}

TEST(AgentNoLossTest, EveryCycleOnceThroughAStoreOutage) {
  const std::string tmp = testing::TestTmpDir();
  const int store_port = *testing::FreePort(), agent_port = *testing::FreePort();
  auto store = testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store1.log", {"--log.level=warn"});
  ASSERT_TRUE(store.ok()) << store.status();

  auto agent = testing::StartReady(
      {"agent/vigil-agent", absl::StrCat("--web.listen-address=127.0.0.1:", agent_port), "--collection.interval=1s",
       absl::StrCat("--remote-write.url=", testing::LocalUrl(store_port, "/api/v1/write")),
       "--queue.dir=" + tmp + "/queue", "--external-label=node=test-node,cluster=c1", "--log.level=warn"},
      tmp + "/agent.log", agent_port, absl::Seconds(30));
  ASSERT_TRUE(agent.ok()) << agent.status();

  absl::SleepFor(absl::Seconds(10));
  absl::StatusOr<int> exit1 = store->Stop(SIGTERM, absl::Seconds(60));
  ASSERT_TRUE(exit1.ok());
  ASSERT_TRUE(WIFEXITED(*exit1) && WEXITSTATUS(*exit1) == 0) << store->Output();

  absl::SleepFor(kOutage);
  absl::StatusOr<std::string> during = AgentPage(agent_port);
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_GT(PageValue(*during, "vigil_agent_remote_write_samples_pending{"), 0)
      << "the outage should have left samples queued";

  store = testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store2.log", {"--log.level=warn"});
  ASSERT_TRUE(store.ok()) << store.status();

  // The cycle the agent serves now; then wait until the queue is empty again, which it can only be once this
  // cycle (and every earlier one) was accepted.
  absl::StatusOr<std::string> page = AgentPage(agent_port);
  ASSERT_TRUE(page.ok()) << page.status();
  const double last_cycle = PageValue(*page, "vigil_agent_cycles_total ");
  ASSERT_GT(last_cycle, 60);
  bool drained = false;
  for (int i = 0; i < 120 && !drained; ++i) {
    absl::SleepFor(absl::Seconds(1));
    page = AgentPage(agent_port);
    ASSERT_TRUE(page.ok()) << page.status();
    drained = PageValue(*page, "vigil_agent_cycles_total ") > last_cycle + 1 &&
              PageValue(*page, "vigil_agent_remote_write_samples_pending{") == 0;
  }
  ASSERT_TRUE(drained) << "the agent's queue did not drain:\n" << *page << agent->Output();
  EXPECT_EQ(PageValue(*page, "vigil_agent_remote_write_samples_dropped_total{"), 0);
  EXPECT_EQ(PageValue(*page, "vigil_agent_remote_write_samples_failed_total{"), 0);

  absl::StatusOr<int> agent_exit = agent->Stop(SIGTERM, absl::Seconds(30));
  ASSERT_TRUE(agent_exit.ok());
  EXPECT_TRUE(WIFEXITED(*agent_exit) && WEXITSTATUS(*agent_exit) == 0) << agent->Output();
  absl::StatusOr<int> exit2 = store->Stop(SIGTERM, absl::Seconds(60));
  ASSERT_TRUE(exit2.ok());
  ASSERT_TRUE(WIFEXITED(*exit2) && WEXITSTATUS(*exit2) == 0) << store->Output();

  absl::StatusOr<StoreContents> got = ReadStore(tmp + "/store");
  ASSERT_TRUE(got.ok()) << got.status();
  const std::string cycles_key = "{__name__=\"vigil_agent_cycles_total\", cluster=\"c1\", node=\"test-node\"}";
  const std::string counts_key = "{__name__=\"vigil_agent_snapshot_samples\", cluster=\"c1\", node=\"test-node\"}";
  ASSERT_EQ(got->by_series.count(cycles_key), 1u) << "series with external labels missing";
  const std::vector<Sample>& cycles = got->by_series.at(cycles_key);
  const std::vector<Sample>& counts = got->by_series.at(counts_key);

  // Cycles 0, 1, 2, ... each once, up to at least the one served after the restart.
  ASSERT_GE(cycles.size(), static_cast<size_t>(last_cycle) + 1);
  ASSERT_EQ(counts.size(), cycles.size());
  TimestampMs max_gap = 0;
  for (size_t i = 0; i < cycles.size(); ++i) {
    ASSERT_EQ(cycles[i].v, static_cast<double>(i)) << "cycle missing or repeated at index " << i;
    ASSERT_EQ(counts[i].t, cycles[i].t);
    if (i > 0) max_gap = std::max(max_gap, cycles[i].t - cycles[i - 1].t);
    // Every sample of the cycle, no more, no fewer.
    EXPECT_EQ(got->samples_at[cycles[i].t], static_cast<int64_t>(counts[i].v)) << "cycle " << i;
  }
  EXPECT_LE(max_gap, 2000) << "a stretch of cycles is missing";
  // Nothing in the store that is not a cycle's.
  EXPECT_EQ(got->samples_at.size(), cycles.size());
}

}  // namespace
}  // namespace vigil
