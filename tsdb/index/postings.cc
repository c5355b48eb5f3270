#include "tsdb/index/postings.h"

#include <algorithm>
#include <queue>
#include <utility>

namespace vigil::tsdb {
namespace {

// Intersection when `small` is much shorter than `large`: each element of `small` gallops forward in `large`.
void IntersectGallop(PostingsSpan small, PostingsSpan large, std::vector<SeriesId>* out) {
  size_t j = 0;
  for (SeriesId id : small) {
    j = GallopTo(large, j, id);
    if (j == large.size()) return;
    if (large[j] == id) out->push_back(id);
  }
}

void IntersectLinear(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      out->push_back(a[i]);
      ++i;
      ++j;
    }
  }
}

void IntersectAppend(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  if (a.size() > b.size()) std::swap(a, b);
  if (a.empty()) return;
  if (b.size() / a.size() >= kGallopRatio) {
    IntersectGallop(a, b, out);
  } else {
    IntersectLinear(a, b, out);
  }
}

void UnionTwo(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->reserve(a.size() + b.size());
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      out->push_back(a[i++]);
    } else if (b[j] < a[i]) {
      out->push_back(b[j++]);
    } else {
      out->push_back(a[i]);
      ++i;
      ++j;
    }
  }
  out->insert(out->end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
  out->insert(out->end(), b.begin() + static_cast<std::ptrdiff_t>(j), b.end());
}

}  // namespace

size_t GallopTo(PostingsSpan list, size_t from, SeriesId target) {
  const size_t n = list.size();
  if (from >= n || list[from] >= target) return from;
  // Invariant: list[lo] < target; find hi with list[hi] >= target (or hi = n) by doubling steps.
  size_t lo = from;
  size_t step = 1;
  size_t hi = from + 1;
  while (hi < n && list[hi] < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  auto it = std::lower_bound(list.begin() + static_cast<std::ptrdiff_t>(lo + 1),
                             list.begin() + static_cast<std::ptrdiff_t>(hi), target);
  return static_cast<size_t>(it - list.begin());
}

void Intersect(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->clear();
  IntersectAppend(a, b, out);
}

void IntersectAll(std::vector<PostingsSpan> lists, std::vector<SeriesId>* out) {
  out->clear();
  if (lists.empty()) return;
  std::sort(lists.begin(), lists.end(), [](PostingsSpan x, PostingsSpan y) { return x.size() < y.size(); });
  if (lists.size() == 1) {
    out->assign(lists[0].begin(), lists[0].end());
    return;
  }
  IntersectAppend(lists[0], lists[1], out);
  std::vector<SeriesId> scratch;
  for (size_t k = 2; k < lists.size() && !out->empty(); ++k) {
    scratch.clear();
    IntersectAppend(*out, lists[k], &scratch);
    out->swap(scratch);
  }
}

void Union(std::span<const PostingsSpan> lists, std::vector<SeriesId>* out) {
  out->clear();
  // Drop empty inputs so the heap only holds live cursors.
  std::vector<PostingsSpan> live;
  live.reserve(lists.size());
  size_t total = 0;
  for (PostingsSpan l : lists) {
    if (l.empty()) continue;
    live.push_back(l);
    total += l.size();
  }
  if (live.empty()) return;
  if (live.size() == 1) {
    out->assign(live[0].begin(), live[0].end());
    return;
  }
  if (live.size() == 2) {
    UnionTwo(live[0], live[1], out);
    return;
  }
  out->reserve(total);
  // (head value, list index); the position of each list's head is kept in `pos`.
  using Head = std::pair<SeriesId, size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
  std::vector<size_t> pos(live.size(), 0);
  for (size_t k = 0; k < live.size(); ++k) heap.emplace(live[k][0], k);
  while (!heap.empty()) {
    const auto [id, k] = heap.top();
    heap.pop();
    if (out->empty() || out->back() != id) out->push_back(id);
    if (++pos[k] < live[k].size()) heap.emplace(live[k][pos[k]], k);
  }
}

void UnionDisjoint(std::span<const PostingsSpan> lists, std::vector<SeriesId>* out) {
  // A heap merge costs log k per element; for few lists that beats sorting the concatenation.
  if (lists.size() <= 4) {
    Union(lists, out);
    return;
  }
  out->clear();
  size_t total = 0;
  for (PostingsSpan l : lists) total += l.size();
  out->reserve(total);
  for (PostingsSpan l : lists) out->insert(out->end(), l.begin(), l.end());
  std::sort(out->begin(), out->end());
  // The inputs should be disjoint; if a caller broke that promise, still return a set.
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

void Subtract(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->clear();
  if (b.empty()) {
    out->assign(a.begin(), a.end());
    return;
  }
  out->reserve(a.size());
  if (!a.empty() && b.size() / a.size() >= kGallopRatio) {
    size_t j = 0;
    for (SeriesId id : a) {
      j = GallopTo(b, j, id);
      if (j == b.size() || b[j] != id) out->push_back(id);
    }
    return;
  }
  if (a.size() / b.size() >= kGallopRatio) {
    // Few ids to remove from a long list: copy the runs between them.
    size_t i = 0;
    for (SeriesId id : b) {
      const size_t k = GallopTo(a, i, id);
      out->insert(out->end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.begin() + static_cast<std::ptrdiff_t>(k));
      i = k;
      if (i < a.size() && a[i] == id) ++i;
      if (i == a.size()) return;
    }
    out->insert(out->end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
    return;
  }
  size_t j = 0;
  for (SeriesId id : a) {
    while (j < b.size() && b[j] < id) ++j;
    if (j == b.size() || b[j] != id) out->push_back(id);
  }
}

bool Contains(PostingsSpan list, SeriesId id) { return std::binary_search(list.begin(), list.end(), id); }

}  // namespace vigil::tsdb
