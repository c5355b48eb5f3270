#include "agent/loop/collection_loop.h"

#include <map>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

using exposition::MetricType;
using ::testing::HasSubstr;
using ::testing::Not;

// Writes one gauge; fails when told to, after writing. Advances the fake clock to take `takes`.
class FakeCollector : public Collector {
 public:
  FakeCollector(std::string name, FakeClock* clock, absl::Duration takes) : name_(name), clock_(clock), takes_(takes) {}
  std::string_view name() const override { return name_; }
  absl::Status Collect(MetricSink* sink) override {
    ++calls;
    clock_->Advance(takes_);
    sink->Family(absl::StrCat("fake_", name_), MetricType::kGauge, "A fake metric.");
    sink->Sample({}, calls);
    return fail ? absl::UnavailableError("input gone") : absl::OkStatus();
  }
  int calls = 0;
  bool fail = false;

 private:
  std::string name_;
  FakeClock* clock_;
  absl::Duration takes_;
};

class RecordingShipper : public Shipper {
 public:
  void Ship(const Snapshot& snapshot) override {
    absl::MutexLock lock(&mu);
    timestamps.push_back(snapshot.timestamp());
    samples.push_back(snapshot.num_samples());
  }
  // Blocks until `n` cycles were shipped (the loop's thread signals progress this way; no sleeping).
  void AwaitShipped(size_t n) {
    absl::MutexLock lock(&mu);
    auto done = [&] { return timestamps.size() >= n; };
    mu.Await(absl::Condition(&done));
  }
  absl::Mutex mu;
  std::vector<TimestampMs> timestamps;
  std::vector<size_t> samples;
};

std::string Page(const SnapshotExchange& exchange) {
  std::string out;
  exchange.Latest()->Render(exposition::Format::kPrometheusText, &out);
  return out;
}

TEST(CollectionLoopTest, CycleRunsCollectorsAndWritesOwnMetrics) {
  FakeClock clock;
  FakeCollector a("a", &clock, absl::Milliseconds(250)), b("b", &clock, absl::Milliseconds(10));
  SnapshotExchange exchange;
  CollectionLoop loop({&a, &b}, &exchange, &clock, {});
  RecordingShipper shipper;
  loop.AddShipper(&shipper);
  EXPECT_FALSE(loop.ready());
  const TimestampMs start = absl::ToUnixMillis(clock.Now());

  b.fail = true;
  loop.RunCycle();
  EXPECT_TRUE(loop.ready());
  std::string page = Page(exchange);
  EXPECT_THAT(page, HasSubstr("fake_a 1\n"));
  EXPECT_THAT(page, HasSubstr("fake_b 1\n"));  // what a failing collector wrote is kept
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_duration_seconds{collector=\"a\"} 0.25\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_duration_seconds{collector=\"b\"} 0.01\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_errors_total{collector=\"a\"} 0\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_errors_total{collector=\"b\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_success{collector=\"b\"} 0\n"));
  EXPECT_THAT(page, HasSubstr(absl::StrCat("vigil_agent_snapshot_samples ", exchange.Latest()->num_samples(), "\n")));
  EXPECT_THAT(page, HasSubstr("vigil_agent_cycles_total 0\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_build_info{version=\""));

  b.fail = false;
  loop.RunCycle();
  page = Page(exchange);
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_errors_total{collector=\"b\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_collector_success{collector=\"b\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_cycles_total 1\n"));
  EXPECT_THAT(page, HasSubstr("vigil_agent_cycle_duration_seconds 0.26\n"));

  // Each cycle was shipped once, stamped with its start.
  ASSERT_EQ(shipper.timestamps.size(), 2u);
  EXPECT_EQ(shipper.timestamps[0], start);
  EXPECT_EQ(shipper.timestamps[1], start + 260);
  EXPECT_EQ(shipper.samples[1], exchange.Latest()->num_samples());
  EXPECT_EQ(loop.cycles(), 2);
}

TEST(CollectionLoopTest, RunKeepsTheIntervalGridAndStops) {
  FakeClock clock;
  FakeCollector slow("slow", &clock, absl::Seconds(1));
  SnapshotExchange exchange;
  CollectionLoop loop({&slow}, &exchange, &clock, {.interval = absl::Seconds(15)});
  RecordingShipper shipper;
  loop.AddShipper(&shipper);
  const TimestampMs start = absl::ToUnixMillis(clock.Now());
  absl::Notification stop;
  std::thread t([&] { loop.Run(&stop); });

  shipper.AwaitShipped(1);  // the first cycle runs at once
  clock.AwaitSleepers(1);
  clock.Advance(absl::Seconds(14));  // 1 s of collection + 14 s: the next tick
  shipper.AwaitShipped(2);
  clock.AwaitSleepers(1);
  stop.Notify();
  t.join();
  absl::MutexLock lock(&shipper.mu);
  ASSERT_EQ(shipper.timestamps.size(), 2u);
  EXPECT_EQ(shipper.timestamps[0], start);
  EXPECT_EQ(shipper.timestamps[1], start + 15000);
}

TEST(CollectionLoopTest, OverrunningCyclesSkipMissedTicks) {
  FakeClock clock;
  FakeCollector slow("slow", &clock, absl::Seconds(40));
  SnapshotExchange exchange;
  CollectionLoop loop({&slow}, &exchange, &clock, {.interval = absl::Seconds(15)});
  RecordingShipper shipper;
  loop.AddShipper(&shipper);
  const TimestampMs start = absl::ToUnixMillis(clock.Now());
  absl::Notification stop;
  std::thread t([&] { loop.Run(&stop); });
  shipper.AwaitShipped(1);  // cycle 1 ran from 0 to 40 s; the next tick on the grid is 45 s, not 15 s or 30 s
  clock.AwaitSleepers(1);
  clock.Advance(absl::Seconds(5));
  shipper.AwaitShipped(2);
  clock.AwaitSleepers(1);
  stop.Notify();
  t.join();
  absl::MutexLock lock(&shipper.mu);
  ASSERT_EQ(shipper.timestamps.size(), 2u);
  EXPECT_EQ(shipper.timestamps[1], start + 45000);
  EXPECT_THAT(Page(exchange), HasSubstr("vigil_agent_cycle_overruns_total 1\n"));
}

TEST(CollectionLoopTest, PageParsesWithoutCollectors) {
  FakeClock clock;
  SnapshotExchange exchange;
  CollectionLoop loop({}, &exchange, &clock, {});
  loop.RunCycle();
  std::string page = Page(exchange);
  EXPECT_THAT(page, HasSubstr("vigil_agent_cycles_total 0\n"));
  EXPECT_THAT(page, Not(HasSubstr("vigil_agent_collector_duration_seconds{")));
}

}  // namespace
}  // namespace vigil::agent
