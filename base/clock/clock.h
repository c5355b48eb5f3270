// The seam for time. Code that reads the time or waits takes a `Clock*` so tests can drive time with a
// FakeClock and never sleep, while production passes RealClock().
#ifndef VIGIL_BASE_CLOCK_CLOCK_H_
#define VIGIL_BASE_CLOCK_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;

  // The current wall-clock time.
  virtual absl::Time Now() const = 0;

  // Blocks the calling thread until Now() has reached `deadline` or `cancel` (may be null) is notified,
  // whichever comes first. Returns true when the deadline was reached, false when cancelled. This is how
  // periodic loops wait, so a FakeClock can release them deterministically and shutdown never waits out a period.
  virtual bool SleepUntil(absl::Time deadline, absl::Notification* cancel) = 0;

  bool SleepFor(absl::Duration d, absl::Notification* cancel = nullptr) { return SleepUntil(Now() + d, cancel); }
};

// The process-wide real clock (absl::Now). Never null, never destroyed.
Clock* RealClock();

// A manually advanced clock for tests. Thread-safe: sleepers in other threads wake when Advance/SetTime moves
// time past their deadline.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000));

  absl::Time Now() const override;
  bool SleepUntil(absl::Time deadline, absl::Notification* cancel) override;

  // Moves time forward (negative durations are ignored: time never goes back) and wakes due sleepers.
  void Advance(absl::Duration d);
  void SetTime(absl::Time t);

  // Blocks until at least `n` threads are inside SleepUntil. Lets a test know a loop reached its wait before
  // advancing time, without sleeping.
  void AwaitSleepers(int n) const;

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  int sleepers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil

#endif  // VIGIL_BASE_CLOCK_CLOCK_H_
