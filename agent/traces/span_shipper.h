// The agent's span sink: each request's spans get the sender's Kubernetes attributes (as OpenTelemetry's
// k8sattributes processor adds them) and are queued on disk, as one OTLP/HTTP protobuf request per received
// request, for every destination. A client is acknowledged once its spans are in every queue (they survive
// kill -9 of the agent); the queues' senders deliver them to the store with retries.
#ifndef VIGIL_AGENT_TRACES_SPAN_SHIPPER_H_
#define VIGIL_AGENT_TRACES_SPAN_SHIPPER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "agent/discovery/container_discovery.h"
#include "agent/discovery/peer_resolver.h"
#include "agent/receivers/span_sink.h"
#include "exporters/sender/queued_sender.h"
#include "model/span.h"

namespace vigil::agent {

// OTLP/HTTP traces as the queued sender speaks them: ExportTraceServiceRequest protobuf, counted in spans.
exporters::SenderProtocol OtlpTracesProtocol();

// `resource` with the attributes OpenTelemetry's k8sattributes processor adds, for a sender that is `who`
// (null: unknown) on node `node` (empty: none): k8s.node.name, and k8s.namespace.name, k8s.pod.name,
// k8s.pod.uid, plus k8s.container.name when `who` is a container rather than a whole pod (a pod is all a peer IP
// tells). Attributes the sender set itself are kept. Returns `resource` itself when nothing is added.
std::shared_ptr<const Resource> WithKubernetesAttributes(const std::shared_ptr<const Resource>& resource,
                                                         const discovery::ContainerInfo* who, bool whole_pod,
                                                         std::string_view node);

class SpanShipper final : public receivers::SpanSink {
 public:
  // `senders` (at least one) and `resolver` (may be null: no pod attributes) must outlive the shipper.
  SpanShipper(std::vector<exporters::QueuedSender*> senders, discovery::PeerResolver* resolver, std::string node_name);

  absl::Status Consume(std::vector<Span> spans) override { return ConsumeFrom("", std::move(spans)); }
  // Unavailable (the client retries) when a queue cannot be written; the spans may then be in some queues
  // already, and a retry duplicates them there (OTLP receivers tolerate duplicates: at least once).
  absl::Status ConsumeFrom(std::string_view peer_addr, std::vector<Span> spans) override;

 private:
  const std::vector<exporters::QueuedSender*> senders_;
  discovery::PeerResolver* const resolver_;
  const std::string node_name_;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_TRACES_SPAN_SHIPPER_H_
