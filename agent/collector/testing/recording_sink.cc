#include "agent/collector/testing/recording_sink.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "model/labels.h"

namespace vigil::agent {
namespace {

bool Matches(const RecordingSink::RecordedSample& s, std::string_view family, const RecordingSink::LabelMap& match) {
  if (s.family != family) return false;
  return std::all_of(match.begin(), match.end(), [&](const auto& kv) {
    auto it = s.labels.find(kv.first);
    return it != s.labels.end() && it->second == kv.second;
  });
}

}  // namespace

void RecordingSink::Family(std::string_view name, exposition::MetricType type, std::string_view help,
                           std::string_view unit) {
  current_.assign(name);
  auto [it, inserted] = families_.try_emplace(current_);
  if (!inserted && it->second.type != type) errors_.push_back(absl::StrCat(current_, ": restarted with another type"));
  RecordedFamily& f = it->second;
  f.type = type;
  f.help.assign(help);
  f.unit.assign(unit);
  ++f.starts;
}

void RecordingSink::Sample(std::span<const Label> labels, double value) {
  if (current_.empty()) {
    errors_.push_back("sample before any family");
    return;
  }
  RecordedSample s;
  s.family = current_;
  LabelsBuilder b;
  for (const Label& l : labels) {
    b.Set(l.name, l.value);
    if (!l.value.empty()) s.labels[std::string(l.name)] = std::string(l.value);
  }
  s.value = value;
  samples_.push_back(std::move(s));
  std::string key = b.Build().ToString();
  auto [it, inserted] = families_[current_].samples.emplace(key, value);
  if (!inserted) errors_.push_back(absl::StrCat(current_, key, ": duplicate series"));
}

std::optional<double> RecordingSink::Value(std::string_view name, std::string_view labels) const {
  auto f = families_.find(std::string(name));
  if (f == families_.end()) return std::nullopt;
  auto s = f->second.samples.find(labels.empty() ? std::string("{}") : std::string(labels));
  if (s == f->second.samples.end()) return std::nullopt;
  return s->second;
}

std::optional<double> RecordingSink::Find(std::string_view family, const LabelMap& match) const {
  std::optional<double> found;
  int n = 0;
  for (const RecordedSample& s : samples_) {
    if (!Matches(s, family, match)) continue;
    found = s.value;
    ++n;
  }
  return n == 1 ? found : std::nullopt;
}

int RecordingSink::Count(std::string_view family, const LabelMap& match) const {
  return static_cast<int>(std::count_if(samples_.begin(), samples_.end(),
                                        [&](const RecordedSample& s) { return Matches(s, family, match); }));
}

RecordingSink::LabelMap RecordingSink::LabelsOf(std::string_view family, std::string_view id) const {
  for (const RecordedSample& s : samples_) {
    auto it = s.labels.find("id");
    if (s.family == family && it != s.labels.end() && it->second == id) return s.labels;
  }
  return {};
}

void RecordingSink::Clear() {
  families_.clear();
  samples_.clear();
  current_.clear();
  errors_.clear();
}

}  // namespace vigil::agent
