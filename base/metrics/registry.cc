#include "base/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"

namespace vigil::metrics {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <typename A, typename B>
bool LexicographicallyLess(std::span<const A> a, std::span<const B> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return std::string_view(x) < std::string_view(y);
  });
}

void AppendUint(uint64_t n, std::string* out) {
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), n);
  out->append(buf, r.ptr);
}

// Appends "name{labels} " (or "name " without labels).
void AppendSeries(std::string_view name, std::string_view labels, std::string* out) {
  out->append(name);
  if (!labels.empty()) {
    out->push_back('{');
    out->append(labels);
    out->push_back('}');
  }
  out->push_back(' ');
}

absl::Status ValidateLabelNames(std::string_view metric, const std::vector<std::string>& label_names, bool histogram) {
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (absl::Status s = ValidateLabelName(label); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("metric \"", AV(metric), "\": ", s.message()));
    }
    if (histogram && label == "le") {
      return absl::InvalidArgumentError(
          absl::StrCat("metric \"", AV(metric), "\": label name \"le\" is reserved for histogram buckets"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (label_names[j] == label) {
        return absl::InvalidArgumentError(
            absl::StrCat("metric \"", AV(metric), "\": label name \"", label, "\" is listed twice"));
      }
    }
  }
  return absl::OkStatus();
}

// Samples produced at scrape time by a callback.
class CallbackFamily final : public internal::Family {
 public:
  CallbackFamily(std::string_view name, std::string_view help, std::string_view type,
                 std::vector<std::string> label_names, std::function<std::vector<LabeledValue>()> fn)
      : Family(name, help, type, std::move(label_names)), fn_(std::move(fn)) {}

  void Render(std::string* out) const override {
    std::vector<LabeledValue> samples = fn_();
    std::erase_if(samples, [&](const LabeledValue& s) {
      if (s.label_values.size() == label_names().size()) return false;
      LogWrongLabelCount(s.label_values.size());
      return true;
    });
    if (samples.empty()) return;
    std::stable_sort(samples.begin(), samples.end(), [](const LabeledValue& a, const LabeledValue& b) {
      return internal::LabelValuesLess()(a.label_values, b.label_values);
    });
    AppendHeader(out);
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i > 0 && samples[i].label_values == samples[i - 1].label_values) {
        LogDuplicate();
        continue;
      }
      AppendSeries(name(), RenderLabels(samples[i].label_values), out);
      AppendValue(samples[i].value, out);
      out->push_back('\n');
    }
  }

 private:
  void LogDuplicate() const {
    if (logged_duplicate_.exchange(true, std::memory_order_relaxed)) return;
    log::Error("metric collector returned the same label values twice; dropping the repeats", {{"metric", name()}});
  }

  const std::function<std::vector<LabeledValue>()> fn_;
  mutable std::atomic<bool> logged_duplicate_{false};
};

std::function<std::vector<LabeledValue>()> SingleValue(std::function<double()> fn) {
  return [fn = std::move(fn)] { return std::vector<LabeledValue>{LabeledValue{{}, fn()}}; };
}

}  // namespace

absl::Status ValidateMetricName(std::string_view name) {
  bool ok = !name.empty() && !IsDigit(name[0]);
  for (char c : name) ok = ok && (IsAsciiLetter(c) || IsDigit(c) || c == '_' || c == ':');
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid metric name \"", AV(name), "\": must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
}

absl::Status ValidateLabelName(std::string_view name) {
  bool ok = !name.empty() && !IsDigit(name[0]);
  for (char c : name) ok = ok && (IsAsciiLetter(c) || IsDigit(c) || c == '_');
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label name \"", AV(name), "\": must match [a-zA-Z_][a-zA-Z0-9_]*"));
  }
  if (name.starts_with("__")) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label name \"", AV(name), "\": names starting with \"__\" are reserved"));
  }
  return absl::OkStatus();
}

namespace internal {

bool LabelValuesLess::operator()(std::span<const std::string> a, std::span<const std::string> b) const {
  return LexicographicallyLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string_view> a, std::span<const std::string> b) const {
  return LexicographicallyLess(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string> a, std::span<const std::string_view> b) const {
  return LexicographicallyLess(a, b);
}

Family::Family(std::string_view name, std::string_view help, std::string_view type,
               std::vector<std::string> label_names)
    : name_(name), help_(help), type_(type), label_names_(std::move(label_names)) {}

void Family::AppendHeader(std::string* out) const {
  out->append("# HELP ");
  out->append(name_);
  out->push_back(' ');
  AppendEscapedHelp(help_, out);
  out->append("\n# TYPE ");
  out->append(name_);
  out->push_back(' ');
  out->append(type_);
  out->push_back('\n');
}

std::string Family::RenderLabels(std::span<const std::string> values) const {
  std::string out;
  for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(label_names_[i]);
    out.append("=\"");
    AppendEscapedLabelValue(values[i], &out);
    out.push_back('"');
  }
  return out;
}

void Family::LogWrongLabelCount(size_t got) const {
  if (logged_wrong_label_count_.exchange(true, std::memory_order_relaxed)) return;
  log::Error("metric used with the wrong number of label values; its samples are dropped",
             {{"metric", name_}, {"want", label_names_.size()}, {"got", got}});
}

}  // namespace internal

template <typename M>
MetricFamily<M>::MetricFamily(std::string_view name, std::string_view help, std::string_view type,
                              std::vector<std::string> label_names, std::vector<double> upper_bounds)
    : Family(name, help, type, std::move(label_names)), upper_bounds_(std::move(upper_bounds)), invalid_(NewMetric()) {
  if constexpr (std::is_same_v<M, metrics::Histogram>) {
    for (double bound : invalid_->upper_bounds()) le_values_.push_back(FormatValue(bound));
    le_values_.push_back("+Inf");
  }
  if (this->label_names().empty()) WithLabels({});
}

template <typename M>
std::unique_ptr<M> MetricFamily<M>::NewMetric() const {
  if constexpr (std::is_same_v<M, metrics::Histogram>) {
    return std::make_unique<M>(upper_bounds_);
  } else {
    return std::make_unique<M>();
  }
}

template <typename M>
M* MetricFamily<M>::WithLabels(std::span<const std::string_view> values) {
  return Get(values);
}

template <typename M>
M* MetricFamily<M>::WithLabels(std::span<const std::string> values) {
  return Get(values);
}

template <typename M>
template <typename V>
M* MetricFamily<M>::Get(std::span<const V> values) {
  if (values.size() != label_names().size()) {
    LogWrongLabelCount(values.size());
    return invalid_.get();
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return it->second.metric.get();
  }
  std::vector<std::string> key(values.begin(), values.end());
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = children_.try_emplace(std::move(key));
  if (inserted) {
    it->second.metric = NewMetric();
    it->second.labels = RenderLabels(it->first);
  }
  return it->second.metric.get();
}

template <typename M>
void MetricFamily<M>::Render(std::string* out) const {
  absl::ReaderMutexLock lock(&mu_);
  if (children_.empty()) return;
  AppendHeader(out);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<M, metrics::Counter>) {
      AppendSeries(name(), child.labels, out);
      child.metric->AppendText(out);
      out->push_back('\n');
    } else if constexpr (std::is_same_v<M, metrics::Gauge>) {
      AppendSeries(name(), child.labels, out);
      AppendValue(child.metric->Value(), out);
      out->push_back('\n');
    } else {
      const HistogramSnapshot snapshot = child.metric->Snapshot();
      for (size_t i = 0; i < le_values_.size(); ++i) {
        out->append(name());
        out->append("_bucket{");
        if (!child.labels.empty()) {
          out->append(child.labels);
          out->push_back(',');
        }
        out->append("le=\"");
        out->append(le_values_[i]);
        out->append("\"} ");
        AppendUint(snapshot.cumulative_counts[i], out);
        out->push_back('\n');
      }
      out->append(name());
      out->append("_sum");
      AppendSeries("", child.labels, out);
      AppendValue(snapshot.sum, out);
      out->push_back('\n');
      out->append(name());
      out->append("_count");
      AppendSeries("", child.labels, out);
      AppendUint(snapshot.count, out);
      out->push_back('\n');
    }
  }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  static Registry* const registry = new Registry();
  return *registry;
}

absl::Status Registry::Register(std::unique_ptr<internal::Family> family, std::span<const std::string> series_names) {
  absl::MutexLock lock(&mu_);
  if (families_.contains(family->name())) {
    return absl::AlreadyExistsError(absl::StrCat("metric \"", family->name(), "\" is already registered"));
  }
  for (const std::string& series : series_names) {
    auto it = series_names_.find(series);
    if (it != series_names_.end()) {
      return absl::AlreadyExistsError(absl::StrCat("metric \"", family->name(), "\" would render series \"", series,
                                                   "\", which metric \"", it->second, "\" already renders"));
    }
  }
  for (const std::string& series : series_names) series_names_.emplace(series, family->name());
  const std::string name = family->name();
  families_.emplace(name, std::move(family));
  return absl::OkStatus();
}

template <typename M>
absl::StatusOr<MetricFamily<M>*> Registry::NewFamily(std::string_view name, std::string_view help,
                                                     std::string_view type, std::vector<std::string> label_names,
                                                     std::vector<double> upper_bounds) {
  constexpr bool kHistogram = std::is_same_v<M, metrics::Histogram>;
  VIGIL_RETURN_IF_ERROR(ValidateMetricName(name));
  VIGIL_RETURN_IF_ERROR(ValidateLabelNames(name, label_names, kHistogram));
  std::vector<std::string> series = {std::string(name)};
  if constexpr (kHistogram) {
    if (absl::Status s = ValidateBuckets(upper_bounds); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("metric \"", AV(name), "\": ", s.message()));
    }
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) series.push_back(absl::StrCat(AV(name), AV(suffix)));
  }
  // The constructor is private to Registry, hence no make_unique.
  std::unique_ptr<MetricFamily<M>> family(
      new MetricFamily<M>(name, help, type, std::move(label_names), std::move(upper_bounds)));
  MetricFamily<M>* result = family.get();
  VIGIL_RETURN_IF_ERROR(Register(std::move(family), series));
  return result;
}

absl::StatusOr<CounterFamily*> Registry::NewCounter(std::string_view name, std::string_view help,
                                                    std::vector<std::string> label_names) {
  return NewFamily<metrics::Counter>(name, help, "counter", std::move(label_names), {});
}

absl::StatusOr<GaugeFamily*> Registry::NewGauge(std::string_view name, std::string_view help,
                                                std::vector<std::string> label_names) {
  return NewFamily<metrics::Gauge>(name, help, "gauge", std::move(label_names), {});
}

absl::StatusOr<HistogramFamily*> Registry::NewHistogram(std::string_view name, std::string_view help,
                                                        std::vector<std::string> label_names,
                                                        std::vector<double> upper_bounds) {
  return NewFamily<metrics::Histogram>(name, help, "histogram", std::move(label_names), std::move(upper_bounds));
}

template <typename M>
M* Registry::Unlabelled(std::string_view name, std::string_view help, std::string_view type,
                        std::vector<double> upper_bounds) {
  absl::StatusOr<MetricFamily<M>*> family = NewFamily<M>(name, help, type, {}, upper_bounds);
  if (family.ok()) return (*family)->WithLabels({});
  log::Error("metric registration failed; the metric works but is not exported",
             {{"metric", name}, {"err", family.status()}});
  if (!ValidateBuckets(upper_bounds).ok()) upper_bounds = DefaultBuckets();
  std::unique_ptr<MetricFamily<M>> detached(new MetricFamily<M>(name, help, type, {}, std::move(upper_bounds)));
  M* metric = detached->WithLabels({});
  absl::MutexLock lock(&mu_);
  detached_.push_back(std::move(detached));
  return metric;
}

metrics::Counter* Registry::Counter(std::string_view name, std::string_view help) {
  return Unlabelled<metrics::Counter>(name, help, "counter", {});
}

metrics::Gauge* Registry::Gauge(std::string_view name, std::string_view help) {
  return Unlabelled<metrics::Gauge>(name, help, "gauge", {});
}

metrics::Histogram* Registry::Histogram(std::string_view name, std::string_view help,
                                        std::vector<double> upper_bounds) {
  return Unlabelled<metrics::Histogram>(name, help, "histogram", std::move(upper_bounds));
}

absl::Status Registry::NewCallback(std::string_view name, std::string_view help, std::string_view type,
                                   std::vector<std::string> label_names,
                                   std::function<std::vector<LabeledValue>()> fn) {
  VIGIL_RETURN_IF_ERROR(ValidateMetricName(name));
  VIGIL_RETURN_IF_ERROR(ValidateLabelNames(name, label_names, /*histogram=*/false));
  if (!fn) return absl::InvalidArgumentError(absl::StrCat("metric \"", AV(name), "\": no callback"));
  const std::string series[] = {std::string(name)};
  return Register(std::make_unique<CallbackFamily>(name, help, type, std::move(label_names), std::move(fn)), series);
}

absl::Status Registry::NewGaugeFunc(std::string_view name, std::string_view help, std::function<double()> fn) {
  if (!fn) return absl::InvalidArgumentError(absl::StrCat("metric \"", AV(name), "\": no callback"));
  return NewCallback(name, help, "gauge", {}, SingleValue(std::move(fn)));
}

absl::Status Registry::NewCounterFunc(std::string_view name, std::string_view help, std::function<double()> fn) {
  if (!fn) return absl::InvalidArgumentError(absl::StrCat("metric \"", AV(name), "\": no callback"));
  return NewCallback(name, help, "counter", {}, SingleValue(std::move(fn)));
}

absl::Status Registry::NewGaugeCollector(std::string_view name, std::string_view help,
                                         std::vector<std::string> label_names,
                                         std::function<std::vector<LabeledValue>()> fn) {
  return NewCallback(name, help, "gauge", std::move(label_names), std::move(fn));
}

absl::Status Registry::NewCounterCollector(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names,
                                           std::function<std::vector<LabeledValue>()> fn) {
  return NewCallback(name, help, "counter", std::move(label_names), std::move(fn));
}

absl::Status Registry::Remove(std::string_view name) {
  std::unique_ptr<internal::Family> removed;
  {
    absl::MutexLock lock(&mu_);
    auto it = families_.find(name);
    if (it == families_.end()) {
      return absl::NotFoundError(absl::StrCat("metric \"", AV(name), "\" is not registered"));
    }
    removed = std::move(it->second);
    families_.erase(it);
    std::erase_if(series_names_, [&](const auto& entry) { return entry.second == name; });
  }
  // Destroyed outside the lock: a callback's captures may have destructors that do anything.
  return absl::OkStatus();
}

std::string Registry::RenderText() const {
  std::string out;
  RenderText(&out);
  return out;
}

void Registry::RenderText(std::string* out) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(out);
}

}  // namespace vigil::metrics
