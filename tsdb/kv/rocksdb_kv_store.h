// RocksKvStore: the KvStore interface on RocksDB (Debian's librocksdb 7.8). The only code in Vigil that includes
// RocksDB headers, and it does so only in the .cc file, so users of this header need no RocksDB include paths.
//
// Namespaces are column families. The default column family is meant for small catalog records (LZ4, WAL on);
// every other namespace gets the options in RocksKvOptions, tuned for write-once bulk data: heavier compression at
// every level, bigger blocks, bloom filters, one block cache shared by all namespaces and bounded in size.
//
// Errors carry the operation, the namespace and RocksDB's own message, e.g.
//   rocksdb write (namespace "p0000000000000003"): IO error: No space left on device: While appending to file: ...
#ifndef VIGIL_TSDB_KV_ROCKSDB_KV_STORE_H_
#define VIGIL_TSDB_KV_ROCKSDB_KV_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/kv/kv_store.h"

namespace vigil::kv {

// Block compression of namespace data.
enum class Compression { kNone, kSnappy, kLz4, kZstd };

// "none", "snappy", "lz4" or "zstd"; and back (InvalidArgument for anything else).
std::string_view CompressionName(Compression c);
absl::StatusOr<Compression> ParseCompression(std::string_view name);

struct RocksKvOptions {
  // Create the database if the directory holds none.
  bool create_if_missing = true;
  // One LRU block cache shared by every namespace: the bound on memory used for cached data, index and filter
  // blocks (index and filter blocks live in the cache rather than on the heap, so many open files cost nothing
  // beyond it).
  size_t block_cache_bytes = 64 << 20;
  // Compression of non-default namespaces, at every level (their data is written once and read many times).
  Compression compression = Compression::kZstd;
  // If set, the compression of memtable flushes and levels above the last instead: a cheap one (LZ4) saves the
  // CPU of compressing with `compression` data that compaction rewrites soon anyway.
  std::optional<Compression> upper_level_compression = std::nullopt;
  // ZSTD level (RocksDB's default for ZSTD is 3); ignored by other compressions.
  int zstd_level = 3;
  // Bytes of a ZSTD dictionary trained per SST file; 0 disables dictionary compression.
  uint32_t zstd_max_dict_bytes = 0;
  // Uncompressed size of a data block in non-default namespaces. Bigger blocks compress better.
  size_t block_bytes = 16 << 10;
  // Bloom filter bits per key (whole keys); 0 disables filters.
  int bloom_bits_per_key = 10;
  // Universal compaction for non-default namespaces instead of leveled: fewer rewrites of data that is written
  // once in key order unrelated to time (trace ids), at the price of more space while a compaction runs.
  bool universal_compaction = false;
  // Memtable size per namespace.
  size_t write_buffer_bytes = 16 << 20;
  // Background flush and compaction threads.
  int max_background_jobs = 2;
  // Write-ahead log kept before RocksDB flushes the namespace holding the oldest unflushed write. Without a bound
  // RocksDB keeps up to four write buffers per namespace, and a store with many partitions written at different
  // rates (each trace and metric partition is one) keeps gigabytes of log.
  uint64_t max_total_wal_bytes = 256 << 20;
};

class RocksKvStore : public KvStore {
 public:
  // Opens (or creates) the database in `dir` with every column family it holds. Errors name the directory.
  static absl::StatusOr<std::unique_ptr<RocksKvStore>> Open(std::string_view dir, const RocksKvOptions& options);

  // Closes the database once every namespace handle and iterator is gone (handles keep it open).
  ~RocksKvStore() override;

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

  // Total size of the database directory's live files (SST files of all namespaces, WAL, manifest).
  absl::StatusOr<uint64_t> TotalBytesOnDisk();

  // A RocksDB property of `ns` (e.g. "rocksdb.stats"), for debugging and reports; empty if unknown.
  std::string Property(const Namespace& ns, std::string_view property);

  struct Impl;

 private:
  explicit RocksKvStore(std::shared_ptr<Impl> impl);

  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil::kv

#endif  // VIGIL_TSDB_KV_ROCKSDB_KV_STORE_H_
