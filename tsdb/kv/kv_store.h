// The key-value seam under the persisted TSDB partitions: an ordered byte-string store with namespaces.
//
// tsdb/partition talks to this interface only; RocksKvStore (rocksdb_kv_store.h, the only code that includes
// RocksDB) implements it on disk and MemoryKvStore (memory_kv_store.h) in memory for tests of upper layers.
//
// A namespace is an independent ordered key space (a RocksDB column family) that can be dropped as a whole in
// constant time, which is how whole partitions are deleted. Every store has one default namespace, which
// cannot be dropped.
//
//   std::shared_ptr<kv::Namespace> ns = *store->CreateNamespace("p0001");
//   std::unique_ptr<kv::WriteBatch> batch = store->NewWriteBatch();
//   batch->Put(*ns, "key", "value");
//   VIGIL_RETURN_IF_ERROR(store->Write({.disable_wal = true}, batch.get()));
//   VIGIL_RETURN_IF_ERROR(store->Flush(*ns));   // now durable although the WAL was skipped
#ifndef VIGIL_TSDB_KV_KV_STORE_H_
#define VIGIL_TSDB_KV_KV_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::kv {

// A handle to one namespace. Shared: a handle stays readable (iterators, Get) after DropNamespace for as long as
// someone holds it, so a query running while retention drops its partition finishes normally; the space is
// reclaimed when the last handle goes.
class Namespace {
 public:
  virtual ~Namespace() = default;
  // The name given at creation ("default" for the default namespace).
  virtual const std::string& name() const = 0;
};

// How a write is made durable.
struct WriteOptions {
  // fsync the write-ahead log before returning (ignored with disable_wal).
  bool sync = false;
  // Skip the write-ahead log: the write is durable only after Flush of every namespace it touched. For bulk
  // writes whose visibility is decided by a later, logged write (see docs/format/partition.md).
  bool disable_wal = false;
};

// A group of updates applied atomically by KvStore::Write. Obtained from KvStore::NewWriteBatch and only valid
// for that store; the namespaces it names must stay alive until Write returns.
class WriteBatch {
 public:
  virtual ~WriteBatch() = default;
  // Sets `key` to `value` in `ns`.
  virtual void Put(const Namespace& ns, std::string_view key, std::string_view value) = 0;
  // Removes `key` from `ns` (no error if absent).
  virtual void Delete(const Namespace& ns, std::string_view key) = 0;
  // Removes every key in [begin, end) from `ns`.
  virtual void DeleteRange(const Namespace& ns, std::string_view begin, std::string_view end) = 0;
  // Number of updates in the batch.
  virtual size_t Count() const = 0;
  // Approximate bytes the batch holds, so writers can cut large writes into bounded batches.
  virtual size_t ApproximateBytes() const = 0;
  // Empties the batch for reuse.
  virtual void Clear() = 0;
};

// Options of one iterator.
struct ReadOptions {
  // Exclusive upper bound on keys; empty means none. Lets the engine stop early and skip files.
  std::string upper_bound;
  // Whether blocks read go into the block cache (off for one-off full scans such as compaction).
  bool fill_cache = true;
};

// A forward iterator over one namespace, reading a consistent snapshot taken at creation.
class Iterator {
 public:
  virtual ~Iterator() = default;
  // Whether the iterator is positioned at a key. False at the end and after an error (see status()).
  virtual bool Valid() const = 0;
  // Positions at the first key >= `target`.
  virtual void Seek(std::string_view target) = 0;
  // Positions at the first key.
  virtual void SeekToFirst() = 0;
  // Moves to the next key. Requires Valid().
  virtual void Next() = 0;
  // The current key and value; valid until the iterator moves. Require Valid().
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless reading failed (I/O error, corrupt file); the message says what and where.
  virtual absl::Status status() const = 0;
};

// An ordered key-value store with droppable namespaces. Thread-safe.
class KvStore {
 public:
  virtual ~KvStore() = default;

  // The default namespace (never dropped).
  virtual std::shared_ptr<Namespace> DefaultNamespace() = 0;
  // Every namespace other than the default one, in name order.
  virtual std::vector<std::shared_ptr<Namespace>> ListNamespaces() = 0;
  // Creates a namespace. AlreadyExists if one of that name exists; InvalidArgument for an empty name or
  // "default".
  virtual absl::StatusOr<std::shared_ptr<Namespace>> CreateNamespace(std::string_view name) = 0;
  // Drops a namespace and all its keys, durably, in time independent of its size. Handles still held stay
  // readable; the namespace disappears from ListNamespaces at once.
  virtual absl::Status DropNamespace(const Namespace& ns) = 0;

  // A new, empty batch for Write.
  virtual std::unique_ptr<WriteBatch> NewWriteBatch() = 0;
  // Applies `batch` atomically.
  virtual absl::Status Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // Reads `key` of `ns` into `*value`. Returns true if found, false if absent.
  virtual absl::StatusOr<bool> Get(const Namespace& ns, std::string_view key, std::string* value) = 0;
  // An iterator over `ns`; it keeps `ns` alive.
  virtual std::unique_ptr<Iterator> NewIterator(std::shared_ptr<Namespace> ns, const ReadOptions& options) = 0;

  // Makes every write to `ns` durable, including those made with disable_wal; returns when done.
  virtual absl::Status Flush(const Namespace& ns) = 0;
  // Rewrites `ns` into its most compact form (one sorted run, bottommost compression); returns when done.
  virtual absl::Status CompactRange(const Namespace& ns) = 0;
  // Bytes `ns` occupies on disk (for the in-memory store: bytes of keys and values).
  virtual absl::StatusOr<uint64_t> ApproximateSize(const Namespace& ns) = 0;
};

}  // namespace vigil::kv

#endif  // VIGIL_TSDB_KV_KV_STORE_H_
