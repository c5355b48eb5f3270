// Postings: sorted lists of series ids, and the set operations series selection is made of.
//
// A postings list names the series that carry one label pair (job="api"); selecting {job="api", code=~"5.."}
// intersects the list of job="api" with the union of the lists of every code value the regex accepts.
//
//   std::vector<SeriesId> out;
//   Intersect(a, b, &out);             // a ∩ b
//   Union({a, b, c}, &out);            // a ∪ b ∪ c, k-way
//   Subtract(a, b, &out);              // a \ b
//
// Ids are uint64: they are the head's SeriesRef values, which are handed out once, never reused and kept stable
// across restarts through the write-ahead log (the WAL records refs). A 32-bit id would halve the 8 bytes a
// series costs per label in the index, but it would either wrap after 2^32 series created over a head's lifetime
// (reachable with heavy churn: 1 M new series an hour exhausts it in six months) or need a ref -> id table that
// costs more than the saving.
//
// Every input must be sorted strictly increasing (no duplicates); every output is. Outputs are appended to `out`
// after clearing it, so a caller reuses one vector across calls. The inputs may not alias `out`.
#ifndef VIGIL_TSDB_INDEX_POSTINGS_H_
#define VIGIL_TSDB_INDEX_POSTINGS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vigil::tsdb {

// A series id in postings: a head SeriesRef.
using SeriesId = uint64_t;

// A borrowed sorted list of ids.
using PostingsSpan = std::span<const SeriesId>;

// When one list is this many times longer than the other, Intersect and Subtract gallop (exponential then binary
// search) through the long list instead of walking it element by element: O(n log(m/n)) instead of O(n + m).
inline constexpr size_t kGallopRatio = 16;

// Returns the index of the first element of `list` at or after `from` that is >= `target` (list.size() if none),
// by exponential then binary search from `from`. Cost O(log d) for a distance d.
size_t GallopTo(PostingsSpan list, size_t from, SeriesId target);

// out = a ∩ b.
void Intersect(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out);

// out = ∩ lists (in any order; the smallest is taken first so intermediate results only shrink). An empty
// `lists` gives an empty result.
void IntersectAll(std::vector<PostingsSpan> lists, std::vector<SeriesId>* out);

// out = ∪ lists, by a k-way merge over a min-heap of list heads; an id present in several lists appears once.
void Union(std::span<const PostingsSpan> lists, std::vector<SeriesId>* out);

// out = ∪ lists for lists known to be pairwise disjoint (the lists of different values of one label name: a
// series has one value per name). Cheaper than Union for many small lists: concatenates and sorts.
void UnionDisjoint(std::span<const PostingsSpan> lists, std::vector<SeriesId>* out);

// out = a \ b (elements of a not in b).
void Subtract(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out);

// Whether `list` contains `id` (binary search).
bool Contains(PostingsSpan list, SeriesId id);

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_INDEX_POSTINGS_H_
