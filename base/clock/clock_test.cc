#include "base/clock/clock.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(RealClockTest, NowIsCloseToAbslNow) {
  absl::Time before = absl::Now();
  absl::Time now = RealClock()->Now();
  EXPECT_GE(now, before);
  EXPECT_LT(now - before, absl::Seconds(5));
}

TEST(RealClockTest, CancelledSleepReturnsFalseAtOnce) {
  absl::Notification cancel;
  cancel.Notify();
  absl::Time start = absl::Now();
  EXPECT_FALSE(RealClock()->SleepFor(absl::Hours(1), &cancel));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

TEST(FakeClockTest, AdvanceMovesTimeForwardOnly) {
  FakeClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(105));
  clock.Advance(absl::Seconds(-50));
  clock.SetTime(absl::FromUnixSeconds(1));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(105));
  clock.SetTime(absl::FromUnixSeconds(200));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(200));
}

TEST(FakeClockTest, SleeperWakesOnlyWhenTimeReachesDeadline) {
  FakeClock clock(absl::FromUnixSeconds(0));
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    EXPECT_TRUE(clock.SleepFor(absl::Seconds(15)));
    woke = true;
  });
  clock.AwaitSleepers(1);
  clock.Advance(absl::Seconds(14));
  EXPECT_FALSE(woke.load());
  clock.Advance(absl::Seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke.load());
}

TEST(FakeClockTest, CancelWakesSleeperWithoutTimeMoving) {
  FakeClock clock;
  absl::Notification cancel;
  std::thread sleeper([&] { EXPECT_FALSE(clock.SleepFor(absl::Hours(24), &cancel)); });
  clock.AwaitSleepers(1);
  cancel.Notify();
  sleeper.join();
}

}  // namespace
}  // namespace vigil
