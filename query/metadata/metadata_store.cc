#include "query/metadata/metadata_store.h"

#include <algorithm>

#include "base/strings/absl_view.h"

namespace vigil::query {
namespace {

bool Same(const MetricMetadata& m, exposition::MetricType type, std::string_view help, std::string_view unit) {
  return m.type == type && m.help == help && m.unit == unit;
}

}  // namespace

std::string_view MetadataTypeName(exposition::MetricType type) {
  return exposition::MetricTypeName(type, exposition::Format::kOpenMetrics);
}

MetadataStore::MetadataStore(MetadataStoreOptions options) : options_(options) {
  if (options_.max_entries_per_family == 0) options_.max_entries_per_family = 1;
}

void MetadataStore::Put(std::string_view family, exposition::MetricType type, std::string_view help,
                        std::string_view unit) {
  if (family.empty()) return;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = families_.find(AV(family));
    // Already the most recent entry: nothing to do (the steady state of periodic metadata).
    if (it != families_.end() && !it->second.empty() && Same(it->second.front(), type, help, unit)) return;
  }
  absl::MutexLock lock(&mu_);
  auto it = families_.find(AV(family));
  if (it == families_.end()) {
    if (families_.size() >= options_.max_families) {
      ++dropped_;
      return;
    }
    it = families_.emplace(std::string(family), std::vector<MetricMetadata>{}).first;
  }
  std::vector<MetricMetadata>& entries = it->second;
  auto same =
      std::find_if(entries.begin(), entries.end(), [&](const MetricMetadata& m) { return Same(m, type, help, unit); });
  if (same != entries.end()) {
    std::rotate(entries.begin(), same, same + 1);
    return;
  }
  if (entries.size() >= options_.max_entries_per_family) entries.pop_back();
  entries.insert(entries.begin(), MetricMetadata{type, std::string(help), std::string(unit)});
}

std::vector<std::pair<std::string, std::vector<MetricMetadata>>> MetadataStore::List(const MetadataQuery& query) const {
  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> out;
  auto take = [&](const std::string& name, const std::vector<MetricMetadata>& entries) {
    size_t n = entries.size();
    if (query.limit_per_metric > 0) n = std::min(n, static_cast<size_t>(query.limit_per_metric));
    out.emplace_back(name, std::vector<MetricMetadata>(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(n)));
  };
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!query.metric.empty()) {
      auto it = families_.find(query.metric);
      if (it != families_.end()) take(it->first, it->second);
    } else {
      out.reserve(families_.size());
      for (const auto& [name, entries] : families_) take(name, entries);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (query.limit >= 0 && out.size() > static_cast<size_t>(query.limit)) out.resize(static_cast<size_t>(query.limit));
  return out;
}

size_t MetadataStore::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return families_.size();
}

uint64_t MetadataStore::dropped() const {
  absl::ReaderMutexLock lock(&mu_);
  return dropped_;
}

}  // namespace vigil::query
