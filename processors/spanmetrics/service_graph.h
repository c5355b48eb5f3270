// Service graph edges derived from spans, as Tempo's metrics-generator "service-graphs" processor builds them: a
// client (or producer) span and the server (or consumer) span whose parent it is form one request from the
// client's service to the server's. The halves arrive in any order and in different requests, so each waits in a
// bounded table until its partner comes or it expires.
//
// Series (cumulative, labels client, server and connection_type="messaging_system" for producer/consumer pairs):
//   traces_service_graph_request_total, traces_service_graph_request_failed_total (either half has status error),
//   traces_service_graph_request_server_seconds_{bucket,sum,count} (the server span's duration),
//   traces_service_graph_request_client_seconds_{bucket,sum,count} (the client span's duration),
//   traces_service_graph_unpaired_spans_total{side="client"|"server"} (halves that expired without a partner),
//   traces_service_graph_dropped_spans_total{side} (halves refused: wait table full).
#ifndef VIGIL_PROCESSORS_SPANMETRICS_SERVICE_GRAPH_H_
#define VIGIL_PROCESSORS_SPANMETRICS_SERVICE_GRAPH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "model/labels.h"
#include "model/span.h"
#include "processors/spanmetrics/histogram.h"

namespace vigil::processors {

struct ServiceGraphOptions {
  // How long a half waits for its partner (Tempo's default: 10s).
  absl::Duration wait = absl::Seconds(10);
  // Halves waiting at most (Tempo's max_items: 10000); more are dropped and counted.
  size_t max_pending = 10000;
  // Distinct client/server pairs kept at most; spans of further pairs are counted as dropped.
  size_t max_edges = 1000;
  // Upper bounds of the latency histograms, seconds (Tempo's defaults).
  std::vector<double> buckets = {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8};
};

// What the service graph needs of one span (copied before the span is moved into the store).
struct EdgeHalf {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  SpanKind kind = SpanKind::kUnspecified;
  std::string service;
  double seconds = 0;
  bool failed = false;
};

// Not thread-safe: SpanMetricsSink serialises calls.
class ServiceGraph {
 public:
  explicit ServiceGraph(ServiceGraphOptions options);

  // Whether `kind` takes part in the graph (client, server, producer, consumer).
  static bool IsEdgeKind(SpanKind kind);

  // Pairs `half` with its waiting partner, or leaves it waiting until `now` + wait.
  void Add(EdgeHalf half, absl::Time now);

  // Drops halves whose wait ended before `now`, counting them unpaired.
  void Expire(absl::Time now);

  // Appends every series' current value.
  void AppendSamples(std::vector<FlushSample>* out) const;

  size_t pending() const { return pending_.size(); }

 private:
  struct Key {
    TraceId trace_id;
    SpanId span_id;  // the client's span id: the server's parent
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.trace_id, k.span_id);
    }
  };
  struct Pending {
    bool has_client = false;
    bool has_server = false;
    bool messaging = false;
    bool failed = false;
    std::string client, server;
    double client_seconds = 0, server_seconds = 0;
    absl::Time expires;
  };
  struct Edge {
    Labels labels;  // client, server[, connection_type]
    double total = 0, failed = 0;
    CumulativeHistogram server_seconds, client_seconds;
  };

  void Complete(const Pending& p);

  ServiceGraphOptions options_;
  absl::flat_hash_map<Key, Pending> pending_;
  absl::flat_hash_map<std::string, Edge> edges_;  // by client \xff server \xff messaging
  double unpaired_client_ = 0, unpaired_server_ = 0;
  double dropped_client_ = 0, dropped_server_ = 0;
};

}  // namespace vigil::processors

#endif  // VIGIL_PROCESSORS_SPANMETRICS_SERVICE_GRAPH_H_
