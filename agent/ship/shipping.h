// The agent's remote_write side, built from its configuration: one Shipper per --remote-write.url, each turning
// a cycle's snapshot into remote_write requests (external labels added, samples stamped with the cycle time)
// and queueing them on disk for a sender that retries until the endpoint takes them.
#ifndef VIGIL_AGENT_SHIP_SHIPPING_H_
#define VIGIL_AGENT_SHIP_SHIPPING_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/collector/collector.h"
#include "agent/config/agent_config.h"
#include "agent/loop/collection_loop.h"

namespace vigil::agent {

class Shipping {
 public:
  // Opens (or creates) the queue of each remote_write target under cfg.queue_dir and starts its sender.
  // Nothing when cfg.remote_write is empty.
  static absl::StatusOr<std::unique_ptr<Shipping>> Create(const AgentConfig& cfg);

  virtual ~Shipping() = default;

  // The shippers to add to the collection loop; owned by this object.
  virtual std::vector<Shipper*> shippers() = 0;

  // A collector writing the senders' metrics (vigil_agent_remote_write_*: samples sent, failed, dropped,
  // pending, bytes, queue size) into each cycle; null without remote_write. Owned by this object.
  virtual Collector* metrics_collector() = 0;

  // Stops the senders after a last attempt and syncs the queues; what was not sent stays queued for the next
  // start.
  virtual absl::Status Close() = 0;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_SHIP_SHIPPING_H_
