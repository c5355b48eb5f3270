#include "processors/spanmetrics/span_metrics_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::processors {
namespace {

std::string_view KindLabel(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal:
      return "SPAN_KIND_INTERNAL";
    case SpanKind::kServer:
      return "SPAN_KIND_SERVER";
    case SpanKind::kClient:
      return "SPAN_KIND_CLIENT";
    case SpanKind::kProducer:
      return "SPAN_KIND_PRODUCER";
    case SpanKind::kConsumer:
      return "SPAN_KIND_CONSUMER";
    case SpanKind::kUnspecified:
      break;
  }
  return "SPAN_KIND_UNSPECIFIED";
}

std::string_view StatusLabel(SpanStatusCode code) {
  switch (code) {
    case SpanStatusCode::kOk:
      return "STATUS_CODE_OK";
    case SpanStatusCode::kError:
      return "STATUS_CODE_ERROR";
    case SpanStatusCode::kUnset:
      break;
  }
  return "STATUS_CODE_UNSET";
}

}  // namespace

SpanMetricsSink::SpanMetricsSink(receivers::SpanSink* inner, tsdb::Appendable* storage, Clock* clock,
                                 SpanMetricsOptions options)
    : inner_(inner), storage_(storage), clock_(clock), options_(std::move(options)), graph_(options_.service_graph) {}

SpanMetricsSink::~SpanMetricsSink() { Stop(); }

absl::Status SpanMetricsSink::Consume(std::vector<Span> spans) {
  return Record(spans, [this](std::vector<Span> s) { return inner_->Consume(std::move(s)); });
}

absl::Status SpanMetricsSink::ConsumeFrom(std::string_view peer_addr, std::vector<Span> spans) {
  return Record(spans, [this, peer_addr](std::vector<Span> s) { return inner_->ConsumeFrom(peer_addr, std::move(s)); });
}

absl::Status SpanMetricsSink::Record(std::vector<Span>& spans,
                                     absl::FunctionRef<absl::Status(std::vector<Span>)> store) {
  // The spans move into the store; keep what the metrics need first. Resources are shared pointers, so the
  // service name views stay valid while `resources` holds them.
  std::vector<std::shared_ptr<const Resource>> resources;
  std::vector<Observation> obs;
  std::vector<EdgeHalf> halves;
  obs.reserve(spans.size());
  std::vector<std::string> names;
  names.reserve(spans.size());
  for (const Span& s : spans) {
    if (resources.empty() || resources.back() != s.resource) resources.push_back(s.resource);
    names.push_back(s.name);
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    const std::string_view service = ServiceName(s);
    const double seconds = static_cast<double>(s.DurationNanos()) / 1e9;
    obs.push_back({absl::StrCat(AV(service), "\xff", AV(names[i]), "\xff", static_cast<int>(s.kind), "\xff",
                                static_cast<int>(s.status_code)),
                   service, names[i], s.kind, s.status_code, seconds});
    if (options_.service_graphs && ServiceGraph::IsEdgeKind(s.kind)) {
      halves.push_back({s.trace_id, s.span_id, s.parent_span_id, s.kind, std::string(service), seconds,
                        s.status_code == SpanStatusCode::kError});
    }
  }
  VIGIL_RETURN_IF_ERROR(store(std::move(spans)));

  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (!obs.empty()) seen_spans_ = true;
  for (Observation& o : obs) {
    auto it = series_.find(o.key);
    if (it == series_.end()) {
      if (series_.size() >= options_.max_series) {
        dropped_ += 1;
        continue;
      }
      LabelsBuilder b;
      b.Set("service", o.service.empty() ? std::string_view("unknown_service") : o.service);
      b.Set("span_name", o.name);
      b.Set("span_kind", KindLabel(o.kind));
      b.Set("status_code", StatusLabel(o.status));
      it = series_.emplace(std::move(o.key), Series{b.Build(), 0, CumulativeHistogram(options_.latency_buckets.size())})
               .first;
    }
    it->second.calls += 1;
    it->second.latency.Observe(options_.latency_buckets, o.seconds);
  }
  for (EdgeHalf& h : halves) graph_.Add(std::move(h), now);
  return absl::OkStatus();
}

absl::Status SpanMetricsSink::Flush() {
  absl::MutexLock flush_lock(&flush_mu_);
  const absl::Time now = clock_->Now();
  std::vector<FlushSample> samples;
  {
    absl::MutexLock lock(&mu_);
    // A store that never received a span writes no span metrics (not even zero counters): its TSDB holds only
    // what someone sent.
    if (!seen_spans_) return absl::OkStatus();
    samples.reserve(series_.size() * (options_.latency_buckets.size() + 4) + 4);
    for (const auto& [key, s] : series_) {
      samples.push_back({WithName(s.labels, "traces_spanmetrics_calls_total"), s.calls});
      s.latency.AppendSamples("traces_spanmetrics_latency", options_.latency_buckets, s.labels, &samples);
    }
    samples.push_back({Labels::FromPairs({{"__name__", "traces_spanmetrics_dropped_spans_total"}}), dropped_});
    if (options_.service_graphs) {
      graph_.Expire(now);
      graph_.AppendSamples(&samples);
    }
  }
  const TimestampMs ts = absl::ToUnixMillis(now);
  std::unique_ptr<tsdb::Appender> app = storage_->NewAppender();
  size_t refused = 0;
  absl::Status first;
  for (const FlushSample& s : samples) {
    if (absl::StatusOr<tsdb::SeriesRef> r = app->Append(0, s.labels, ts, s.value); !r.ok()) {
      if (first.ok()) first = r.status();
      ++refused;
    }
  }
  VIGIL_RETURN_IF_ERROR(app->Commit());
  if (refused > 0) {
    return absl::InternalError(absl::StrCat("span metrics flush: ", refused, " of ", samples.size(),
                                            " samples refused; first: ", AV(SV(first.message()))));
  }
  return absl::OkStatus();
}

void SpanMetricsSink::Start() {
  if (loop_.joinable()) return;
  stop_ = std::make_unique<absl::Notification>();
  loop_ = std::thread([this] {
    absl::Time next = clock_->Now() + options_.flush_interval;
    while (clock_->SleepUntil(next, stop_.get())) {
      if (absl::Status s = Flush(); !s.ok()) log::Warn("span metrics flush failed", {{"err", s}});
      next += options_.flush_interval;
      if (const absl::Time now = clock_->Now(); next <= now) next = now + options_.flush_interval;
    }
  });
}

void SpanMetricsSink::Stop() {
  if (!loop_.joinable()) return;
  stop_->Notify();
  loop_.join();
  if (absl::Status s = Flush(); !s.ok()) log::Warn("span metrics final flush failed", {{"err", s}});
}

double SpanMetricsSink::dropped_spans() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

size_t SpanMetricsSink::num_series() const {
  absl::MutexLock lock(&mu_);
  return series_.size();
}

}  // namespace vigil::processors
