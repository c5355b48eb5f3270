#include "tsdb/kv/memory_kv_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::kv {

class MemoryKvStore::MemNamespace : public Namespace {
 public:
  MemNamespace(const MemoryKvStore* owner, std::string name)
      : owner(owner), data(std::make_shared<Map>()), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }

  const MemoryKvStore* const owner;
  bool dropped = false;
  // Replaced by a copy before a write when an iterator still shares it (copy-on-write snapshots).
  std::shared_ptr<Map> data;

 private:
  const std::string name_;
};

namespace {

struct Op {
  enum Kind { kPut, kDelete, kDeleteRange } kind;
  const Namespace* ns;
  std::string key;
  std::string value;  // The value of kPut, the end of kDeleteRange.
};

class MemWriteBatch : public WriteBatch {
 public:
  explicit MemWriteBatch(const MemoryKvStore* owner) : owner_(owner) {}

  void Put(const Namespace& ns, std::string_view key, std::string_view value) override {
    Add(Op{Op::kPut, &ns, std::string(key), std::string(value)});
  }
  void Delete(const Namespace& ns, std::string_view key) override { Add(Op{Op::kDelete, &ns, std::string(key), {}}); }
  void DeleteRange(const Namespace& ns, std::string_view begin, std::string_view end) override {
    Add(Op{Op::kDeleteRange, &ns, std::string(begin), std::string(end)});
  }
  size_t Count() const override { return ops_.size(); }
  size_t ApproximateBytes() const override { return bytes_; }
  void Clear() override {
    ops_.clear();
    bytes_ = 0;
  }

  const MemoryKvStore* owner() const { return owner_; }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  void Add(Op op) {
    bytes_ += op.key.size() + op.value.size() + 16;
    ops_.push_back(std::move(op));
  }

  const MemoryKvStore* owner_;
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

class MemIterator : public Iterator {
 public:
  MemIterator(std::shared_ptr<Namespace> ns, std::shared_ptr<const MemoryKvStore::Map> data, std::string upper)
      : ns_(std::move(ns)), data_(std::move(data)), upper_(std::move(upper)), it_(data_->end()) {}

  bool Valid() const override { return it_ != data_->end() && (upper_.empty() || it_->first < upper_); }
  void Seek(std::string_view target) override { it_ = data_->lower_bound(target); }
  void SeekToFirst() override { it_ = data_->begin(); }
  void Next() override { ++it_; }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  std::shared_ptr<Namespace> ns_;
  std::shared_ptr<const MemoryKvStore::Map> data_;
  std::string upper_;
  MemoryKvStore::Map::const_iterator it_;
};

}  // namespace

MemoryKvStore::MemoryKvStore() : default_ns_(std::make_shared<MemNamespace>(this, "default")) {}

MemoryKvStore::~MemoryKvStore() = default;

std::shared_ptr<Namespace> MemoryKvStore::DefaultNamespace() { return default_ns_; }

std::vector<std::shared_ptr<Namespace>> MemoryKvStore::ListNamespaces() {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Namespace>> out;
  out.reserve(namespaces_.size());
  for (const auto& [name, ns] : namespaces_) out.push_back(ns);
  return out;
}

absl::StatusOr<std::shared_ptr<Namespace>> MemoryKvStore::CreateNamespace(std::string_view name) {
  if (name.empty() || name == "default") {
    return absl::InvalidArgumentError(absl::StrCat("create namespace: invalid name \"", AV(name), "\""));
  }
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  if (namespaces_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("create namespace \"", AV(name), "\": already exists"));
  }
  auto ns = std::make_shared<MemNamespace>(this, std::string(name));
  namespaces_.emplace(std::string(name), ns);
  return ns;
}

absl::StatusOr<MemoryKvStore::MemNamespace*> MemoryKvStore::Live(const Namespace& ns) {
  auto* mem = dynamic_cast<const MemNamespace*>(&ns);
  if (mem == nullptr || mem->owner != this) {
    return absl::InvalidArgumentError(absl::StrCat("namespace \"", ns.name(), "\" belongs to another store"));
  }
  if (mem->dropped) {
    return absl::FailedPreconditionError(absl::StrCat("namespace \"", ns.name(), "\" was dropped"));
  }
  return const_cast<MemNamespace*>(mem);
}

absl::Status MemoryKvStore::DropNamespace(const Namespace& ns) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  if (&ns == default_ns_.get()) return absl::InvalidArgumentError("the default namespace cannot be dropped");
  auto live = Live(ns);
  if (!live.ok()) return live.status();
  (*live)->dropped = true;
  namespaces_.erase(ns.name());
  return absl::OkStatus();
}

std::unique_ptr<WriteBatch> MemoryKvStore::NewWriteBatch() { return std::make_unique<MemWriteBatch>(this); }

absl::Status MemoryKvStore::Write(const WriteOptions& /*options*/, WriteBatch* batch) {
  auto* mem_batch = dynamic_cast<MemWriteBatch*>(batch);
  if (mem_batch == nullptr || mem_batch->owner() != this) {
    return absl::InvalidArgumentError("write: the batch was not made by this store");
  }
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  // Check every namespace first so a failing batch changes nothing.
  for (const Op& op : mem_batch->ops()) {
    auto live = Live(*op.ns);
    if (!live.ok()) return absl::Status(live.status().code(), absl::StrCat("write: ", live.status().message()));
  }
  for (const Op& op : mem_batch->ops()) {
    MemNamespace* ns = *Live(*op.ns);
    if (ns->data.use_count() > 1) ns->data = std::make_shared<Map>(*ns->data);
    Map& map = *ns->data;
    switch (op.kind) {
      case Op::kPut:
        map.insert_or_assign(op.key, op.value);
        break;
      case Op::kDelete:
        map.erase(op.key);
        break;
      case Op::kDeleteRange:
        if (op.key < op.value) map.erase(map.lower_bound(op.key), map.lower_bound(op.value));
        break;
    }
  }
  ++writes_;
  return absl::OkStatus();
}

absl::StatusOr<bool> MemoryKvStore::Get(const Namespace& ns, std::string_view key, std::string* value) {
  absl::MutexLock lock(&mu_);
  auto* mem = dynamic_cast<const MemNamespace*>(&ns);
  if (mem == nullptr || mem->owner != this) {
    return absl::InvalidArgumentError(absl::StrCat("get: namespace \"", ns.name(), "\" belongs to another store"));
  }
  auto it = mem->data->find(key);
  if (it == mem->data->end()) return false;
  *value = it->second;
  return true;
}

std::unique_ptr<Iterator> MemoryKvStore::NewIterator(std::shared_ptr<Namespace> ns, const ReadOptions& options) {
  std::shared_ptr<const Map> data;
  {
    absl::MutexLock lock(&mu_);
    auto* mem = dynamic_cast<const MemNamespace*>(ns.get());
    data = (mem != nullptr && mem->owner == this) ? mem->data : std::make_shared<const Map>();
  }
  return std::make_unique<MemIterator>(std::move(ns), std::move(data), options.upper_bound);
}

absl::Status MemoryKvStore::Flush(const Namespace& ns) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return Live(ns).status();
}

absl::Status MemoryKvStore::CompactRange(const Namespace& ns) { return Flush(ns); }

absl::StatusOr<uint64_t> MemoryKvStore::ApproximateSize(const Namespace& ns) {
  absl::MutexLock lock(&mu_);
  auto* mem = dynamic_cast<const MemNamespace*>(&ns);
  if (mem == nullptr || mem->owner != this) {
    return absl::InvalidArgumentError(absl::StrCat("size: namespace \"", ns.name(), "\" belongs to another store"));
  }
  uint64_t bytes = 0;
  for (const auto& [k, v] : *mem->data) bytes += k.size() + v.size();
  return bytes;
}

void MemoryKvStore::SetFailure(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

int64_t MemoryKvStore::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

}  // namespace vigil::kv
