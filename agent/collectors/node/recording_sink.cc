#include "agent/collectors/node/recording_sink.h"

#include "absl/strings/str_cat.h"
#include "model/labels.h"

namespace vigil::agent::node {

void RecordingSink::Family(std::string_view name, exposition::MetricType type, std::string_view help,
                           std::string_view /*unit*/) {
  current_.assign(name);
  auto [it, inserted] = families_.try_emplace(current_);
  if (!inserted && it->second.type != type) errors_.push_back(absl::StrCat(current_, ": restarted with another type"));
  it->second.type = type;
  it->second.help.assign(help);
}

void RecordingSink::Sample(std::span<const Label> labels, double value) {
  if (current_.empty()) {
    errors_.push_back("sample before any family");
    return;
  }
  LabelsBuilder b;
  for (const Label& l : labels) b.Set(l.name, l.value);
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

void RecordingSink::Clear() {
  families_.clear();
  current_.clear();
  errors_.clear();
}

}  // namespace vigil::agent::node
