#include "agent/loop/registry_collector.h"

#include "absl/container/flat_hash_map.h"
#include "wire/exposition/parser.h"

namespace vigil::agent {
namespace {

using exposition::MetricType;

// Feeds parsed samples into the sink, starting a family whenever the sample name changes. Metadata arrives only
// after a family's samples (the parser delivers it when the family ends), so it is taken from a first pass.
struct Copier {
  struct Meta {
    MetricType type = MetricType::kUnknown;
    std::string help;
  };
  absl::flat_hash_map<std::string, Meta>* meta;
  MetricSink* sink = nullptr;
  std::string current;

  void OnMetadata(const exposition::FamilyMetadata& m) {
    if (sink == nullptr) (*meta)[std::string(m.name)] = Meta{m.type, std::string(m.help)};
  }
  void OnSample(const exposition::ParsedSample& s) {
    if (sink == nullptr || s.name == current) {
      if (sink != nullptr) sink->Sample(s.labels, s.value);
      return;
    }
    current.assign(s.name);
    MetricType type = MetricType::kUnknown;
    std::string_view help;
    if (auto it = meta->find(std::string(s.family)); it != meta->end()) {
      help = it->second.help;
      // Parts of a histogram or summary are written as families of their own, untyped.
      if (s.suffix().empty()) type = it->second.type;
    }
    sink->Family(s.name, type, help);
    sink->Sample(s.labels, s.value);
  }
};

}  // namespace

absl::Status RegistryCollector::Collect(MetricSink* sink) {
  text_.clear();
  registry_->RenderText(&text_);
  absl::flat_hash_map<std::string, Copier::Meta> meta;
  for (MetricSink* pass : {static_cast<MetricSink*>(nullptr), sink}) {
    Copier copier{&meta, pass, {}};
    exposition::Parser parser(exposition::Format::kPrometheusText);
    absl::Status s = parser.Feed(text_, copier);
    if (s.ok()) s = parser.Finish(copier);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace vigil::agent
