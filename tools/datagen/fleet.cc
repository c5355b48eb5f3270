#include "tools/datagen/fleet.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"
#include "tools/datagen/catalog.h"

namespace vigil::datagen {
namespace {

constexpr double kDayMs = 86400000.0;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The OpenMetrics unit of a family: its name's last word, when that is a base unit.
std::string UnitOf(std::string_view family) {
  for (std::string_view unit : {"seconds", "bytes", "celsius", "hertz", "joules"}) {
    if (family.size() > unit.size() + 1 && family.ends_with(unit) && family[family.size() - unit.size() - 1] == '_') {
      return std::string(unit);
    }
  }
  return "";
}

// node_cpu_seconds_total's share of each mode at utilisation `u` (mode order as in catalog.cc: idle, iowait,
// irq, nice, softirq, steal, system, user); `enabled` scales the optional modes (nice, steal).
double CpuShare(uint8_t mode, double u, double enabled) {
  static constexpr double kBusyShare[] = {0, 0.03, 0.006, 0.004, 0.03, 0.01, 0.24, 0.64};
  if (mode != 0) return kBusyShare[mode] * u * enabled;
  return std::max(0.0, 1.0 - 0.97 * u);  // the busy modes other than nice/steal sum to 0.946; leave some slack
}

}  // namespace

// ---- FleetBuilder (declared in catalog.h).

uint32_t FleetBuilder::Family(std::string_view sample_name, exposition::MetricType type, std::string_view help) {
  const auto it = family_index_.find(AV(sample_name));
  if (it != family_index_.end()) return it->second;
  FamilyInfo f;
  f.name = std::string(sample_name);
  // OpenMetrics names a counter family without the _total of its samples.
  if (type == exposition::MetricType::kCounter && f.name.ends_with("_total")) f.name.resize(f.name.size() - 6);
  f.type = type;
  f.help = std::string(help);
  f.unit = UnitOf(f.name);
  const auto index = static_cast<uint32_t>(fleet_->families_.size());
  fleet_->families_.push_back(std::move(f));
  by_family_.emplace_back();
  family_index_.emplace(std::string(sample_name), index);
  return index;
}

void FleetBuilder::Add(uint32_t family, std::string_view name, std::initializer_list<LabelPair> labels,
                       const ValueModel& model) {
  LabelPair pairs[16];
  size_t n = 0;
  pairs[n++] = {kMetricNameLabel, name};
  pairs[n++] = {"instance", host_->instance};
  pairs[n++] = {"job", "node"};
  for (const LabelPair& p : labels) pairs[n++] = p;  // the catalog never passes more than 13
  SeriesInfo s;
  s.labels = Labels::FromPairs(std::span<const LabelPair>(pairs, n));
  s.family = family;
  s.host = host_position_;
  s.model = model;
  by_family_[family].push_back(std::move(s));
  ++host_series_;
}

void FleetBuilder::AddHost(uint32_t index) {
  const FleetOptions& o = fleet_->options_;
  HostInfo h;
  h.index = index;
  h.instance = absl::StrFormat("node%05d.example:9100", index);
  h.seed = HashPair(o.seed, index);
  Rng rng(h.seed);
  static constexpr int kCpus[] = {4, 4, 6, 8, 8, 8, 12, 16, 16, 24};
  h.cpus = kCpus[rng.Next() % std::size(kCpus)];
  h.bare_metal = rng.Chance(0.4);
  h.offset_ms = static_cast<int64_t>(rng.Next() % static_cast<uint64_t>(o.interval_ms));
  h.base_util = rng.Uniform(0.05, 0.55);
  h.daily_amplitude = rng.Uniform(0.1, 0.6);
  h.daily_phase = rng.Uniform(0, 2 * std::numbers::pi);
  h.cpu_factor.resize(static_cast<size_t>(h.cpus));
  for (double& f : h.cpu_factor) f = rng.Uniform(0.6, 1.4);
  const double uptime_s = std::round(rng.Uniform(1, 120) * 86400);

  host_position_ = static_cast<uint32_t>(fleet_->hosts_.size());
  fleet_->hosts_.push_back(std::move(h));
  host_ = &fleet_->hosts_.back();
  host_series_ = 0;
  AddHostSeries(*this, rng, uptime_s);
  host_ = nullptr;
}

void FleetBuilder::Finish() {
  size_t total = 0;
  for (const auto& v : by_family_) total += v.size();
  fleet_->series_.reserve(total);
  for (auto& v : by_family_) {
    for (SeriesInfo& s : v) fleet_->series_.push_back(std::move(s));
    v.clear();
    v.shrink_to_fit();
  }
}

// ---- Fleet.

absl::StatusOr<Fleet> Fleet::Create(const FleetOptions& options) {
  if (options.hosts < 1)
    return absl::InvalidArgumentError(absl::StrFormat("fleet: hosts must be >= 1, got %d", options.hosts));
  if (options.first_host < 0) {
    return absl::InvalidArgumentError(absl::StrFormat("fleet: first host must be >= 0, got %d", options.first_host));
  }
  if (options.interval_ms < 1) {
    return absl::InvalidArgumentError(absl::StrFormat("fleet: interval must be >= 1ms, got %dms", options.interval_ms));
  }
  if (options.duration_ms < 0) {
    return absl::InvalidArgumentError(absl::StrFormat("fleet: duration must be >= 0, got %dms", options.duration_ms));
  }
  if (!(options.reboots_per_day >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("fleet: reboots per day must be >= 0, got %g", options.reboots_per_day));
  }
  Fleet fleet;
  fleet.options_ = options;
  fleet.steps_ = options.duration_ms / options.interval_ms;
  fleet.reboot_probability_ =
      std::min(1.0, options.reboots_per_day * static_cast<double>(options.interval_ms) / kDayMs);
  fleet.hosts_.reserve(static_cast<size_t>(options.hosts));
  FleetBuilder builder(&fleet);
  for (int i = 0; i < options.hosts; ++i) builder.AddHost(static_cast<uint32_t>(options.first_host + i));
  builder.Finish();
  return fleet;
}

bool Fleet::RebootAt(uint32_t host, int64_t step) const {
  if (step <= 0 || reboot_probability_ <= 0) return false;
  return ToUnit(HashPair(hosts_[host].seed ^ 0xB0075EEDULL, static_cast<uint64_t>(step))) < reboot_probability_;
}

double Fleet::Utilisation(uint32_t host, uint16_t cpu, TimestampMs t) const {
  const HostInfo& h = hosts_[host];
  // Daily cycle.
  double u = h.base_util *
             (1 + h.daily_amplitude * std::sin(2 * std::numbers::pi * static_cast<double>(t) / kDayMs + h.daily_phase));
  // Smooth noise: random knots every 5 minutes, eased in between.
  constexpr int64_t kKnotMs = 300000;
  const int64_t knot = FloorDiv(t, kKnotMs);
  const double f = static_cast<double>(t - knot * kKnotMs) / kKnotMs;
  const double n0 = 2 * ToUnit(HashPair(h.seed, static_cast<uint64_t>(knot))) - 1;
  const double n1 = 2 * ToUnit(HashPair(h.seed, static_cast<uint64_t>(knot + 1))) - 1;
  u *= 1 + 0.35 * (n0 + (n1 - n0) * f * f * (3 - 2 * f));
  // Rare one-minute spikes.
  if (ToUnit(HashPair(h.seed ^ 0x5B1CEULL, static_cast<uint64_t>(FloorDiv(t, 60000)))) < 0.004) u += 0.5 * (1 - u);
  if (cpu < h.cpu_factor.size()) u *= h.cpu_factor[cpu];
  return std::clamp(u, 0.01, 1.0);
}

// ---- SeriesCursor.

SeriesCursor::SeriesCursor(const Fleet& fleet, size_t series)
    : fleet_(fleet),
      series_(fleet.series()[series]),
      host_(fleet.hosts()[series_.host]),
      rng_(HashPair(host_.seed, series_.model.stream != 0 ? series_.model.stream : series_.labels.Hash())),
      dt_s_(static_cast<double>(fleet.options().interval_ms) / 1000) {
  // Series of one family start apart, as real ones do: counters at their own share of the uptime, gauges
  // around their own level.
  const ValueModel& m = series_.model;
  value_ = m.v0;
  target_ = m.a;
  switch (m.kind) {
    case ModelKind::kCounter:
      value_ = m.v0 * rng_.Uniform(0.75, 1.25);
      break;
    case ModelKind::kWalk:
      target_ = std::clamp(m.a * (1 + m.v0 * rng_.Uniform(-1, 1)), m.c, m.d);
      value_ = std::clamp(target_ + m.b * rng_.Normal(), m.c, m.d);
      break;
    case ModelKind::kDrain:
      value_ = m.v0 * m.e;
      break;
    case ModelKind::kLoad:
      value_ = host_.base_util * host_.cpus * rng_.Uniform(0.7, 1.3);
      break;
    default:
      break;
  }
}

double SeriesCursor::Quantize(double v) const {
  const double r = series_.model.resolution;
  if (r == 0) return v;
  // Counters round down so that they never decrease; gauges to the nearest step.
  const ModelKind k = series_.model.kind;
  const bool counter = k == ModelKind::kCounter || k == ModelKind::kCpu || k == ModelKind::kSparse;
  if (r < 1) {
    const double inverse = std::round(1 / r);  // 100, 1e6, 1e9: exact, so k/inverse is the nearest double
    return (counter ? std::floor(v * inverse) : std::round(v * inverse)) / inverse;
  }
  return (counter ? std::floor(v / r) : std::round(v / r)) * r;
}

bool SeriesCursor::Next(Sample* sample) {
  if (step_ >= fleet_.steps()) return false;
  const ValueModel& m = series_.model;
  const TimestampMs t = fleet_.Timestamp(series_.host, step_);
  const bool first = step_ == 0;
  const bool reboot = fleet_.RebootAt(series_.host, step_);
  ++step_;
  double out = 0;
  switch (m.kind) {
    case ModelKind::kConst:
      out = m.v0;
      break;
    case ModelKind::kCounter:
      if (reboot) value_ = 0;
      if (!first) {
        double rate = m.a;
        if (m.e > 0) rate *= 1 - m.e + m.e * fleet_.Utilisation(series_.host, m.cpu, t) / host_.base_util;
        double inc = rate * dt_s_ * std::max(0.0, 1 + m.b * rng_.Normal());
        if (m.c > 0 && rng_.Chance(m.c)) inc *= rng_.Uniform(2, m.d);
        value_ += inc;
      }
      out = Quantize(value_);
      break;
    case ModelKind::kSparse:
      if (reboot) value_ = 0;
      if (!first && rng_.Chance(m.a)) value_ += static_cast<double>(rng_.Int(1, static_cast<int64_t>(m.b)));
      out = value_;
      break;
    case ModelKind::kCpu:
      if (reboot) value_ = 0;
      if (!first) {
        const double u = fleet_.Utilisation(series_.host, m.cpu, t);
        value_ += dt_s_ * CpuShare(m.mode, u, m.a) * std::max(0.0, 1 + 0.02 * rng_.Normal());
      }
      out = Quantize(value_);
      break;
    case ModelKind::kWalk:
      if (reboot) value_ = target_;
      if (!first) value_ = std::clamp(value_ + m.e * (target_ - value_) + m.b * rng_.Normal(), m.c, m.d);
      out = Quantize(value_);
      break;
    case ModelKind::kDrain:
      if (!first) {
        value_ -= m.a * dt_s_ * std::max(0.0, 1 + 0.5 * rng_.Normal());
        if (m.b > 0 && rng_.Chance(m.b)) value_ += rng_.Uniform(0, 0.3) * (m.v0 - value_);
        value_ = std::clamp(value_, 0.02 * m.v0, m.v0);
      }
      out = std::max(0.0, Quantize(value_ - m.d));
      break;
    case ModelKind::kLoad: {
      const double busy =
          fleet_.Utilisation(series_.host, kHostWide, t) * host_.cpus * std::max(0.0, 1 + 0.2 * rng_.Normal());
      const double keep = std::exp(-dt_s_ / m.a);
      if (!first) value_ = value_ * keep + busy * (1 - keep);
      out = std::round(value_ * 100) / 100;
      break;
    }
    case ModelKind::kNoise:
      out = Quantize(m.a * std::exp(m.b * rng_.Normal()));
      break;
    case ModelKind::kTimeNow:
      out = Quantize(static_cast<double>(t) / 1000 + m.a + std::fabs(m.b * rng_.Normal()));
      break;
    case ModelKind::kUtilGauge: {
      const double busy = fleet_.Utilisation(series_.host, kHostWide, t) * host_.cpus;
      out = Quantize(std::max(0.0, m.a + m.b * busy + m.c * rng_.Normal()));
      break;
    }
    case ModelKind::kStep:
      if (!first && rng_.Chance(m.a)) value_ = m.v0 * (1 + m.b * rng_.Uniform(-1, 1));
      out = Quantize(value_);
      break;
    case ModelKind::kBootTime:
      if (reboot) value_ = std::floor(static_cast<double>(t) / 1000 - rng_.Uniform(20, 90));
      out = value_;
      break;
  }
  sample->t = t;
  sample->v = out;
  return true;
}

}  // namespace vigil::datagen
