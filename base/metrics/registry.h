// The self-metrics registry every Vigil binary exposes on /metrics.
//
// A registry holds metric families: a name, a help text, a type and a fixed list of label names. A family's
// children are the metrics for one set of label values, created on first use and never removed:
//
//   metrics::Registry& reg = metrics::Registry::Default();
//   absl::StatusOr<metrics::CounterFamily*> requests =
//       reg.NewCounter("vigil_http_requests_total", "HTTP requests served.", {"method", "code"});
//   metrics::Counter* ok_gets = (*requests)->WithLabels({"GET", "200"});   // Cache this pointer...
//   ok_gets->Inc();                                                         // ...and this is lock-free.
//
//   metrics::Gauge* up = reg.Gauge("vigil_up", "1 while the process runs.");   // Unlabelled shorthand.
//   reg.NewGaugeFunc("vigil_tsdb_head_series", "Series in the head block.", [head] { return head->NumSeries(); });
//
//   std::string page = reg.RenderText();   // Served with kTextContentType.
//
// All methods are thread-safe. Pointers returned by a registry stay valid for the registry's lifetime (or until
// Remove() of their family).
#ifndef VIGIL_BASE_METRICS_REGISTRY_H_
#define VIGIL_BASE_METRICS_REGISTRY_H_

#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/metrics/metric.h"
#include "base/metrics/text_format.h"

namespace vigil::metrics {

// Checks a metric name against Prometheus' [a-zA-Z_:][a-zA-Z0-9_:]*.
absl::Status ValidateMetricName(std::string_view name);

// Checks a label name against [a-zA-Z_][a-zA-Z0-9_]* and rejects names starting with "__", which Prometheus
// reserves for its own use (__name__, __address__, ...).
absl::Status ValidateLabelName(std::string_view name);

namespace internal {

// Orders label-value tuples lexicographically (the order children are rendered in) and lets a family look a
// tuple up by string_views without building a vector<string> first.
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(std::span<const std::string> a, std::span<const std::string> b) const;
  bool operator()(std::span<const std::string_view> a, std::span<const std::string> b) const;
  bool operator()(std::span<const std::string> a, std::span<const std::string_view> b) const;
};

// What every registered family has in common: name, help, type and label names, and a way to render itself.
class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  // "counter", "gauge" or "histogram".
  std::string_view type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends this family's text-format lines; nothing at all when it has no children.
  virtual void Render(std::string* out) const = 0;

 protected:
  Family(std::string_view name, std::string_view help, std::string_view type, std::vector<std::string> label_names);

  // Appends the "# HELP" and "# TYPE" lines.
  void AppendHeader(std::string* out) const;
  // Renders label pairs for the values, without braces: a="x",b="y". `values` has label_names().size() entries.
  std::string RenderLabels(std::span<const std::string> values) const;
  // Logs (once per family) that a caller passed `got` label values to this family.
  void LogWrongLabelCount(size_t got) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::string_view type_;
  const std::vector<std::string> label_names_;
  mutable std::atomic<bool> logged_wrong_label_count_{false};
};

}  // namespace internal

// A family of metrics of one kind (Counter, Gauge or Histogram) sharing a name and label names; one child per
// distinct tuple of label values. Obtained from Registry::NewCounter / NewGauge / NewHistogram.
template <typename M>
class MetricFamily final : public internal::Family {
 public:
  // The child for these label values (one per label name, in order), created on first use; the same pointer is
  // returned for the same values for the life of the family. Takes a lock, so hot paths should call it once and
  // keep the pointer.
  //
  // Passing the wrong number of values is a programming error. It does not crash: it logs an error (once per
  // family) and returns this family's "invalid" child, a working metric that is never rendered, so the bug shows
  // up in the log and as missing series rather than as a crash or a series with misaligned labels.
  M* WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  M* WithLabels(std::span<const std::string_view> values);
  M* WithLabels(std::span<const std::string> values);

  void Render(std::string* out) const override;

 private:
  friend class Registry;

  struct Child {
    std::unique_ptr<M> metric;
    std::string labels;  // Rendered label pairs, without braces.
  };

  MetricFamily(std::string_view name, std::string_view help, std::string_view type,
               std::vector<std::string> label_names, std::vector<double> upper_bounds);
  std::unique_ptr<M> NewMetric() const;
  template <typename V>
  M* Get(std::span<const V> values);

  const std::vector<double> upper_bounds_;  // Histograms only.
  std::vector<std::string> le_values_;      // Histograms only: the rendered bounds, then "+Inf".
  const std::unique_ptr<M> invalid_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, Child, internal::LabelValuesLess> children_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

extern template class MetricFamily<Counter>;
extern template class MetricFamily<Gauge>;
extern template class MetricFamily<Histogram>;

// One sample produced by a callback collector: values for the collector's label names, in order, and a value.
struct LabeledValue {
  std::vector<std::string> label_values;
  double value = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry served on /metrics by Vigil's binaries. Never destroyed.
  static Registry& Default();

  // Registers a family. Fails with InvalidArgument for an invalid metric or label name, a repeated label name,
  // or (histograms) invalid bounds or a label named "le"; with AlreadyExists if `name` is taken or any series name
  // the family renders (a histogram's name_bucket, name_sum, name_count) clashes with another family's. A family
  // without labels has its single child created at once (reach it with WithLabels({})), so it renders 0 from
  // the start; a labelled family renders nothing until its first child exists, as Prometheus clients do.
  absl::StatusOr<CounterFamily*> NewCounter(std::string_view name, std::string_view help,
                                            std::vector<std::string> label_names);
  absl::StatusOr<GaugeFamily*> NewGauge(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names);
  absl::StatusOr<HistogramFamily*> NewHistogram(std::string_view name, std::string_view help,
                                                std::vector<std::string> label_names, std::vector<double> upper_bounds);

  // Shorthands for unlabelled metrics, for names fixed in code. If registration fails (a bug: invalid or
  // duplicate name), the error is logged and a working metric that is never rendered is returned, so callers
  // never get null.
  metrics::Counter* Counter(std::string_view name, std::string_view help);
  metrics::Gauge* Gauge(std::string_view name, std::string_view help);
  metrics::Histogram* Histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds);

  // Registers an unlabelled gauge or counter whose value `fn` computes at each scrape (a head block's series
  // count, a WAL's size on disk, CPU seconds used). Errors as for NewCounter.
  absl::Status NewGaugeFunc(std::string_view name, std::string_view help, std::function<double()> fn);
  absl::Status NewCounterFunc(std::string_view name, std::string_view help, std::function<double()> fn);

  // Registers a labelled gauge or counter family whose samples `fn` produces at each scrape (e.g. bytes per WAL
  // segment). Samples with the wrong number of label values, and repeats of an earlier sample's label values,
  // are dropped with an error log (once per family). No samples: the family renders nothing.
  absl::Status NewGaugeCollector(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                                 std::function<std::vector<LabeledValue>()> fn);
  absl::Status NewCounterCollector(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                                   std::function<std::vector<LabeledValue>()> fn);

  // Unregisters and destroys a family; NotFound if there is none by that name. Pointers into the family must no
  // longer be used. Once this returns, a callback of the family is not running and will never be called again,
  // so an object a callback captured may be destroyed right after.
  absl::Status Remove(std::string_view name);

  // The whole registry in the Prometheus text exposition format 0.0.4: families sorted by name, each with
  // "# HELP" and "# TYPE" lines, children sorted by label values. Callbacks run inside, under the registry's
  // lock: they must not call into this registry.
  std::string RenderText() const;
  // The same, appended to *out (reuse one buffer across scrapes to avoid reallocating).
  void RenderText(std::string* out) const;

 private:
  absl::Status Register(std::unique_ptr<internal::Family> family, std::span<const std::string> series_names);
  absl::Status NewCallback(std::string_view name, std::string_view help, std::string_view type,
                           std::vector<std::string> label_names, std::function<std::vector<LabeledValue>()> fn);
  template <typename M>
  absl::StatusOr<MetricFamily<M>*> NewFamily(std::string_view name, std::string_view help, std::string_view type,
                                             std::vector<std::string> label_names, std::vector<double> upper_bounds);
  template <typename M>
  M* Unlabelled(std::string_view name, std::string_view help, std::string_view type, std::vector<double> upper_bounds);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<internal::Family>, std::less<>> families_ ABSL_GUARDED_BY(mu_);
  // Every series name a family renders (its own name included) -> that family's name.
  std::map<std::string, std::string, std::less<>> series_names_ ABSL_GUARDED_BY(mu_);
  // Families whose registration failed in a shorthand; kept alive, never rendered.
  std::vector<std::unique_ptr<internal::Family>> detached_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::metrics

#endif  // VIGIL_BASE_METRICS_REGISTRY_H_
