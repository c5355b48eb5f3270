// MemoryKvStore: the KvStore interface over std::map, for tests of the layers above tsdb/kv (partitions,
// compaction, retention) without RocksDB or a disk.
//
// Semantics match RocksKvStore where the upper layers can tell: ordered keys per namespace, atomic batches,
// iterators that read the snapshot taken at their creation, dropped namespaces readable through handles still
// held. Every write is immediately "durable"; Flush and CompactRange do nothing. Errors can be injected.
#ifndef VIGIL_TSDB_KV_MEMORY_KV_STORE_H_
#define VIGIL_TSDB_KV_MEMORY_KV_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "tsdb/kv/kv_store.h"

namespace vigil::kv {

class MemoryKvStore : public KvStore {
 public:
  MemoryKvStore();
  ~MemoryKvStore() override;

  std::shared_ptr<Namespace> DefaultNamespace() override;
  std::vector<std::shared_ptr<Namespace>> ListNamespaces() override;
  absl::StatusOr<std::shared_ptr<Namespace>> CreateNamespace(std::string_view name) override;
  absl::Status DropNamespace(const Namespace& ns) override;
  std::unique_ptr<WriteBatch> NewWriteBatch() override;
  absl::Status Write(const WriteOptions& options, WriteBatch* batch) override;
  absl::StatusOr<bool> Get(const Namespace& ns, std::string_view key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(std::shared_ptr<Namespace> ns, const ReadOptions& options) override;
  absl::Status Flush(const Namespace& ns) override;
  absl::Status CompactRange(const Namespace& ns) override;
  absl::StatusOr<uint64_t> ApproximateSize(const Namespace& ns) override;

  // While `status` is not OK, every mutating call (Write, Flush, CreateNamespace, DropNamespace, CompactRange)
  // fails with it and changes nothing. For tests of error paths (a full disk in the middle of a compaction).
  void SetFailure(absl::Status status);

  // Number of Write calls that succeeded; lets tests check how work was batched.
  int64_t writes() const;

  // The ordered contents of one namespace. Shared copy-on-write with the iterators reading it.
  using Map = std::map<std::string, std::string, std::less<>>;

 private:
  class MemNamespace;

  // The namespace behind a handle, if it belongs to this store and is not dropped.
  absl::StatusOr<MemNamespace*> Live(const Namespace& ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::shared_ptr<MemNamespace> default_ns_;
  std::map<std::string, std::shared_ptr<MemNamespace>, std::less<>> namespaces_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  int64_t writes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil::kv

#endif  // VIGIL_TSDB_KV_MEMORY_KV_STORE_H_
