#include "agent/loop/collection_loop.h"

#include <malloc.h>

#include <memory>
#include <utility>

#include "base/log/log.h"
#include "base/version/version.h"

namespace vigil::agent {
namespace {

using exposition::MetricType;

void Gauge(MetricSink* sink, std::string_view name, std::string_view help, double value, std::string_view unit = {}) {
  sink->Family(name, MetricType::kGauge, help, unit);
  sink->Sample({}, value);
}

void Counter(MetricSink* sink, std::string_view name, std::string_view help, double value, std::string_view unit = {}) {
  sink->Family(name, MetricType::kCounter, help, unit);
  sink->Sample({}, value);
}

}  // namespace

CollectionLoop::CollectionLoop(std::vector<Collector*> collectors, SnapshotExchange* exchange, Clock* clock,
                               CollectionLoopOptions options)
    : exchange_(exchange), clock_(clock), options_(options) {
  for (Collector* c : collectors) {
    CollectorState state;
    state.collector = c;
    state.name = std::string(c->name());
    collectors_.push_back(std::move(state));
  }
}

void CollectionLoop::RunCycle() {
  const absl::Time start = clock_->Now();
  std::shared_ptr<Snapshot> snapshot = exchange_->AcquireForWrite(absl::ToUnixMillis(start));
  for (CollectorState& c : collectors_) {
    const absl::Time t0 = clock_->Now();
    absl::Status s = c.collector->Collect(snapshot.get());
    c.last_duration_seconds = absl::ToDoubleSeconds(clock_->Now() - t0);
    c.last_ok = s.ok();
    if (!s.ok()) {
      ++c.errors;
      std::string message(s.ToString());
      if (message != c.last_error) {
        log::Warn("collector failed", {{"collector", c.name}, {"err", s}});
        c.last_error = std::move(message);
      }
    } else if (!c.last_error.empty()) {
      log::Info("collector recovered", {{"collector", c.name}});
      c.last_error.clear();
    }
  }
  WriteOwnMetrics(snapshot.get());
  snapshot->Seal();
  duplicates_total_ += static_cast<int64_t>(snapshot->duplicates_dropped());
  if (snapshot->duplicates_dropped() > 0 || snapshot->orphan_samples_dropped() > 0) {
    log::Debug("samples dropped from the cycle",
               {{"duplicates", static_cast<int64_t>(snapshot->duplicates_dropped())},
                {"without_family", static_cast<int64_t>(snapshot->orphan_samples_dropped())}});
  }

  exchange_->Publish(snapshot);
  ready_.store(true, std::memory_order_release);
  for (Shipper* s : shippers_) s->Ship(*snapshot);
  // A cycle frees the previous cycle's encoding buffers and parse scratch; hand the free heap pages back to the
  // kernel now rather than keep them until the next cycle reuses them (the agent's RSS is its budget on a node).
  malloc_trim(0);

  last_cycle_seconds_ = absl::ToDoubleSeconds(clock_->Now() - start);
  if (clock_->Now() - start > options_.interval) ++overruns_;
  cycles_.fetch_add(1, std::memory_order_relaxed);
}

void CollectionLoop::WriteOwnMetrics(Snapshot* snapshot) {
  MetricSink* sink = snapshot;
  sink->Family("vigil_agent_collector_duration_seconds", MetricType::kGauge,
               "How long each collector took in the latest collection cycle.", "seconds");
  for (const CollectorState& c : collectors_) {
    Label l[] = {{"collector", c.name}};
    sink->Sample(l, c.last_duration_seconds);
  }
  sink->Family("vigil_agent_collector_success", MetricType::kGauge,
               "Whether each collector succeeded in the latest collection cycle.");
  for (const CollectorState& c : collectors_) {
    Label l[] = {{"collector", c.name}};
    sink->Sample(l, c.last_ok ? 1 : 0);
  }
  sink->Family("vigil_agent_collector_errors_total", MetricType::kCounter,
               "Collection cycles in which each collector failed.");
  for (const CollectorState& c : collectors_) {
    Label l[] = {{"collector", c.name}};
    sink->Sample(l, static_cast<double>(c.errors));
  }
  Counter(sink, "vigil_agent_cycles_total", "Collection cycles completed before this one.",
          static_cast<double>(cycles_.load(std::memory_order_relaxed)));
  Gauge(sink, "vigil_agent_cycle_duration_seconds", "How long the previous collection cycle took, shipping included.",
        last_cycle_seconds_, "seconds");
  Counter(sink, "vigil_agent_cycle_overruns_total", "Collection cycles that took longer than the interval.",
          static_cast<double>(overruns_));
  Counter(sink, "vigil_agent_snapshot_duplicate_samples_dropped_total",
          "Samples dropped because a collector wrote their series twice in one cycle.",
          static_cast<double>(duplicates_total_));
  sink->Family("vigil_agent_build_info", MetricType::kGauge, "vigil-agent's version; the value is always 1.");
  Label version[] = {{"version", kVersion}};
  sink->Sample(version, 1);
  // The last sample of the cycle, counting itself: what a receiver should find at this cycle's timestamp.
  Gauge(sink, "vigil_agent_snapshot_samples", "Samples in this collection cycle, this one included.",
        static_cast<double>(snapshot->num_samples() + 1));
}

void CollectionLoop::Run(absl::Notification* stop) {
  absl::Time next = clock_->Now();
  while (!stop->HasBeenNotified()) {
    RunCycle();
    next += options_.interval;
    const absl::Time now = clock_->Now();
    if (next <= now) {
      // Overran: resume on the grid rather than running the missed cycles back to back.
      absl::Duration rem;
      const int64_t missed = absl::IDivDuration(now - next, options_.interval, &rem) + 1;
      next += options_.interval * missed;
    }
    if (!clock_->SleepUntil(next, stop)) break;
  }
}

}  // namespace vigil::agent
