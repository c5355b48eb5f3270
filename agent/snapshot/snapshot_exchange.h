// Hands completed snapshots from the collection thread to readers (scrapes) without either ever waiting on the
// other: the collector fills a snapshot nobody reads, publishes it, and a scrape renders whichever snapshot was
// latest when it started, for as long as it takes. Snapshots are recycled once no reader holds them, so in the
// steady state two exist (double buffering) and a cycle allocates nothing new.
//
//   SnapshotExchange exchange;
//   // collection thread, each cycle:
//   std::shared_ptr<Snapshot> s = exchange.AcquireForWrite(cycle_ms);
//   for (Collector* c : collectors) c->Collect(s.get());
//   s->Seal();
//   exchange.Publish(std::move(s));
//   // any HTTP thread:
//   std::shared_ptr<const Snapshot> latest = exchange.Latest();   // null before the first Publish
#ifndef VIGIL_AGENT_SNAPSHOT_SNAPSHOT_EXCHANGE_H_
#define VIGIL_AGENT_SNAPSHOT_SNAPSHOT_EXCHANGE_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/snapshot/snapshot.h"
#include "model/sample.h"

namespace vigil::agent {

class SnapshotExchange {
 public:
  SnapshotExchange() = default;
  SnapshotExchange(const SnapshotExchange&) = delete;
  SnapshotExchange& operator=(const SnapshotExchange&) = delete;

  // A snapshot no reader holds, Reset for a cycle at `timestamp`: a recycled one when possible, else a new one.
  // For the single writer (the collection thread).
  std::shared_ptr<Snapshot> AcquireForWrite(TimestampMs timestamp);

  // Makes `snapshot` (sealed) the one Latest() returns; the previous one is recycled once its readers let go.
  void Publish(std::shared_ptr<Snapshot> snapshot);

  // The latest published snapshot, or null before the first Publish. Holding it keeps it unchanged.
  std::shared_ptr<const Snapshot> Latest() const;

  // Snapshots currently owned (published, spare, or held by a reader); for tests and memory accounting.
  size_t pool_size() const;

 private:
  // Spares beyond this are freed rather than kept: they only pile up while slow readers hold old snapshots.
  static constexpr size_t kMaxSpares = 2;

  mutable absl::Mutex mu_;
  std::shared_ptr<Snapshot> latest_ ABSL_GUARDED_BY(mu_);
  // Previously published snapshots. Nobody can take a new reference to one (Latest only hands out latest_), so
  // a use_count() of 1 means no reader holds it and stays so.
  std::vector<std::shared_ptr<Snapshot>> spares_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_SNAPSHOT_SNAPSHOT_EXCHANGE_H_
