#include "tsdb/index/mem_postings.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace vigil::tsdb {
namespace {

// Removes from the sorted `list` every id of the sorted `removed`, walking both once.
template <typename ListT>
void RemoveSorted(ListT* list, const std::vector<SeriesId>& removed) {
  if (removed.size() == 1) {
    auto it = std::lower_bound(list->begin(), list->end(), removed[0]);
    if (it != list->end() && *it == removed[0]) list->erase(it);
    return;
  }
  size_t j = 0;
  auto keep = [&](SeriesId id) {
    while (j < removed.size() && removed[j] < id) ++j;
    return j < removed.size() && removed[j] == id;
  };
  list->erase(std::remove_if(list->begin(), list->end(), keep), list->end());
}

uint64_t PairKey(uint32_t name, uint32_t value) { return (uint64_t{name} << 32) | value; }

}  // namespace

MemPostings::MemPostings(const SymbolTable* symbols) : symbols_(symbols) {}

size_t MemPostings::HeapBytes(const List& list) {
  // InlinedVector<_, 2> keeps up to two ids inline; beyond that its capacity lives on the heap.
  return list.capacity() > 2 ? list.capacity() * sizeof(SeriesId) : 0;
}

void MemPostings::InsertLocked(List* list, SeriesId id) {
  const size_t before = HeapBytes(*list);
  if (list->empty() || list->back() < id) {
    list->push_back(id);
  } else {
    auto it = std::lower_bound(list->begin(), list->end(), id);
    if (it != list->end() && *it == id) return;
    list->insert(it, id);
  }
  list_heap_bytes_ += HeapBytes(*list) - before;
}

void MemPostings::AddLocked(SeriesId id, const InternedLabels& labels) {
  if (all_.empty() || all_.back() < id) {
    all_.push_back(id);
  } else {
    auto it = std::lower_bound(all_.begin(), all_.end(), id);
    if (it != all_.end() && *it == id) return;  // Already indexed.
    all_.insert(it, id);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    InsertLocked(&names_[labels.name_id(i)][labels.value_id(i)], id);
  }
}

void MemPostings::Add(SeriesId id, const InternedLabels& labels) {
  absl::MutexLock lock(&mu_);
  AddLocked(id, labels);
}

void MemPostings::AddBatch(std::span<const Entry> series) {
  absl::MutexLock lock(&mu_);
  for (const Entry& e : series) AddLocked(e.id, *e.labels);
}

void MemPostings::Delete(std::span<const Entry> series) {
  if (series.empty()) return;
  // Group the ids to remove by list, so each list is rewritten once.
  absl::flat_hash_map<uint64_t, std::vector<SeriesId>> by_pair;
  std::vector<SeriesId> ids;
  ids.reserve(series.size());
  for (const Entry& e : series) {
    ids.push_back(e.id);
    for (size_t i = 0; i < e.labels->size(); ++i) {
      by_pair[PairKey(e.labels->name_id(i), e.labels->value_id(i))].push_back(e.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  for (auto& [key, removed] : by_pair) std::sort(removed.begin(), removed.end());

  absl::MutexLock lock(&mu_);
  RemoveSorted(&all_, ids);
  for (auto& [key, removed] : by_pair) {
    auto name_it = names_.find(static_cast<uint32_t>(key >> 32));
    if (name_it == names_.end()) continue;
    ValueMap& values = name_it->second;
    auto value_it = values.find(static_cast<uint32_t>(key));
    if (value_it == values.end()) continue;
    List& list = value_it->second;
    const size_t before = HeapBytes(list);
    RemoveSorted(&list, removed);
    if (list.empty()) {
      list_heap_bytes_ -= before;
      values.erase(value_it);
      if (values.empty()) names_.erase(name_it);
      continue;
    }
    // Give back memory of lists that shrank a lot (a job losing most of its series).
    if (list.capacity() > 8 && list.size() < list.capacity() / 4) list.shrink_to_fit();
    list_heap_bytes_ = list_heap_bytes_ + HeapBytes(list) - before;
  }
  if (all_.capacity() > 1024 && all_.size() < all_.capacity() / 4) all_.shrink_to_fit();
}

const MemPostings::ValueMap* MemPostings::FindName(std::string_view name) const {
  std::optional<uint32_t> id = symbols_->Find(name);
  if (!id.has_value()) return nullptr;
  auto it = names_.find(*id);
  return it == names_.end() ? nullptr : &it->second;
}

void MemPostings::Collect(const ValueMap& values, const Matcher& m, bool want, Operand* op) const {
  // `job="x"` selects, and `job!="x"` rejects, exactly one value: look it up instead of scanning the dictionary.
  // (With a non-empty value these are the only (type, want) pairs PostingsForMatchers asks for.)
  const bool literal = m.type() == MatchType::kEqual || m.type() == MatchType::kNotEqual;
  if (literal && !m.value().empty() && (m.type() == MatchType::kEqual) == want) {
    std::optional<uint32_t> vid = symbols_->Find(m.value());
    if (!vid.has_value()) return;
    auto it = values.find(*vid);
    if (it == values.end()) return;
    op->lists.emplace_back(it->second.data(), it->second.size());
    op->total += it->second.size();
    return;
  }
  for (const auto& [value_id, list] : values) {
    if (m.Matches(symbols_->Lookup(value_id)) != want) continue;
    op->lists.emplace_back(list.data(), list.size());
    op->total += list.size();
  }
}

std::vector<SeriesId> MemPostings::PostingsForMatchers(std::span<const Matcher> matchers) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Operand> positives;
  std::vector<Operand> negatives;
  for (const Matcher& m : matchers) {
    const ValueMap* values = FindName(m.name());
    if (!m.MatchesEmpty()) {
      Operand op;
      if (values != nullptr) Collect(*values, m, /*want=*/true, &op);
      if (op.total == 0) return {};
      positives.push_back(std::move(op));
    } else if (values != nullptr) {
      // Series lacking the label match (as ""); only those whose value the matcher rejects are removed.
      Operand op;
      Collect(*values, m, /*want=*/false, &op);
      if (op.total > 0) negatives.push_back(std::move(op));
    }
  }

  std::vector<SeriesId> result;
  std::vector<SeriesId> scratch;
  if (positives.empty()) {
    result = all_;
  } else {
    std::sort(positives.begin(), positives.end(), [](const Operand& a, const Operand& b) { return a.total < b.total; });
    UnionDisjoint(positives[0].lists, &result);
    for (size_t k = 1; k < positives.size() && !result.empty(); ++k) {
      const Operand& op = positives[k];
      if (op.lists.size() == 1) {
        Intersect(result, op.lists[0], &scratch);
      } else if (result.size() * kGallopRatio < op.total) {
        // Few candidates against a big union (instance=~".+"): intersect the candidates with each list instead
        // of materialising the union. The pieces are disjoint, so sorting their concatenation is the union.
        scratch.clear();
        std::vector<SeriesId> piece;
        for (PostingsSpan l : op.lists) {
          Intersect(result, l, &piece);
          scratch.insert(scratch.end(), piece.begin(), piece.end());
        }
        std::sort(scratch.begin(), scratch.end());
      } else {
        std::vector<SeriesId> u;
        UnionDisjoint(op.lists, &u);
        Intersect(result, u, &scratch);
      }
      result.swap(scratch);
    }
  }
  for (const Operand& op : negatives) {
    if (result.empty()) break;
    if (op.lists.size() == 1) {
      Subtract(result, op.lists[0], &scratch);
    } else {
      std::vector<SeriesId> u;
      UnionDisjoint(op.lists, &u);
      Subtract(result, u, &scratch);
    }
    result.swap(scratch);
  }
  return result;
}

std::vector<SeriesId> MemPostings::Get(std::string_view name, std::string_view value) const {
  absl::ReaderMutexLock lock(&mu_);
  const ValueMap* values = FindName(name);
  if (values == nullptr) return {};
  std::optional<uint32_t> vid = symbols_->Find(value);
  if (!vid.has_value()) return {};
  auto it = values->find(*vid);
  if (it == values->end()) return {};
  return std::vector<SeriesId>(it->second.begin(), it->second.end());
}

std::vector<SeriesId> MemPostings::All() const {
  absl::ReaderMutexLock lock(&mu_);
  return all_;
}

std::vector<std::string> MemPostings::LabelNames() const {
  std::vector<std::string> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    out.reserve(names_.size());
    for (const auto& [name_id, values] : names_) out.emplace_back(symbols_->Lookup(name_id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MemPostings::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    const ValueMap* values = FindName(name);
    if (values == nullptr) return out;
    out.reserve(values->size());
    for (const auto& [value_id, list] : *values) out.emplace_back(symbols_->Lookup(value_id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t MemPostings::NumSeries() const {
  absl::ReaderMutexLock lock(&mu_);
  return all_.size();
}

size_t MemPostings::MemoryBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  // flat_hash_map: one slot and one control byte per bucket.
  size_t bytes = sizeof(MemPostings) + all_.capacity() * sizeof(SeriesId) + list_heap_bytes_;
  bytes += names_.capacity() * (sizeof(std::pair<const uint32_t, ValueMap>) + 1);
  for (const auto& [name_id, values] : names_) {
    bytes += values.capacity() * (sizeof(std::pair<const uint32_t, List>) + 1);
  }
  return bytes;
}

}  // namespace vigil::tsdb
