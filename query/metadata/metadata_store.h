// What the store knows about metric families: type, help and unit, as Prometheus' /api/v1/metadata serves them
// (Grafana shows the help text in autocomplete and picks functions by type).
//
// Fed by remote_write requests' metadata (Prometheus' remote_write sends every target's metadata about once a
// minute) and by the TYPE/HELP/UNIT lines of imported files. Kept in memory only: after a restart it fills up
// again with the senders' next metadata round (remote_write) — imported files' metadata is gone until re-imported.
//
//   MetadataStore store;
//   store.Put("node_cpu_seconds_total", exposition::MetricType::kCounter, "Seconds the CPUs spent.", "");
//   store.List(MetadataQuery{.metric = "node_cpu_seconds_total"});  // one family, one entry
//
// Thread-safe. A family keeps a few distinct entries (senders of different versions may disagree about help
// texts), most recently seen first.
#ifndef VIGIL_QUERY_METADATA_METADATA_STORE_H_
#define VIGIL_QUERY_METADATA_METADATA_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "wire/exposition/format.h"

namespace vigil::query {

// One metadata entry of a family.
struct MetricMetadata {
  exposition::MetricType type = exposition::MetricType::kUnknown;
  std::string help;
  std::string unit;

  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

// The type as the metadata API spells it: "counter", "gauge", "histogram", "gaugehistogram", "summary", "info",
// "stateset", "unknown".
std::string_view MetadataTypeName(exposition::MetricType type);

struct MetadataStoreOptions {
  // Distinct entries kept per family; the least recently seen is dropped beyond it.
  size_t max_entries_per_family = 4;
  // Families kept; metadata of further families is ignored (and counted in dropped()).
  size_t max_families = 1'000'000;
};

// What List returns: families in name order, each with its entries, most recently seen first.
struct MetadataQuery {
  // Only this family ("" for all).
  std::string metric;
  // At most this many families (< 0: no limit; 0 gives none, as Prometheus).
  int64_t limit = -1;
  // At most this many entries per family (<= 0: no limit).
  int64_t limit_per_metric = -1;
};

class MetadataStore {
 public:
  explicit MetadataStore(MetadataStoreOptions options = {});

  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Records metadata of `family`. Cheap when the entry is already known (a shared lock and a compare), which is
  // the common case of a sender's periodic metadata round. An empty family name is ignored.
  void Put(std::string_view family, exposition::MetricType type, std::string_view help, std::string_view unit);

  std::vector<std::pair<std::string, std::vector<MetricMetadata>>> List(const MetadataQuery& query) const;

  // Number of families known.
  size_t size() const;
  // Number of Put calls ignored because max_families was reached.
  uint64_t dropped() const;

 private:
  MetadataStoreOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<MetricMetadata>> families_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil::query

#endif  // VIGIL_QUERY_METADATA_METADATA_STORE_H_
