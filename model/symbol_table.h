// String interning for the TSDB head: each distinct label name and value is stored once and named by a dense
// uint32 id, and a series keeps its label set as ids (InternedLabels) rather than bytes.
//
//   vigil::SymbolTable symbols;
//   uint32_t id = symbols.Intern("node_cpu_seconds_total");
//   symbols.Lookup(id);                                  // "node_cpu_seconds_total", valid while `symbols` lives
//   vigil::InternedLabels il = symbols.Intern(labels);   // 24 bytes + 8 per label
//   vigil::Labels back = symbols.Materialize(il);        // == labels
//
// Thread-safety: all methods may be called concurrently. Lookup() takes no lock (two atomic loads); Find() and
// Intern() of an already-interned string take a shared lock; only interning a new string takes the exclusive lock.
#ifndef VIGIL_MODEL_SYMBOL_TABLE_H_
#define VIGIL_MODEL_SYMBOL_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"

namespace vigil {

// A label set in interned form: (name id, value id) pairs in the order of the Labels it came from (sorted by name
// string, not by id), plus that Labels' Hash(). Only meaningful together with the SymbolTable that made it;
// comparing InternedLabels from different tables is meaningless.
class InternedLabels {
 public:
  // The empty set.
  InternedLabels() = default;
  InternedLabels(const InternedLabels& other);
  InternedLabels& operator=(const InternedLabels& other);
  InternedLabels(InternedLabels&& other) noexcept;
  InternedLabels& operator=(InternedLabels&& other) noexcept;
  ~InternedLabels() = default;

  // The number of labels.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Ids of the i-th label's name and value. Require i < size().
  uint32_t name_id(size_t i) const { return ids_[2 * i]; }
  uint32_t value_id(size_t i) const { return ids_[2 * i + 1]; }

  // Hash() of the Labels these were interned from.
  uint64_t Hash() const { return hash_; }

  // Heap and inline bytes held by this value; for memory accounting.
  size_t MemoryBytes() const { return sizeof(InternedLabels) + 2 * size_ * sizeof(uint32_t); }

  // Equal iff the Labels they were interned from (by the same table) are equal.
  friend bool operator==(const InternedLabels& a, const InternedLabels& b);

  // Hashes exactly as AbslHashValue(Labels) does, so absl::Hash gives equal values for a Labels and its interned
  // form (useful for heterogeneous lookup).
  template <typename H>
  friend H AbslHashValue(H h, const InternedLabels& labels) {
    return H::combine(std::move(h), labels.hash_);
  }

 private:
  friend class SymbolTable;

  uint64_t hash_ = Labels::kEmptyHash;
  uint32_t size_ = 0;
  // name id, value id, name id, value id, ...; null when empty.
  std::unique_ptr<uint32_t[]> ids_;
};

class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // Returns the id of `s`, adding it if absent. Ids are dense: the n-th distinct string interned gets id n-1.
  uint32_t Intern(std::string_view s);

  // Returns the id of `s` if it has been interned.
  std::optional<uint32_t> Find(std::string_view s) const;

  // Returns the string with id `id`, or "" if no string has that id. The view stays valid for the table's
  // lifetime. Lock-free.
  std::string_view Lookup(uint32_t id) const;

  // The number of distinct strings interned.
  size_t size() const { return size_.load(std::memory_order_acquire); }

  // An estimate of the bytes the table holds: string storage, the id index and the hash index.
  size_t MemoryBytes() const;

  // Interns every name and value of `labels`.
  InternedLabels Intern(const Labels& labels);

  // The Labels `labels` was interned from. `labels` must come from this table.
  Labels Materialize(const InternedLabels& labels) const;

 private:
  // Ids live in chunks that are allocated once and never moved, so Lookup() needs no lock: chunk k holds
  // kFirstChunkSize << k entries, for ids [kFirstChunkSize * (2^k - 1), kFirstChunkSize * (2^(k+1) - 1)).
  static constexpr int kFirstChunkBits = 10;
  static constexpr uint64_t kFirstChunkSize = uint64_t{1} << kFirstChunkBits;
  // Enough chunks for every uint32 id.
  static constexpr int kNumChunks = 33 - kFirstChunkBits;
  // Never a valid id; caps the table at 2^32 - 1 strings.
  static constexpr uint32_t kNoId = 0xFFFFFFFFu;
  // Strings are copied into blocks of this size; longer strings get a block of their own.
  static constexpr size_t kBlockSize = 64 * 1024;
  static constexpr size_t kLargeString = kBlockSize / 8;

  // Where id `id` lives: chunk index and offset in it.
  static std::pair<int, uint64_t> Locate(uint32_t id);

  // Adds `s`, which must not be present. Returns its id.
  uint32_t InternLocked(std::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Copies `s` into the arena and returns the stable copy.
  std::string_view CopyToArena(std::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Keys point into the arena.
  absl::flat_hash_map<absl::string_view, uint32_t> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<char[]>> blocks_ ABSL_GUARDED_BY(mu_);
  char* block_next_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t block_left_ ABSL_GUARDED_BY(mu_) = 0;
  size_t arena_bytes_ ABSL_GUARDED_BY(mu_) = 0;

  // Written under mu_ before size_ is raised past the ids they hold; read without the lock.
  std::atomic<std::string_view*> chunks_[kNumChunks];
  // Published (release) after the entry of id size_-1 is written.
  std::atomic<uint32_t> size_{0};
};

}  // namespace vigil

#endif  // VIGIL_MODEL_SYMBOL_TABLE_H_
