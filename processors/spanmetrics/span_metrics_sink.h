// RED metrics and the service graph derived from the spans vigil-store receives, written into the metrics TSDB
// so Grafana's Tempo views (service graph, "RED" tables) and ordinary dashboards work without a separate
// metrics-generator. Names and labels follow Tempo's metrics-generator:
//
//   traces_spanmetrics_calls_total{service, span_name, span_kind, status_code}
//   traces_spanmetrics_latency_{bucket,sum,count}{service, span_name, span_kind, status_code[, le]}  (seconds)
//   traces_service_graph_*  (processors/spanmetrics/service_graph.h)
//
// span_kind is OTLP's enum name ("SPAN_KIND_SERVER"), status_code likewise ("STATUS_CODE_ERROR"), as Tempo writes
// them. The sink decorates the store's span sink: spans are stored first, and only a batch the inner sink
// accepted is counted (a refused batch is retried by its client and would otherwise count twice). Counters are
// cumulative in memory and written with the flush time as timestamp every flush interval — one sample per series
// per flush, not one per span.
//
//   processors::SpanMetricsSink sink(trace_store, &tsdb, clock, options);
//   sink.Start();                 // flushes every options.flush_interval until Stop()
//   receivers::TraceReceivers receivers(&sink, registry);
#ifndef VIGIL_PROCESSORS_SPANMETRICS_SPAN_METRICS_SINK_H_
#define VIGIL_PROCESSORS_SPANMETRICS_SPAN_METRICS_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/receivers/span_sink.h"
#include "base/clock/clock.h"
#include "model/labels.h"
#include "processors/spanmetrics/histogram.h"
#include "processors/spanmetrics/service_graph.h"
#include "tsdb/storage/storage.h"

namespace vigil::processors {

struct SpanMetricsOptions {
  // How often the series are written to the TSDB.
  absl::Duration flush_interval = absl::Seconds(15);
  // Latency histogram bounds in seconds: Tempo's default, 2ms doubling 14 times (0.002 ... 16.384).
  std::vector<double> latency_buckets = {0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128,
                                         0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384};
  // Distinct {service, span_name, span_kind, status_code} kept at most; spans of further combinations are
  // counted in traces_spanmetrics_dropped_spans_total instead.
  size_t max_series = 10000;
  // Whether to build the service graph as well.
  bool service_graphs = true;
  ServiceGraphOptions service_graph;
};

class SpanMetricsSink : public receivers::SpanSink {
 public:
  // `inner`, `storage` and `clock` must outlive the sink.
  SpanMetricsSink(receivers::SpanSink* inner, tsdb::Appendable* storage, Clock* clock, SpanMetricsOptions options);
  ~SpanMetricsSink() override;

  // Stores the spans through the inner sink; if it accepted them, counts them. Returns the inner sink's status.
  absl::Status Consume(std::vector<Span> spans) override;
  absl::Status ConsumeFrom(std::string_view peer_addr, std::vector<Span> spans) override;

  // Expires service graph halves and writes every series' current value at the clock's now. Thread-safe; the
  // periodic loop calls it, tests call it directly.
  absl::Status Flush();

  // Starts the flush loop (a thread waiting on the clock); Stop() ends it after one last flush.
  void Start();
  void Stop();

  // Spans not counted because the series limit was reached.
  double dropped_spans() const;
  // Series currently kept (span metrics only).
  size_t num_series() const;

 private:
  struct Series {
    Labels labels;  // service, span_name, span_kind, status_code
    double calls = 0;
    CumulativeHistogram latency;
  };
  // What is counted of a span, taken before the span moves into the inner sink.
  struct Observation {
    std::string key;  // service \xff name \xff kind \xff status
    std::string_view service, name;
    SpanKind kind;
    SpanStatusCode status;
    double seconds;
  };

  absl::Status Record(std::vector<Span>& spans, absl::FunctionRef<absl::Status(std::vector<Span>)> store);

  receivers::SpanSink* inner_;
  tsdb::Appendable* storage_;
  Clock* clock_;
  SpanMetricsOptions options_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Series> series_ ABSL_GUARDED_BY(mu_);
  ServiceGraph graph_ ABSL_GUARDED_BY(mu_);
  double dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool seen_spans_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex flush_mu_;  // one flush at a time, so samples reach the TSDB in time order
  std::unique_ptr<absl::Notification> stop_;
  std::thread loop_;
};

}  // namespace vigil::processors

#endif  // VIGIL_PROCESSORS_SPANMETRICS_SPAN_METRICS_SINK_H_
