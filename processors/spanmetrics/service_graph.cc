#include "processors/spanmetrics/service_graph.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::processors {

ServiceGraph::ServiceGraph(ServiceGraphOptions options) : options_(std::move(options)) {}

bool ServiceGraph::IsEdgeKind(SpanKind kind) {
  return kind == SpanKind::kClient || kind == SpanKind::kServer || kind == SpanKind::kProducer ||
         kind == SpanKind::kConsumer;
}

void ServiceGraph::Add(EdgeHalf half, absl::Time now) {
  const bool is_client = half.kind == SpanKind::kClient || half.kind == SpanKind::kProducer;
  // A client half is keyed by its own id, a server half by its parent's: the same key when they pair.
  Key key{half.trace_id, is_client ? half.span_id : half.parent_span_id};
  if (!is_client && key.span_id.IsZero()) return;  // a root server span has no client to pair with
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (pending_.size() >= options_.max_pending) {
      (is_client ? dropped_client_ : dropped_server_) += 1;
      return;
    }
    it = pending_.emplace(key, Pending{}).first;
    it->second.expires = now + options_.wait;
  }
  Pending& p = it->second;
  if (is_client) {
    if (p.has_client) return;  // the same span delivered twice
    p.has_client = true;
    p.client = std::move(half.service);
    p.client_seconds = half.seconds;
  } else {
    if (p.has_server) return;
    p.has_server = true;
    p.server = std::move(half.service);
    p.server_seconds = half.seconds;
  }
  p.failed = p.failed || half.failed;
  p.messaging = p.messaging || half.kind == SpanKind::kProducer || half.kind == SpanKind::kConsumer;
  if (p.has_client && p.has_server) {
    Complete(p);
    pending_.erase(it);
  }
}

void ServiceGraph::Complete(const Pending& p) {
  std::string key = absl::StrCat(p.client, "\xff", p.server, "\xff", p.messaging ? "m" : "");
  auto it = edges_.find(key);
  if (it == edges_.end()) {
    if (edges_.size() >= options_.max_edges) {
      dropped_client_ += 1;
      dropped_server_ += 1;
      return;
    }
    LabelsBuilder b;
    b.Set("client", p.client.empty() ? "unknown_service" : p.client);
    b.Set("server", p.server.empty() ? "unknown_service" : p.server);
    if (p.messaging) b.Set("connection_type", "messaging_system");
    it = edges_
             .emplace(std::move(key), Edge{b.Build(), 0, 0, CumulativeHistogram(options_.buckets.size()),
                                           CumulativeHistogram(options_.buckets.size())})
             .first;
  }
  Edge& e = it->second;
  e.total += 1;
  if (p.failed) e.failed += 1;
  e.server_seconds.Observe(options_.buckets, p.server_seconds);
  e.client_seconds.Observe(options_.buckets, p.client_seconds);
}

void ServiceGraph::Expire(absl::Time now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.expires < now) {
      (it->second.has_client ? unpaired_client_ : unpaired_server_) += 1;
      pending_.erase(it++);
    } else {
      ++it;
    }
  }
}

void ServiceGraph::AppendSamples(std::vector<FlushSample>* out) const {
  for (const auto& [key, e] : edges_) {
    out->push_back({WithName(e.labels, "traces_service_graph_request_total"), e.total});
    out->push_back({WithName(e.labels, "traces_service_graph_request_failed_total"), e.failed});
    e.server_seconds.AppendSamples("traces_service_graph_request_server_seconds", options_.buckets, e.labels, out);
    e.client_seconds.AppendSamples("traces_service_graph_request_client_seconds", options_.buckets, e.labels, out);
  }
  auto side = [&](std::string_view name, double client, double server) {
    out->push_back({Labels::FromPairs({{"__name__", name}, {"side", "client"}}), client});
    out->push_back({Labels::FromPairs({{"__name__", name}, {"side", "server"}}), server});
  };
  side("traces_service_graph_unpaired_spans_total", unpaired_client_, unpaired_server_);
  side("traces_service_graph_dropped_spans_total", dropped_client_, dropped_server_);
}

}  // namespace vigil::processors
