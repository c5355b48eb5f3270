// The thread that drives a Tailer: Poll, hand each non-empty batch to a sink (the shipper: encode, queue, and
// later Ack), and wait poll_interval on the Clock when there was nothing to read. Reading resumes at once while
// there is data, so throughput is bounded by the sink and the tailer's backpressure, not by the interval.
//
//   TailerLoop loop(tailer.get(), RealClock(), absl::Milliseconds(250), [&](LogBatch b) { ship(std::move(b)); });
//   loop.Start();
//   ...
//   loop.Stop();   // returns after the current Poll and sink call
#ifndef VIGIL_AGENT_LOGS_TAILER_LOOP_H_
#define VIGIL_AGENT_LOGS_TAILER_LOOP_H_

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/logs/tailer.h"
#include "base/clock/clock.h"

namespace vigil::agent::logs {

class TailerLoop {
 public:
  // `tailer` and `clock` must outlive the loop. `sink` runs on the loop's thread.
  TailerLoop(Tailer* tailer, Clock* clock, absl::Duration poll_interval, std::function<void(LogBatch)> sink);
  // Stops the thread if running.
  ~TailerLoop();
  TailerLoop(const TailerLoop&) = delete;
  TailerLoop& operator=(const TailerLoop&) = delete;

  // Starts the thread. Call at most once.
  void Start();
  // Stops the thread without waiting out a poll interval. Idempotent.
  void Stop();

  // One iteration (Poll, then the sink if the batch is non-empty); true when a batch was handed out. What the
  // thread runs; public for tests that drive the loop without a thread.
  bool RunOnce();

 private:
  Tailer* const tailer_;
  Clock* const clock_;
  const absl::Duration poll_interval_;
  const std::function<void(LogBatch)> sink_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace vigil::agent::logs

#endif  // VIGIL_AGENT_LOGS_TAILER_LOOP_H_
