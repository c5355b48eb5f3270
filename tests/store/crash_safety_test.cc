// Crash safety of vigil-store, end to end: a sender writes remote_write requests continuously while the test
// kills the store with SIGKILL at random moments, several rounds, restarting it each time. Afterwards every
// sample whose request got a 2xx must be stored exactly once, and nothing stored may differ from what was sent.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "tests/support/subprocess.h"
#include "tsdb/db/db.h"
#include "wire/prompb/remote.pb.h"

namespace vigil {
namespace {

constexpr int kSeries = 50;
constexpr int kRounds = 5;
constexpr TimestampMs kStart = 1700000000000;

// The value the sender writes for series `s` at step `i`: the check recomputes it.
double ValueAt(int s, int64_t i) { return static_cast<double>(i) * 0.25 + s; }

std::string Body(int64_t step) {
  prompb::WriteRequest req;
  for (int s = 0; s < kSeries; ++s) {
    prompb::TimeSeries* ts = req.add_timeseries();
    auto* name = ts->add_labels();
    name->set_name("__name__");
    name->set_value("crash_test_metric");
    auto* series = ts->add_labels();
    series->set_name("series");
    series->set_value(absl::StrCat(s));
    auto* sample = ts->add_samples();
    sample->set_timestamp(kStart + step * 1000);
    sample->set_value(ValueAt(s, step));
  }
  std::string raw = req.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

TEST(CrashSafetyTest, AcknowledgedSamplesSurviveRepeatedSigkill) {
  const std::string data = testing::TestTmpDir() + "/crash_store";
  absl::StatusOr<int> port = testing::FreePort();
  ASSERT_TRUE(port.ok());
  const std::string addr = absl::StrCat("127.0.0.1:", *port);
  const std::string url = absl::StrCat("http://", addr);
  auto start_store = [&]() {
    auto p = testing::Subprocess::Start({"server/vigil-store", "--storage.tsdb.path=" + data,
                                         "--web.listen-address=" + addr, "--storage.tsdb.retention.time=0"},
                                        testing::TestTmpDir() + "/store.log");
    EXPECT_TRUE(p.ok()) << p.status();
    absl::Status ready = testing::WaitForHttp(url + "/-/ready", 200, absl::Seconds(60));
    EXPECT_TRUE(ready.ok()) << ready << "\n" << p->Output();
    return std::move(*p);
  };

  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked_steps{0};  // Steps 0..acked_steps-1 were acknowledged (the sender is sequential).
  std::atomic<int64_t> non_2xx{0};
  std::thread sender([&] {
    http::HttplibClient client;
    int64_t step = 0;
    while (!stop.load()) {
      std::string body = Body(step);
      absl::StatusOr<http::ClientResponse> resp = client.Post(url + "/api/v1/write",
                                                              {{"Content-Encoding", "snappy"},
                                                               {"Content-Type", "application/x-protobuf"},
                                                               {"X-Prometheus-Remote-Write-Version", "0.1.0"}},
                                                              body, absl::Seconds(5));
      if (!resp.ok() || resp->status >= 500) continue;  // store down or failing: retry the same step
      if (resp->status / 100 != 2) {
        ++non_2xx;
        ADD_FAILURE() << "status " << resp->status << ": " << resp->body;
      }
      acked_steps.store(++step);
    }
  });

  testing::Subprocess store = start_store();
  std::mt19937 rng(42);
  for (int round = 0; round < kRounds; ++round) {
    int64_t before = acked_steps.load();
    // Let some writes through, then kill at a random moment.
    while (acked_steps.load() < before + 20) absl::SleepFor(absl::Milliseconds(5));
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(0, 200)(rng)));
    ASSERT_TRUE(store.Stop(SIGKILL, absl::Seconds(10)).ok());
    store = start_store();
  }
  int64_t before = acked_steps.load();
  while (acked_steps.load() < before + 20) absl::SleepFor(absl::Milliseconds(5));
  stop = true;
  sender.join();
  absl::StatusOr<int> exit_status = store.Stop(SIGTERM, absl::Seconds(60));
  ASSERT_TRUE(exit_status.ok()) << exit_status.status();
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 0) << store.Output();
  EXPECT_EQ(non_2xx.load(), 0);

  // Read the data directory directly.
  tsdb::DbOptions options;
  options.dir = data;
  options.retention = absl::ZeroDuration();
  auto db = tsdb::Db::Open(options, RealClock(), nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  auto q = (*db)->NewQuerier(kMinTimestampMs, kMaxTimestampMs);
  ASSERT_TRUE(q.ok());
  std::vector<Matcher> ms = {*Matcher::Create(MatchType::kEqual, "__name__", "crash_test_metric")};
  auto set = (*q)->Select(true, nullptr, ms);
  int series_seen = 0;
  const int64_t acked = acked_steps.load();
  while (set->Next()) {
    ++series_seen;
    int s = std::stoi(std::string(set->At()->labels().Get("series")));
    std::set<int64_t> steps;
    auto it = set->At()->Iterator();
    while (it->Next()) {
      Sample smp = it->At();
      int64_t step = (smp.t - kStart) / 1000;
      ASSERT_EQ(smp.t, kStart + step * 1000) << "unexpected timestamp";
      ASSERT_EQ(smp.v, ValueAt(s, step)) << "corrupt value at step " << step;
      ASSERT_TRUE(steps.insert(step).second) << "duplicate sample at step " << step;
    }
    ASSERT_TRUE(it->Err().ok()) << it->Err();
    for (int64_t step = 0; step < acked; ++step) {
      ASSERT_TRUE(steps.count(step)) << "acknowledged sample lost: series " << s << " step " << step;
    }
  }
  ASSERT_TRUE(set->Err().ok()) << set->Err();
  EXPECT_EQ(series_seen, kSeries);
  EXPECT_GT(acked, kRounds * 20);
}

}  // namespace
}  // namespace vigil
