// The agent's trace pipeline, built from its configuration: the OTLP/HTTP and Zipkin receivers (on the agent's
// own HTTP server and on every --receivers.listen-address), the SpanShipper that labels each request's spans with
// the sending pod and queues them on disk, and one queued OTLP/HTTP sender per --traces.url. docs/agent.md.
#ifndef VIGIL_AGENT_TRACES_TRACE_SHIPPING_H_
#define VIGIL_AGENT_TRACES_TRACE_SHIPPING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/collector/collector.h"
#include "agent/config/agent_config.h"
#include "agent/discovery/container_discovery.h"
#include "agent/discovery/peer_resolver.h"
#include "agent/loop/registry_collector.h"
#include "agent/receivers/trace_receivers.h"
#include "agent/traces/span_shipper.h"
#include "base/http/client.h"
#include "base/http/server.h"
#include "base/metrics/registry.h"
#include "exporters/sender/queued_sender.h"
#include "exporters/sender/sender_metrics.h"

namespace vigil::agent {

class TraceShipping {
 public:
  // Null when cfg.traces_urls is empty (no receivers then). Opens each destination's queue under
  // cfg.queue_dir and starts its sender; `discovery` (may be null: no pod attributes) must outlive the result.
  static absl::StatusOr<std::unique_ptr<TraceShipping>> Create(const AgentConfig& cfg,
                                                               discovery::ContainerDiscovery* discovery);
  ~TraceShipping();

  // Mounts POST /v1/traces and /api/v2/spans on `server` (the agent's own).
  void RegisterReceivers(http::Server* server);
  // Starts the servers of cfg.receiver_listen_addresses.
  absl::Status StartListeners();
  // The receivers' and senders' metrics (vigil_trace_receiver_*, vigil_agent_otlp_spans_*) for each cycle.
  Collector* metrics_collector() { return &collector_; }
  // Stops the extra listeners and the senders; what was not delivered stays queued for the next start.
  absl::Status Close(absl::Duration grace);

 private:
  TraceShipping() : collector_(&registry_, "traces") {}

  metrics::Registry registry_;
  RegistryCollector collector_;
  http::HttplibClient client_;
  std::unique_ptr<exporters::SenderMetrics> metrics_;
  std::vector<std::unique_ptr<exporters::QueuedSender>> senders_;
  std::unique_ptr<discovery::PeerResolver> resolver_;
  std::unique_ptr<SpanShipper> shipper_;
  std::unique_ptr<receivers::TraceReceivers> receivers_;
  std::vector<std::string> listen_addresses_;
  std::vector<std::unique_ptr<http::Server>> listeners_;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_TRACES_TRACE_SHIPPING_H_
