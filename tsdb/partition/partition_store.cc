#include "tsdb/partition/partition_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/log/log.h"
#include "base/status/status_macros.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/partition/compaction_plan.h"
#include "tsdb/partition/compactor.h"
#include "tsdb/partition/partition_querier.h"
#include "tsdb/partition/partition_writer.h"

namespace vigil::tsdb::partition {
namespace {

std::string CatalogEnd() {
  std::string end = MetaKeyPrefix();
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PartitionStore>> PartitionStore::Open(std::string_view dir,
                                                                     const PartitionStoreOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<kv::RocksKvStore> kv, kv::RocksKvStore::Open(dir, options.kv));
  return Open(std::shared_ptr<kv::KvStore>(std::move(kv)), options);
}

absl::StatusOr<std::unique_ptr<PartitionStore>> PartitionStore::Open(std::shared_ptr<kv::KvStore> kv,
                                                                     const PartitionStoreOptions& options) {
  std::unique_ptr<PartitionStore> store(new PartitionStore(std::move(kv), options));
  VIGIL_RETURN_IF_ERROR(store->Load());
  return store;
}

PartitionStore::PartitionStore(std::shared_ptr<kv::KvStore> kv, const PartitionStoreOptions& options)
    : kv_(std::move(kv)), options_(options), clock_(options.clock != nullptr ? options.clock : RealClock()) {
  if (options_.compaction_ranges_ms.empty()) options_.compaction_ranges_ms = DefaultCompactionRanges();
}

PartitionStore::~PartitionStore() {
  if (registry_ == nullptr) return;
  for (const std::string& name : metric_names_) registry_->Remove(name).IgnoreError();
}

absl::Status PartitionStore::Load() {
  std::map<uint64_t, PartitionMeta> metas;
  std::shared_ptr<kv::Namespace> catalog = kv_->DefaultNamespace();
  auto it = kv_->NewIterator(catalog, kv::ReadOptions{.upper_bound = CatalogEnd()});
  for (it->Seek(MetaKeyPrefix()); it->Valid(); it->Next()) {
    absl::StatusOr<uint64_t> id = ParseMetaKey(it->key());
    if (!id.ok()) return Annotate(id.status(), "partition catalog");
    absl::StatusOr<PartitionMeta> meta = DecodeMeta(*id, it->value());
    if (!meta.ok()) return Annotate(meta.status(), "partition catalog");
    metas.emplace(*id, *meta);
  }
  VIGIL_RETURN_IF_ERROR(Annotate(it->status(), "partition catalog"));
  it.reset();

  absl::MutexLock wl(&write_mu_);
  absl::MutexLock lock(&mu_);
  uint64_t max_id = 0;
  for (const std::shared_ptr<kv::Namespace>& ns : kv_->ListNamespaces()) {
    std::optional<uint64_t> id = ParseNamespaceName(ns->name());
    if (!id.has_value()) {
      log::Warn("ignoring a namespace that is not a partition", {{"namespace", ns->name()}});
      continue;
    }
    max_id = std::max(max_id, *id);
    auto meta = metas.find(*id);
    if (meta == metas.end()) {
      // Written or dropped half-way when the process stopped: the catalog never saw it, or no longer does.
      log::Warn("dropping a partition left over by an interrupted write, compaction or retention",
                {{"namespace", ns->name()}});
      VIGIL_RETURN_IF_ERROR(kv_->DropNamespace(*ns));
      continue;
    }
    partitions_.emplace(*id, std::make_shared<const PartitionReader>(kv_, ns, meta->second));
  }
  std::unique_ptr<kv::WriteBatch> dangling = kv_->NewWriteBatch();
  for (const auto& [id, meta] : metas) {
    max_id = std::max(max_id, id);
    if (partitions_.contains(id)) continue;
    log::Error("the catalog names a partition whose data is gone; forgetting it", {{"partition", NamespaceName(id)}});
    dangling->Delete(*catalog, MetaKey(id));
  }
  if (dangling->Count() > 0) VIGIL_RETURN_IF_ERROR(WriteCatalog(dangling.get()));
  next_id_ = max_id + 1;
  return absl::OkStatus();
}

absl::Status PartitionStore::Hook(std::string_view point) {
  if (!options_.test_hook) return absl::OkStatus();
  return options_.test_hook(point);
}

absl::StatusOr<std::pair<uint64_t, std::shared_ptr<kv::Namespace>>> PartitionStore::NewPartitionNamespace() {
  const uint64_t id = next_id_++;
  VIGIL_ASSIGN_OR_RETURN(std::shared_ptr<kv::Namespace> ns, kv_->CreateNamespace(NamespaceName(id)));
  return std::make_pair(id, std::move(ns));
}

absl::Status PartitionStore::Seal(const kv::Namespace& ns, PartitionMeta* meta) {
  if (options_.compact_after_write) VIGIL_RETURN_IF_ERROR(kv_->CompactRange(ns));
  VIGIL_ASSIGN_OR_RETURN(meta->bytes, kv_->ApproximateSize(ns));
  return absl::OkStatus();
}

absl::Status PartitionStore::WriteCatalog(kv::WriteBatch* batch) {
  VIGIL_RETURN_IF_ERROR(Annotate(kv_->Write(kv::WriteOptions{.sync = true}, batch), "partition catalog"));
  // The catalog is durable in the WAL now. Flushing it lets RocksDB delete the WAL files that the partition
  // flushes rotate, which would otherwise pile up behind the catalog's never-full memtable.
  absl::Status s = kv_->Flush(*kv_->DefaultNamespace());
  if (!s.ok()) log::Warn("flushing the partition catalog failed", {{"err", s}});
  return absl::OkStatus();
}

void PartitionStore::Discard(const kv::Namespace& ns) {
  absl::Status s = kv_->DropNamespace(ns);
  if (!s.ok()) log::Warn("dropping a failed partition write", {{"namespace", ns.name()}, {"err", s}});
}

absl::StatusOr<PartitionMeta> PartitionStore::WritePartition(TimeRange range, std::span<const SeriesChunks> series) {
  if (range.min_time > range.max_time) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition range [", range.min_time, ", ", range.max_time, "] is empty"));
  }
  // Validate everything before touching the store.
  std::vector<const SeriesChunks*> order;
  for (const SeriesChunks& s : series) {
    if (s.chunks.empty()) continue;
    for (const ChunkData& c : s.chunks) {
      absl::StatusOr<ChunkHeader> h = ParseChunkHeader(c.bytes);
      if (!h.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("series ", s.labels.ToString(), ": bad chunk: ", h.status().message()));
      }
      if (h->num_samples == 0 || h->min_time != c.min_time || h->max_time != c.max_time) {
        return absl::InvalidArgumentError(absl::StrCat("series ", s.labels.ToString(), ": chunk said to cover [",
                                                       c.min_time, ", ", c.max_time, "] holds ", h->num_samples,
                                                       " samples in [", h->min_time, ", ", h->max_time, "]"));
      }
      if (c.min_time < range.min_time || c.max_time > range.max_time) {
        return absl::InvalidArgumentError(absl::StrCat("series ", s.labels.ToString(), ": chunk [", c.min_time, ", ",
                                                       c.max_time, "] outside the partition range [", range.min_time,
                                                       ", ", range.max_time, "]"));
      }
    }
    order.push_back(&s);
  }
  if (order.empty()) return absl::InvalidArgumentError("partition without any chunk");
  std::sort(order.begin(), order.end(),
            [](const SeriesChunks* a, const SeriesChunks* b) { return Compare(a->labels, b->labels) < 0; });

  absl::MutexLock wl(&write_mu_);
  VIGIL_ASSIGN_OR_RETURN(auto created, NewPartitionNamespace());
  const auto& [id, ns] = created;
  auto write = [&]() -> absl::StatusOr<PartitionMeta> {
    PartitionWriter writer(kv_.get(), ns, options_.write_batch_bytes);
    std::vector<const ChunkData*> chunks;
    for (const SeriesChunks* s : order) {
      VIGIL_RETURN_IF_ERROR(writer.StartSeries(s->labels));
      chunks.clear();
      for (const ChunkData& c : s->chunks) chunks.push_back(&c);
      std::sort(chunks.begin(), chunks.end(),
                [](const ChunkData* a, const ChunkData* b) { return a->min_time < b->min_time; });
      for (const ChunkData* c : chunks) VIGIL_RETURN_IF_ERROR(writer.AddChunk(c->bytes));
    }
    VIGIL_ASSIGN_OR_RETURN(PartitionMeta meta, writer.Finish(id, range, 0));
    VIGIL_RETURN_IF_ERROR(Seal(*ns, &meta));
    return meta;
  };
  absl::StatusOr<PartitionMeta> meta = write();
  if (!meta.ok()) {
    Discard(*ns);
    return Annotate(meta.status(), absl::StrCat("writing partition ", ns->name()));
  }
  VIGIL_RETURN_IF_ERROR(Hook("write:data_flushed"));
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  batch->Put(*kv_->DefaultNamespace(), MetaKey(id), EncodeMeta(*meta));
  if (absl::Status s = WriteCatalog(batch.get()); !s.ok()) {
    Discard(*ns);
    return s;
  }
  absl::MutexLock lock(&mu_);
  partitions_.emplace(id, std::make_shared<const PartitionReader>(kv_, ns, *meta));
  return meta;
}

std::vector<std::shared_ptr<const PartitionReader>> PartitionStore::Snapshot() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const PartitionReader>> out;
  out.reserve(partitions_.size());
  for (const auto& [id, p] : partitions_) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a->meta().range.min_time != b->meta().range.min_time) {
      return a->meta().range.min_time < b->meta().range.min_time;
    }
    return a->meta().id < b->meta().id;
  });
  return out;
}

absl::StatusOr<std::unique_ptr<Querier>> PartitionStore::NewQuerier(TimestampMs mint, TimestampMs maxt) {
  std::vector<std::shared_ptr<const PartitionReader>> overlapping;
  for (auto& p : Snapshot()) {
    if (p->meta().range.Overlaps(mint, maxt)) overlapping.push_back(std::move(p));
  }
  return std::unique_ptr<Querier>(new PartitionQuerier(std::move(overlapping), mint, maxt));
}

uint64_t PartitionStore::PartitionBytes(const PartitionReader& p) const {
  absl::StatusOr<uint64_t> bytes = kv_->ApproximateSize(*p.ns());
  return bytes.ok() ? *bytes : p.meta().bytes;
}

absl::StatusOr<std::vector<PartitionMeta>> PartitionStore::ApplyRetention(TimestampMs now, absl::Duration max_age,
                                                                          uint64_t max_bytes) {
  absl::MutexLock wl(&write_mu_);
  std::vector<std::shared_ptr<const PartitionReader>> all = Snapshot();
  std::vector<std::shared_ptr<const PartitionReader>> drop, keep;
  const int64_t age_ms = absl::ToInt64Milliseconds(max_age);
  const TimestampMs cutoff = now < kMinTimestampMs + age_ms ? kMinTimestampMs : now - age_ms;
  for (auto& p : all) {
    (age_ms > 0 && p->meta().range.max_time < cutoff ? drop : keep).push_back(std::move(p));
  }
  if (max_bytes > 0) {
    std::vector<uint64_t> sizes;
    uint64_t total = 0;
    for (const auto& p : keep) total += sizes.emplace_back(PartitionBytes(*p));
    size_t i = 0;
    while (total > max_bytes && i < keep.size()) {
      total -= sizes[i];
      drop.push_back(keep[i++]);
    }
  }
  std::vector<PartitionMeta> dropped;
  if (drop.empty()) return dropped;
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  for (const auto& p : drop) {
    batch->Delete(*kv_->DefaultNamespace(), MetaKey(p->meta().id));
    dropped.push_back(p->meta());
  }
  VIGIL_RETURN_IF_ERROR(WriteCatalog(batch.get()));
  {
    absl::MutexLock lock(&mu_);
    for (const auto& p : drop) partitions_.erase(p->meta().id);
    retention_dropped_ += drop.size();
  }
  VIGIL_RETURN_IF_ERROR(Hook("retention:catalog_written"));
  for (const auto& p : drop) {
    log::Info("retention dropped a partition", {{"partition", p->ns()->name()},
                                                {"min_time", p->meta().range.min_time},
                                                {"max_time", p->meta().range.max_time}});
    Discard(*p->ns());
  }
  return dropped;
}

absl::StatusOr<CompactionResult> PartitionStore::Compact() {
  absl::MutexLock wl(&write_mu_);
  CompactionResult result;
  const absl::Time start = clock_->Now();
  absl::Status status;
  // Each step removes at least one partition, so this ends; the bound only guards against a planning bug.
  for (int step = 0; step < 10000; ++step) {
    std::vector<uint64_t> ids = PlanCompaction(Partitions(), options_.compaction_ranges_ms);
    if (ids.empty()) break;
    status = CompactOnce(ids, &result);
    if (!status.ok()) break;
  }
  result.duration = clock_->Now() - start;
  if (!result.outputs.empty()) {
    absl::MutexLock lock(&mu_);
    compactions_ += result.outputs.size();
    compaction_seconds_ += absl::ToDoubleSeconds(result.duration);
  }
  if (!status.ok()) return status;
  return result;
}

absl::Status PartitionStore::CompactOnce(const std::vector<uint64_t>& ids, CompactionResult* result) {
  std::vector<std::shared_ptr<const PartitionReader>> inputs;
  {
    absl::MutexLock lock(&mu_);
    for (uint64_t id : ids) {
      auto it = partitions_.find(id);
      if (it != partitions_.end()) inputs.push_back(it->second);
    }
  }
  if (inputs.size() < 2) return absl::InternalError("compaction planned fewer than two known partitions");
  // Freshest first: on equal timestamps the partition written last wins.
  std::sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a->meta().id > b->meta().id; });
  TimeRange range = inputs[0]->meta().range;
  uint32_t level = 0;
  for (const auto& p : inputs) {
    range.min_time = std::min(range.min_time, p->meta().range.min_time);
    range.max_time = std::max(range.max_time, p->meta().range.max_time);
    level = std::max(level, p->meta().level + 1);
  }

  VIGIL_ASSIGN_OR_RETURN(auto created, NewPartitionNamespace());
  const auto& [id, ns] = created;
  auto write = [&]() -> absl::StatusOr<PartitionMeta> {
    PartitionWriter writer(kv_.get(), ns, options_.write_batch_bytes);
    VIGIL_RETURN_IF_ERROR(MergePartitions(inputs, &writer));
    VIGIL_ASSIGN_OR_RETURN(PartitionMeta meta, writer.Finish(id, range, level));
    VIGIL_RETURN_IF_ERROR(Seal(*ns, &meta));
    return meta;
  };
  absl::StatusOr<PartitionMeta> meta = write();
  if (!meta.ok()) {
    Discard(*ns);
    return Annotate(meta.status(), absl::StrCat("compacting into partition ", ns->name()));
  }
  VIGIL_RETURN_IF_ERROR(Hook("compact:data_flushed"));
  // One batch: the output appears and the inputs disappear together, so no sample ever counts twice.
  std::unique_ptr<kv::WriteBatch> batch = kv_->NewWriteBatch();
  batch->Put(*kv_->DefaultNamespace(), MetaKey(id), EncodeMeta(*meta));
  for (const auto& p : inputs) batch->Delete(*kv_->DefaultNamespace(), MetaKey(p->meta().id));
  if (absl::Status s = WriteCatalog(batch.get()); !s.ok()) {
    Discard(*ns);
    return s;
  }
  {
    absl::MutexLock lock(&mu_);
    for (const auto& p : inputs) partitions_.erase(p->meta().id);
    partitions_.emplace(id, std::make_shared<const PartitionReader>(kv_, ns, *meta));
  }
  VIGIL_RETURN_IF_ERROR(Hook("compact:catalog_written"));
  for (const auto& p : inputs) {
    result->inputs.push_back(p->meta());
    Discard(*p->ns());
  }
  result->outputs.push_back(*meta);
  log::Info("compacted partitions", {{"inputs", static_cast<uint64_t>(inputs.size())},
                                     {"output", ns->name()},
                                     {"min_time", range.min_time},
                                     {"max_time", range.max_time},
                                     {"series", meta->num_series},
                                     {"bytes", meta->bytes}});
  return absl::OkStatus();
}

std::vector<PartitionMeta> PartitionStore::Partitions() const {
  std::vector<PartitionMeta> out;
  for (const auto& p : Snapshot()) out.push_back(p->meta());
  return out;
}

PartitionStoreStats PartitionStore::Stats() const {
  PartitionStoreStats stats;
  for (const auto& p : Snapshot()) {
    ++stats.partitions;
    stats.series += p->meta().num_series;
    stats.chunks += p->meta().num_chunks;
    stats.samples += p->meta().num_samples;
    stats.bytes += PartitionBytes(*p);
  }
  absl::MutexLock lock(&mu_);
  stats.compactions = compactions_;
  stats.compaction_seconds = compaction_seconds_;
  stats.partitions_dropped_by_retention = retention_dropped_;
  return stats;
}

absl::Status PartitionStore::RegisterMetrics(metrics::Registry* registry) {
  if (registry_ != nullptr) return absl::FailedPreconditionError("metrics already registered");
  registry_ = registry;
  struct Def {
    const char* name;
    const char* help;
    bool counter;
    std::function<double()> fn;
  };
  const Def defs[] = {
      {"vigil_tsdb_partitions", "Persisted time partitions.", false,
       [this] { return static_cast<double>(Stats().partitions); }},
      {"vigil_tsdb_partition_bytes", "Bytes on disk of all persisted partitions.", false,
       [this] { return static_cast<double>(Stats().bytes); }},
      {"vigil_tsdb_partition_samples", "Samples in persisted partitions.", false,
       [this] { return static_cast<double>(Stats().samples); }},
      {"vigil_tsdb_compactions_total", "Partition compactions completed.", true,
       [this] { return static_cast<double>(Stats().compactions); }},
      {"vigil_tsdb_compaction_seconds_total", "Time spent compacting partitions.", true,
       [this] { return Stats().compaction_seconds; }},
      {"vigil_tsdb_retention_dropped_partitions_total", "Partitions dropped by retention.", true,
       [this] { return static_cast<double>(Stats().partitions_dropped_by_retention); }},
  };
  for (const Def& d : defs) {
    absl::Status s =
        d.counter ? registry->NewCounterFunc(d.name, d.help, d.fn) : registry->NewGaugeFunc(d.name, d.help, d.fn);
    if (!s.ok()) return s;
    metric_names_.emplace_back(d.name);
  }
  return absl::OkStatus();
}

}  // namespace vigil::tsdb::partition
