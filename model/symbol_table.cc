#include "model/symbol_table.h"

#include <bit>
#include <cstring>

#include "absl/base/internal/raw_logging.h"
#include "base/strings/absl_view.h"

namespace vigil {

InternedLabels::InternedLabels(const InternedLabels& other) : hash_(other.hash_), size_(other.size_) {
  if (size_ > 0) {
    ids_ = std::make_unique_for_overwrite<uint32_t[]>(2 * size_);
    std::memcpy(ids_.get(), other.ids_.get(), 2 * size_ * sizeof(uint32_t));
  }
}

InternedLabels& InternedLabels::operator=(const InternedLabels& other) {
  if (this != &other) *this = InternedLabels(other);
  return *this;
}

InternedLabels::InternedLabels(InternedLabels&& other) noexcept
    : hash_(std::exchange(other.hash_, Labels::kEmptyHash)),
      size_(std::exchange(other.size_, 0)),
      ids_(std::move(other.ids_)) {}

InternedLabels& InternedLabels::operator=(InternedLabels&& other) noexcept {
  if (this != &other) {
    hash_ = std::exchange(other.hash_, Labels::kEmptyHash);
    size_ = std::exchange(other.size_, 0);
    ids_ = std::move(other.ids_);
  }
  return *this;
}

bool operator==(const InternedLabels& a, const InternedLabels& b) {
  if (a.hash_ != b.hash_ || a.size_ != b.size_) return false;
  return a.size_ == 0 || std::memcmp(a.ids_.get(), b.ids_.get(), 2 * a.size_ * sizeof(uint32_t)) == 0;
}

SymbolTable::SymbolTable() {
  for (auto& chunk : chunks_) chunk.store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() {
  for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
}

std::pair<int, uint64_t> SymbolTable::Locate(uint32_t id) {
  const uint64_t x = uint64_t{id} + kFirstChunkSize;
  const int top = std::bit_width(x) - 1;  // x is in [kFirstChunkSize << k, kFirstChunkSize << (k + 1))
  return {top - kFirstChunkBits, x - (uint64_t{1} << top)};
}

std::string_view SymbolTable::Lookup(uint32_t id) const {
  if (id >= size_.load(std::memory_order_acquire)) return {};
  const auto [chunk, offset] = Locate(id);
  return chunks_[chunk].load(std::memory_order_relaxed)[offset];
}

std::optional<uint32_t> SymbolTable::Find(std::string_view s) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = ids_.find(AV(s));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

uint32_t SymbolTable::Intern(std::string_view s) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = ids_.find(AV(s));
    if (it != ids_.end()) return it->second;
  }
  absl::MutexLock lock(&mu_);
  // Another thread may have added it between the two locks.
  auto it = ids_.find(AV(s));
  if (it != ids_.end()) return it->second;
  return InternLocked(s);
}

std::string_view SymbolTable::CopyToArena(std::string_view s) {
  if (s.empty()) return std::string_view();
  char* dst;
  if (s.size() > kLargeString) {
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(s.size()));
    arena_bytes_ += s.size();
    dst = blocks_.back().get();
  } else {
    if (s.size() > block_left_) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockSize));
      arena_bytes_ += kBlockSize;
      block_next_ = blocks_.back().get();
      block_left_ = kBlockSize;
    }
    dst = block_next_;
    block_next_ += s.size();
    block_left_ -= s.size();
  }
  std::memcpy(dst, s.data(), s.size());
  return std::string_view(dst, s.size());
}

uint32_t SymbolTable::InternLocked(std::string_view s) {
  const uint32_t id = size_.load(std::memory_order_relaxed);
  ABSL_RAW_CHECK(id != kNoId, "SymbolTable is full");
  const auto [chunk, offset] = Locate(id);
  std::string_view* entries = chunks_[chunk].load(std::memory_order_relaxed);
  if (entries == nullptr) {
    entries = new std::string_view[kFirstChunkSize << chunk];
    chunks_[chunk].store(entries, std::memory_order_relaxed);
  }
  const std::string_view stored = CopyToArena(s);
  entries[offset] = stored;
  ids_.emplace(AV(stored), id);
  // Publishes the entry (and the chunk pointer) to lock-free Lookup().
  size_.store(id + 1, std::memory_order_release);
  return id;
}

size_t SymbolTable::MemoryBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t bytes = sizeof(SymbolTable) + arena_bytes_ + blocks_.capacity() * sizeof(blocks_[0]);
  // flat_hash_map: one slot plus one control byte per bucket.
  bytes += ids_.capacity() * (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  for (int k = 0; k < kNumChunks; ++k) {
    if (chunks_[k].load(std::memory_order_relaxed) == nullptr) break;
    bytes += (kFirstChunkSize << k) * sizeof(std::string_view);
  }
  return bytes;
}

InternedLabels SymbolTable::Intern(const Labels& labels) {
  InternedLabels out;
  out.hash_ = labels.Hash();
  out.size_ = static_cast<uint32_t>(labels.size());
  if (labels.empty()) return out;
  const size_t n = 2 * labels.size();
  out.ids_ = std::make_unique_for_overwrite<uint32_t[]>(n);
  uint32_t* ids = out.ids_.get();
  const auto string_at = [&labels](size_t k) {
    const Label l = labels[k / 2];
    return k % 2 == 0 ? l.name : l.value;
  };
  // Usually every string is known already: resolve them all under one shared lock.
  bool missing = false;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (size_t k = 0; k < n; ++k) {
      auto it = ids_.find(AV(string_at(k)));
      if (it == ids_.end()) {
        ids[k] = kNoId;
        missing = true;
      } else {
        ids[k] = it->second;
      }
    }
  }
  if (missing) {
    absl::MutexLock lock(&mu_);
    for (size_t k = 0; k < n; ++k) {
      if (ids[k] != kNoId) continue;
      const std::string_view s = string_at(k);
      auto it = ids_.find(AV(s));
      ids[k] = it != ids_.end() ? it->second : InternLocked(s);
    }
  }
  return out;
}

Labels SymbolTable::Materialize(const InternedLabels& labels) const {
  const uint64_t hash = labels.Hash();
  return Labels::FromSorted(
      labels.size(),
      [&](size_t i) {
        return Label{Lookup(labels.name_id(i)), Lookup(labels.value_id(i))};
      },
      &hash);
}

}  // namespace vigil
