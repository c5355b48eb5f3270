#include "agent/traces/span_shipper.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "wire/otlp/encode.h"

namespace vigil::agent {
namespace {

void AddIfMissing(std::vector<KeyValue>* attributes, std::string_view key, std::string_view value, bool* added) {
  if (value.empty() || FindAttribute(*attributes, key) != nullptr) return;
  attributes->push_back({std::string(key), AnyValue::String(std::string(value))});
  *added = true;
}

}  // namespace

exporters::SenderProtocol OtlpTracesProtocol() {
  exporters::SenderProtocol p;
  p.name = "otlp";
  p.items = "spans";
  p.headers = {{"Content-Type", "application/x-protobuf"}};
  return p;
}

std::shared_ptr<const Resource> WithKubernetesAttributes(const std::shared_ptr<const Resource>& resource,
                                                         const discovery::ContainerInfo* who, bool whole_pod,
                                                         std::string_view node) {
  Resource r = resource != nullptr ? *resource : Resource{};
  bool added = false;
  AddIfMissing(&r.attributes, "k8s.node.name", node, &added);
  if (who != nullptr && !who->pod.empty()) {
    AddIfMissing(&r.attributes, "k8s.namespace.name", who->namespace_name, &added);
    AddIfMissing(&r.attributes, "k8s.pod.name", who->pod, &added);
    AddIfMissing(&r.attributes, "k8s.pod.uid", who->pod_uid, &added);
    if (!whole_pod && !who->sandbox) AddIfMissing(&r.attributes, "k8s.container.name", who->container, &added);
  }
  if (!added) return resource;
  return std::make_shared<const Resource>(std::move(r));
}

SpanShipper::SpanShipper(std::vector<exporters::QueuedSender*> senders, discovery::PeerResolver* resolver,
                         std::string node_name)
    : senders_(std::move(senders)), resolver_(resolver), node_name_(std::move(node_name)) {}

absl::Status SpanShipper::ConsumeFrom(std::string_view peer_addr, std::vector<Span> spans) {
  if (spans.empty()) return absl::OkStatus();
  std::shared_ptr<const discovery::ContainerInfo> who;
  bool whole_pod = false;
  if (resolver_ != nullptr && !peer_addr.empty()) {
    discovery::PeerResolution r = resolver_->Resolve(peer_addr);
    who = std::move(r.info);
    whole_pod = r.by_pod_ip;
  }
  // Spans of one resource share its object; enrich each distinct one once, keeping the sharing.
  absl::flat_hash_map<const Resource*, std::shared_ptr<const Resource>> enriched;
  for (Span& span : spans) {
    auto [it, inserted] = enriched.try_emplace(span.resource.get());
    if (inserted) it->second = WithKubernetesAttributes(span.resource, who.get(), whole_pod, node_name_);
    span.resource = it->second;
  }
  const std::string body = wire::otlp::EncodeTracesProto(spans);
  for (exporters::QueuedSender* sender : senders_) {
    if (absl::Status s = sender->Enqueue(body, static_cast<uint32_t>(spans.size())); !s.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot queue the spans: ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace vigil::agent
