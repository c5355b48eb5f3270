// The agent's heartbeat: every interval, run every collector into a fresh snapshot, add the agent's own metrics,
// publish the snapshot for scrapes, and hand it to the shippers. Scrapes never wait for a cycle (see
// SnapshotExchange), and a slow or failing collector only delays or thins its own cycle.
//
//   CollectionLoop loop(collectors, &exchange, RealClock(), {.interval = absl::Seconds(15)});
//   loop.AddShipper(&remote_write);
//   std::thread t([&] { loop.Run(&stop); });   // first cycle at once, then every 15 s
//
// Own metrics written into every snapshot (so they are scraped and shipped with the rest):
//   vigil_agent_collector_duration_seconds{collector}  gauge: how long Collect took this cycle
//   vigil_agent_collector_success{collector}           gauge: 1 if Collect returned OK this cycle
//   vigil_agent_collector_errors_total{collector}      counter: failed Collect calls since start
//   vigil_agent_cycles_total, vigil_agent_cycle_duration_seconds (the previous cycle, shipping included),
//   vigil_agent_cycle_overruns_total (cycles that took longer than the interval),
//   vigil_agent_snapshot_samples, vigil_agent_snapshot_duplicate_samples_dropped_total,
//   vigil_agent_build_info{version}. (The shippers' queue length, bytes sent and drops come from their own
//   collector, see agent/loop/registry_collector.h.)
#ifndef VIGIL_AGENT_LOOP_COLLECTION_LOOP_H_
#define VIGIL_AGENT_LOOP_COLLECTION_LOOP_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/collector/collector.h"
#include "agent/snapshot/snapshot.h"
#include "agent/snapshot/snapshot_exchange.h"
#include "base/clock/clock.h"

namespace vigil::agent {

// Takes each completed cycle somewhere else (the remote_write shipper). Called on the collection thread.
class Shipper {
 public:
  virtual ~Shipper() = default;

  // Ships the sealed `snapshot`, whose samples are stamped snapshot.timestamp(). Must not block for long (a
  // shipper buffers, e.g. in a disk queue, and sends from its own threads) and must not keep references into the
  // snapshot after returning.
  virtual void Ship(const Snapshot& snapshot) = 0;
};

struct CollectionLoopOptions {
  // Time between cycle starts.
  absl::Duration interval = absl::Seconds(15);
};

class CollectionLoop {
 public:
  // `collectors`, `exchange` and `clock` must outlive the loop.
  CollectionLoop(std::vector<Collector*> collectors, SnapshotExchange* exchange, Clock* clock,
                 CollectionLoopOptions options);

  // Adds a shipper (must outlive the loop). Before Run.
  void AddShipper(Shipper* shipper) { shippers_.push_back(shipper); }

  // Runs one cycle now, on the calling thread: collect, own metrics, seal, publish, ship.
  void RunCycle();

  // Runs a cycle at once and then one every interval (on the interval's grid: a cycle that overruns skips the
  // ticks it missed) until `stop` is notified; returns soon after.
  void Run(absl::Notification* stop);

  // True once a cycle has been published (the agent's /-/ready).
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  // Cycles completed.
  int64_t cycles() const { return cycles_.load(std::memory_order_relaxed); }

 private:
  struct CollectorState {
    Collector* collector = nullptr;
    std::string name;
    double last_duration_seconds = 0;
    bool last_ok = true;
    int64_t errors = 0;
    std::string last_error;  // logged when it changes, not every cycle
  };

  void WriteOwnMetrics(Snapshot* snapshot);

  std::vector<CollectorState> collectors_;
  std::vector<Shipper*> shippers_;
  SnapshotExchange* const exchange_;
  Clock* const clock_;
  const CollectionLoopOptions options_;

  double last_cycle_seconds_ = 0;
  int64_t overruns_ = 0;
  int64_t duplicates_total_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> cycles_{0};
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_LOOP_COLLECTION_LOOP_H_
