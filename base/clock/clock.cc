#include "base/clock/clock.h"

namespace vigil {
namespace {

class RealClockImpl : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }

  bool SleepUntil(absl::Time deadline, absl::Notification* cancel) override {
    if (cancel == nullptr) {
      absl::SleepFor(deadline - absl::Now());
      return true;
    }
    return !cancel->WaitForNotificationWithDeadline(deadline);
  }
};

}  // namespace

Clock* RealClock() {
  static Clock* const clock = new RealClockImpl();
  return clock;
}

FakeClock::FakeClock(absl::Time start) : now_(start) {}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool FakeClock::SleepUntil(absl::Time deadline, absl::Notification* cancel) {
  absl::MutexLock lock(&mu_);
  ++sleepers_;
  // Cancellation is observed by polling the notification under the condition; Advance/SetTime and the
  // notification's owner both cause re-evaluation (the latter through the short timeout below, since
  // absl::Notification cannot signal our mutex).
  auto due_or_cancelled = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return now_ >= deadline || (cancel != nullptr && cancel->HasBeenNotified());
  };
  while (!due_or_cancelled()) {
    mu_.AwaitWithTimeout(absl::Condition(&due_or_cancelled), absl::Milliseconds(10));
  }
  --sleepers_;
  return now_ >= deadline;
}

void FakeClock::Advance(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return;
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void FakeClock::SetTime(absl::Time t) {
  absl::MutexLock lock(&mu_);
  if (t > now_) now_ = t;
}

void FakeClock::AwaitSleepers(int n) const {
  absl::MutexLock lock(&mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return sleepers_ >= n; };
  mu_.Await(absl::Condition(&enough));
}

}  // namespace vigil
