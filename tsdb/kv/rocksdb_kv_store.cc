#include "tsdb/kv/rocksdb_kv_store.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace vigil::kv {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Converts a RocksDB status, prefixing `context` (operation, namespace) to RocksDB's message.
absl::Status ToStatus(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      code = absl::StatusCode::kNotFound;
      break;
    case rocksdb::Status::kCorruption:
      code = absl::StatusCode::kDataLoss;
      break;
    case rocksdb::Status::kNotSupported:
      code = absl::StatusCode::kUnimplemented;
      break;
    case rocksdb::Status::kInvalidArgument:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case rocksdb::Status::kIOError:
      code = s.IsNoSpace() ? absl::StatusCode::kResourceExhausted : absl::StatusCode::kInternal;
      break;
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kShutdownInProgress:
      code = absl::StatusCode::kUnavailable;
      break;
    case rocksdb::Status::kTimedOut:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case rocksdb::Status::kAborted:
      code = absl::StatusCode::kAborted;
      break;
    default:
      break;
  }
  return absl::Status(code, absl::StrCat(AV(context), ": ", s.ToString()));
}

rocksdb::CompressionType ToRocks(Compression c) {
  switch (c) {
    case Compression::kNone:
      return rocksdb::kNoCompression;
    case Compression::kSnappy:
      return rocksdb::kSnappyCompression;
    case Compression::kLz4:
      return rocksdb::kLZ4Compression;
    case Compression::kZstd:
      return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

std::string Context(std::string_view op, std::string_view ns) {
  return absl::StrCat("rocksdb ", AV(op), " (namespace \"", AV(ns), "\")");
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::StatusOr<Compression> ParseCompression(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    if (CompressionName(c) == name) return c;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown compression \"", AV(name), "\" (want none, snappy, lz4 or zstd)"));
}

// The open database. Shared by the store and every namespace handle, so the database closes only after the
// last handle is destroyed (RocksDB requires handles to go before the DB).
struct RocksKvStore::Impl {
  ~Impl() {
    if (db == nullptr) return;
    rocksdb::Status s = db->Close();
    if (!s.ok()) log::Error("closing rocksdb failed", {{"dir", dir}, {"err", ToStatus(s, "rocksdb close")}});
    delete db;
  }

  std::string dir;
  RocksKvOptions options;
  std::shared_ptr<rocksdb::Cache> cache;
  rocksdb::ColumnFamilyOptions catalog_options;
  rocksdb::ColumnFamilyOptions namespace_options;
  rocksdb::DB* db = nullptr;

  absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Namespace>, std::less<>> namespaces ABSL_GUARDED_BY(mu);
  std::shared_ptr<Namespace> default_ns;
};

namespace {

class RocksNamespace : public Namespace {
 public:
  RocksNamespace(std::shared_ptr<RocksKvStore::Impl> impl, rocksdb::ColumnFamilyHandle* cf, std::string name)
      : impl_(std::move(impl)), cf_(cf), name_(std::move(name)) {}
  ~RocksNamespace() override {
    rocksdb::Status s = impl_->db->DestroyColumnFamilyHandle(cf_);
    if (!s.ok()) log::Error("destroying column family handle failed", {{"err", ToStatus(s, Context("close", name_))}});
  }
  const std::string& name() const override { return name_; }

  const RocksKvStore::Impl* impl() const { return impl_.get(); }
  rocksdb::ColumnFamilyHandle* cf() const { return cf_; }
  std::atomic<bool> dropped{false};

 private:
  std::shared_ptr<RocksKvStore::Impl> impl_;
  rocksdb::ColumnFamilyHandle* cf_;
  std::string name_;
};

class RocksWriteBatch : public WriteBatch {
 public:
  explicit RocksWriteBatch(const RocksKvStore::Impl* impl) : impl_(impl) {}

  void Put(const Namespace& ns, std::string_view key, std::string_view value) override {
    if (auto* cf = Cf(ns)) Check(batch_.Put(cf, ToSlice(key), ToSlice(value)));
  }
  void Delete(const Namespace& ns, std::string_view key) override {
    if (auto* cf = Cf(ns)) Check(batch_.Delete(cf, ToSlice(key)));
  }
  void DeleteRange(const Namespace& ns, std::string_view begin, std::string_view end) override {
    if (auto* cf = Cf(ns)) Check(batch_.DeleteRange(cf, ToSlice(begin), ToSlice(end)));
  }
  size_t Count() const override { return batch_.Count(); }
  size_t ApproximateBytes() const override { return batch_.GetDataSize(); }
  void Clear() override {
    batch_.Clear();
    error_ = absl::OkStatus();
  }

  const RocksKvStore::Impl* impl() const { return impl_; }
  rocksdb::WriteBatch* batch() { return &batch_; }
  const absl::Status& error() const { return error_; }

 private:
  rocksdb::ColumnFamilyHandle* Cf(const Namespace& ns) {
    auto* r = dynamic_cast<const RocksNamespace*>(&ns);
    if (r == nullptr || r->impl() != impl_) {
      if (error_.ok()) {
        error_ = absl::InvalidArgumentError(absl::StrCat("namespace \"", ns.name(), "\" belongs to another store"));
      }
      return nullptr;
    }
    return r->cf();
  }
  void Check(const rocksdb::Status& s) {
    if (!s.ok() && error_.ok()) error_ = ToStatus(s, "rocksdb batch");
  }

  const RocksKvStore::Impl* impl_;
  rocksdb::WriteBatch batch_;
  absl::Status error_;
};

class RocksIterator : public Iterator {
 public:
  RocksIterator(std::shared_ptr<Namespace> ns, rocksdb::DB* db, const ReadOptions& options)
      : ns_(std::move(ns)), upper_(options.upper_bound) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = options.fill_cache;
    if (!upper_.empty()) {
      upper_slice_ = rocksdb::Slice(upper_);
      ro.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(ro, static_cast<const RocksNamespace*>(ns_.get())->cf()));
  }

  bool Valid() const override { return it_->Valid(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return std::string_view(k.data(), k.size());
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return std::string_view(v.data(), v.size());
  }
  absl::Status status() const override { return ToStatus(it_->status(), Context("iterate", ns_->name())); }

 private:
  std::shared_ptr<Namespace> ns_;  // Declared first: destroyed after the iterator.
  std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// An iterator that only reports an error.
class ErrorIterator : public Iterator {
 public:
  explicit ErrorIterator(absl::Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void Seek(std::string_view) override {}
  void SeekToFirst() override {}
  void Next() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

rocksdb::BlockBasedTableOptions TableOptions(const RocksKvOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
                                             size_t block_bytes) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.block_size = block_bytes;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = false;
  t.format_version = 5;
  if (o.bloom_bits_per_key > 0) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(o.bloom_bits_per_key));
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksKvStore>> RocksKvStore::Open(std::string_view dir, const RocksKvOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->dir = std::string(dir);
  impl->options = options;
  impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::ColumnFamilyOptions& cat = impl->catalog_options;
  cat.compression = rocksdb::kLZ4Compression;
  cat.bottommost_compression = rocksdb::kZSTD;
  cat.write_buffer_size = 4 << 20;
  cat.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(options, impl->cache, 4 << 10)));

  rocksdb::ColumnFamilyOptions& ns = impl->namespace_options;
  ns.compression = ToRocks(options.upper_level_compression.value_or(options.compression));
  ns.bottommost_compression = ToRocks(options.compression);
  ns.compression_opts.level = options.zstd_level;
  ns.compression_opts.max_dict_bytes = options.zstd_max_dict_bytes;
  ns.bottommost_compression_opts = ns.compression_opts;
  ns.bottommost_compression_opts.enabled = true;
  if (options.zstd_max_dict_bytes > 0) {
    ns.bottommost_compression_opts.zstd_max_train_bytes = options.zstd_max_dict_bytes * 100;
  }
  ns.write_buffer_size = options.write_buffer_bytes;
  ns.level_compaction_dynamic_level_bytes = true;
  if (options.universal_compaction) ns.compaction_style = rocksdb::kCompactionStyleUniversal;
  ns.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(options, impl->cache, options.block_bytes)));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = options.max_total_wal_bytes;
  // Compactions are background work: at a lower CPU priority they give way to queries and ingestion, which
  // someone is waiting for (the default Env's thread pools are process-wide, so this is idempotent).
  db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW);
  db_options.max_log_file_size = 8 << 20;

  if (options.create_if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(impl->dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("rocksdb open ", impl->dir, ": mkdir: ", ec.message()));
  }
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, impl->dir, &names);
  if (!s.ok()) names = {rocksdb::kDefaultColumnFamilyName};  // A new database (or Open reports the problem).
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, name == rocksdb::kDefaultColumnFamilyName ? cat : ns);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  s = rocksdb::DB::Open(db_options, impl->dir, descriptors, &handles, &impl->db);
  if (!s.ok()) return ToStatus(s, absl::StrCat("rocksdb open ", impl->dir));

  absl::MutexLock lock(&impl->mu);
  for (size_t i = 0; i < handles.size(); ++i) {
    auto handle = std::make_shared<RocksNamespace>(impl, handles[i], names[i]);
    if (names[i] == rocksdb::kDefaultColumnFamilyName) {
      impl->default_ns = std::move(handle);
    } else {
      impl->namespaces.emplace(names[i], std::move(handle));
    }
  }
  return std::unique_ptr<RocksKvStore>(new RocksKvStore(std::move(impl)));
}

RocksKvStore::RocksKvStore(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RocksKvStore::~RocksKvStore() {
  // Drop the store's own references; the DB closes when the last outside handle goes too.
  std::map<std::string, std::shared_ptr<Namespace>, std::less<>> namespaces;
  {
    absl::MutexLock lock(&impl_->mu);
    namespaces.swap(impl_->namespaces);
  }
  namespaces.clear();
  impl_->default_ns.reset();
}

std::shared_ptr<Namespace> RocksKvStore::DefaultNamespace() { return impl_->default_ns; }

std::vector<std::shared_ptr<Namespace>> RocksKvStore::ListNamespaces() {
  absl::MutexLock lock(&impl_->mu);
  std::vector<std::shared_ptr<Namespace>> out;
  out.reserve(impl_->namespaces.size());
  for (const auto& [name, ns] : impl_->namespaces) out.push_back(ns);
  return out;
}

absl::StatusOr<std::shared_ptr<Namespace>> RocksKvStore::CreateNamespace(std::string_view name) {
  if (name.empty() || name == rocksdb::kDefaultColumnFamilyName) {
    return absl::InvalidArgumentError(absl::StrCat("create namespace: invalid name \"", AV(name), "\""));
  }
  absl::MutexLock lock(&impl_->mu);
  if (impl_->namespaces.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("create namespace \"", AV(name), "\": already exists"));
  }
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  rocksdb::Status s = impl_->db->CreateColumnFamily(impl_->namespace_options, std::string(name), &cf);
  if (!s.ok()) return ToStatus(s, Context("create column family", name));
  auto ns = std::make_shared<RocksNamespace>(impl_, cf, std::string(name));
  impl_->namespaces.emplace(std::string(name), ns);
  return ns;
}

absl::Status RocksKvStore::DropNamespace(const Namespace& ns) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError(absl::StrCat("drop: namespace \"", ns.name(), "\" belongs to another store"));
  }
  if (r == impl_->default_ns.get()) return absl::InvalidArgumentError("the default namespace cannot be dropped");
  absl::MutexLock lock(&impl_->mu);
  if (r->dropped.load())
    return absl::FailedPreconditionError(absl::StrCat("drop: \"", ns.name(), "\" already dropped"));
  rocksdb::Status s = impl_->db->DropColumnFamily(r->cf());
  if (!s.ok()) return ToStatus(s, Context("drop column family", ns.name()));
  const_cast<RocksNamespace*>(r)->dropped.store(true);
  impl_->namespaces.erase(ns.name());
  return absl::OkStatus();
}

std::unique_ptr<WriteBatch> RocksKvStore::NewWriteBatch() { return std::make_unique<RocksWriteBatch>(impl_.get()); }

absl::Status RocksKvStore::Write(const WriteOptions& options, WriteBatch* batch) {
  auto* r = dynamic_cast<RocksWriteBatch*>(batch);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError("rocksdb write: the batch was not made by this store");
  }
  if (!r->error().ok()) return r->error();
  rocksdb::WriteOptions wo;
  wo.sync = options.sync && !options.disable_wal;
  wo.disableWAL = options.disable_wal;
  return ToStatus(impl_->db->Write(wo, r->batch()), absl::StrCat("rocksdb write of ", r->Count(), " updates"));
}

absl::StatusOr<bool> RocksKvStore::Get(const Namespace& ns, std::string_view key, std::string* value) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError(absl::StrCat("get: namespace \"", ns.name(), "\" belongs to another store"));
  }
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), r->cf(), ToSlice(key), value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return ToStatus(s, Context("get", ns.name()));
  return true;
}

std::unique_ptr<Iterator> RocksKvStore::NewIterator(std::shared_ptr<Namespace> ns, const ReadOptions& options) {
  auto* r = dynamic_cast<const RocksNamespace*>(ns.get());
  if (r == nullptr || r->impl() != impl_.get()) {
    return std::make_unique<ErrorIterator>(absl::InvalidArgumentError(
        absl::StrCat("iterator: namespace \"", ns ? ns->name() : "", "\" belongs to another store")));
  }
  return std::make_unique<RocksIterator>(std::move(ns), impl_->db, options);
}

absl::Status RocksKvStore::Flush(const Namespace& ns) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError(absl::StrCat("flush: namespace \"", ns.name(), "\" belongs to another store"));
  }
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return ToStatus(impl_->db->Flush(fo, r->cf()), Context("flush", ns.name()));
}

absl::Status RocksKvStore::CompactRange(const Namespace& ns) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError(absl::StrCat("compact: namespace \"", ns.name(), "\" belongs to another store"));
  }
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  return ToStatus(impl_->db->CompactRange(co, r->cf(), nullptr, nullptr), Context("compact range", ns.name()));
}

absl::StatusOr<uint64_t> RocksKvStore::ApproximateSize(const Namespace& ns) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) {
    return absl::InvalidArgumentError(absl::StrCat("size: namespace \"", ns.name(), "\" belongs to another store"));
  }
  rocksdb::ColumnFamilyMetaData meta;
  impl_->db->GetColumnFamilyMetaData(r->cf(), &meta);
  return meta.size;
}

absl::StatusOr<uint64_t> RocksKvStore::TotalBytesOnDisk() {
  std::error_code ec;
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    if (ec) break;
  }
  if (ec) return absl::InternalError(absl::StrCat("listing ", impl_->dir, ": ", ec.message()));
  return total;
}

std::string RocksKvStore::Property(const Namespace& ns, std::string_view property) {
  auto* r = dynamic_cast<const RocksNamespace*>(&ns);
  if (r == nullptr || r->impl() != impl_.get()) return "";
  std::string value;
  if (!impl_->db->GetProperty(r->cf(), ToSlice(property), &value)) return "";
  return value;
}

}  // namespace vigil::kv
