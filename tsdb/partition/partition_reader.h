// Reading one partition: postings for matchers, label names and values, series labels and chunks.
#ifndef VIGIL_TSDB_PARTITION_PARTITION_READER_H_
#define VIGIL_TSDB_PARTITION_PARTITION_READER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/kv/kv_store.h"
#include "tsdb/partition/partition_format.h"

namespace vigil::tsdb::partition {

// One partition as the read path sees it: its namespace and meta. Immutable and shared by queriers; holding it
// keeps the namespace readable even after retention or compaction dropped it.
class PartitionReader {
 public:
  // Shares ownership of `kv`, so queriers may outlive the store that made them.
  PartitionReader(std::shared_ptr<kv::KvStore> kv, std::shared_ptr<kv::Namespace> ns, PartitionMeta meta)
      : kv_(std::move(kv)), ns_(std::move(ns)), meta_(meta) {}

  const PartitionMeta& meta() const { return meta_; }
  kv::KvStore* kv() const { return kv_.get(); }
  const std::shared_ptr<kv::Namespace>& ns() const { return ns_; }

  // Ids (ascending, hence in label order) of the series matching every matcher, with Prometheus semantics: a
  // matcher that matches "" also selects series without the label. Touches only the postings of the label
  // pairs the matchers name (and, for regex and negative matchers, the listing of that label's values).
  absl::StatusOr<std::vector<uint32_t>> SelectIds(std::span<const Matcher> matchers) const;

  // Ids of the series with name="value" (empty if none). Served from a small cache of recently read postings
  // when it can: dashboards repeat the same selectors every refresh, and the partition never changes.
  absl::StatusOr<std::vector<uint32_t>> Postings(std::string_view name, std::string_view value) const;

  // Calls `fn` with every value of label `name`, in order.
  absl::Status ForEachValue(std::string_view name, absl::FunctionRef<void(std::string_view)> fn) const;

  // Every label name in the partition, sorted.
  absl::StatusOr<std::vector<std::string>> LabelNames() const;

  // The labels of series `sid`.
  absl::StatusOr<Labels> ReadLabels(uint32_t sid) const;

  // An iterator over the partition's namespace.
  std::unique_ptr<kv::Iterator> NewIterator(bool fill_cache = true) const;

 private:
  // Decoded postings by postings key, found or not (an empty list), up to kPostingsCacheBytes; emptied
  // whenever full (cheaper than tracking recency, and refilled by the next refresh of the dashboards in use).
  static constexpr size_t kPostingsCacheBytes = 256 << 10;

  std::shared_ptr<kv::KvStore> kv_;
  std::shared_ptr<kv::Namespace> ns_;
  PartitionMeta meta_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, std::vector<uint32_t>> postings_cache_ ABSL_GUARDED_BY(cache_mu_);
  mutable size_t postings_cache_bytes_ ABSL_GUARDED_BY(cache_mu_) = 0;
};

// A chunk read by SeriesReader: where its bytes are in the caller's buffer, and its header's facts.
struct ChunkSpan {
  size_t offset = 0;
  size_t size = 0;
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;
  uint32_t num_samples = 0;
};

// Reads series of one partition, labels and chunks, with one seek per series. Reuse one reader for many series
// (ascending ids are cheapest). Not thread-safe.
class SeriesReader {
 public:
  explicit SeriesReader(std::shared_ptr<const PartitionReader> partition, bool fill_cache = true);

  // Reads series `sid`: its labels into `*labels` and, if `chunks` is not null, the chunks overlapping
  // [mint, maxt] in time order, their bytes appended to `*buf` and their spans (offsets into *buf) to `*chunks`.
  // Errors say which partition, series and key were bad.
  absl::Status Read(uint32_t sid, TimestampMs mint, TimestampMs maxt, Labels* labels, std::string* buf,
                    std::vector<ChunkSpan>* chunks);

  const PartitionReader& partition() const { return *partition_; }

 private:
  absl::Status Error(uint32_t sid, const absl::Status& status) const;

  std::shared_ptr<const PartitionReader> partition_;
  std::unique_ptr<kv::Iterator> it_;
};

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_PARTITION_READER_H_
