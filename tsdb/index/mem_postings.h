// MemPostings: the in-memory inverted index of the TSDB head. It maps each label pair (name id, value id) to the
// sorted ids of the series carrying it, keeps per label name the dictionary of its values, and evaluates PromQL
// matchers against them.
//
//   SymbolTable symbols;
//   MemPostings index(&symbols);
//   index.Add(ref, symbols.Intern(labels));
//   std::vector<SeriesId> ids = index.PostingsForMatchers(matchers);
//
// Everything is keyed by SymbolTable ids, so the index stores no strings of its own. A regex matcher is evaluated
// once per distinct value of its label name, never once per series.
//
// Thread-safety: all methods may be called concurrently. Reads (PostingsForMatchers, LabelValues, ...) share a
// reader lock for their whole evaluation and copy their result out; Add and Delete take the writer lock.
#ifndef VIGIL_TSDB_INDEX_MEM_POSTINGS_H_
#define VIGIL_TSDB_INDEX_MEM_POSTINGS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "model/matcher.h"
#include "model/symbol_table.h"
#include "tsdb/index/postings.h"

namespace vigil::tsdb {

class MemPostings {
 public:
  // One series as Add/Delete see it: its id and its labels interned in the index's SymbolTable.
  struct Entry {
    SeriesId id;
    const InternedLabels* labels;
  };

  // Resolves names and values through `symbols`, which must outlive the index and must be the table the labels
  // passed to Add/Delete were interned in.
  explicit MemPostings(const SymbolTable* symbols);

  MemPostings(const MemPostings&) = delete;
  MemPostings& operator=(const MemPostings&) = delete;

  // Indexes series `id` under each of its label pairs. Ids usually arrive in increasing order (then this appends);
  // an id smaller than the last of a list is inserted in place. Adding an id twice is a no-op.
  void Add(SeriesId id, const InternedLabels& labels);
  // Adds several series under one lock acquisition.
  void AddBatch(std::span<const Entry> series);

  // Removes the series (which must have been added with these labels) from every list; values and names left
  // without series disappear from the dictionaries. Batched so that a list shared by many removed series (job="x")
  // is rewritten once.
  void Delete(std::span<const Entry> series);

  // The ids of the series selected by all `matchers`, with Prometheus semantics: a series lacking a label is
  // matched as if its value were "". A matcher that does not match "" (job="api", code=~"5..") selects the union
  // of the lists of the values it matches; a matcher that matches "" (job="", job!="api", job=~".*", job!~"x")
  // selects every series except those whose value it rejects, i.e. all-postings minus the lists of the values it
  // does not match. The result is the intersection. With no matcher that excludes "", the selection starts from
  // all series; with no matchers at all it is every series. Refusing such selectors ("selector must contain at
  // least one non-empty matcher") is the query layer's job.
  std::vector<SeriesId> PostingsForMatchers(std::span<const Matcher> matchers) const;

  // The ids of the series with label `name`=`value` (empty if none).
  std::vector<SeriesId> Get(std::string_view name, std::string_view value) const;
  // The ids of every indexed series.
  std::vector<SeriesId> All() const;

  // Sorted names that at least one series carries.
  std::vector<std::string> LabelNames() const;
  // Sorted values of label `name` that at least one series carries.
  std::vector<std::string> LabelValues(std::string_view name) const;

  // The number of indexed series.
  size_t NumSeries() const;

  // An estimate of the bytes the index holds (hash tables, lists and their spare capacity), excluding the symbol
  // table.
  size_t MemoryBytes() const;

 private:
  // A postings list: two ids fit inline, which is what most values of high-cardinality labels (instance, pod)
  // have, so such a value costs no allocation of its own.
  using List = absl::InlinedVector<SeriesId, 2>;
  using ValueMap = absl::flat_hash_map<uint32_t, List>;

  // Candidate lists for one matcher: pairwise disjoint (different values of one name).
  struct Operand {
    std::vector<PostingsSpan> lists;
    size_t total = 0;
  };

  // Adds `id` to `list`, keeping it sorted; updates the heap accounting.
  void InsertLocked(List* list, SeriesId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddLocked(SeriesId id, const InternedLabels& labels) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The value map of label `name`, or null if no series has it.
  const ValueMap* FindName(std::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Adds to `op` the lists of the values of `values` for which m.Matches(value) == want.
  void Collect(const ValueMap& values, const Matcher& m, bool want, Operand* op) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Heap bytes of a list beyond its inline storage.
  static size_t HeapBytes(const List& list);

  const SymbolTable* const symbols_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint32_t, ValueMap> names_ ABSL_GUARDED_BY(mu_);
  std::vector<SeriesId> all_ ABSL_GUARDED_BY(mu_);
  // Sum of HeapBytes over every list.
  size_t list_heap_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_INDEX_MEM_POSTINGS_H_
