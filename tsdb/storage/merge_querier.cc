#include "tsdb/storage/merge_querier.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "tsdb/storage/series_set.h"

namespace vigil::tsdb {
namespace {

// Merges sorted, unique string lists into one.
std::vector<std::string> UnionSorted(std::vector<std::vector<std::string>> lists) {
  std::vector<std::string> out;
  for (auto& l : lists) {
    std::vector<std::string> merged;
    merged.reserve(out.size() + l.size());
    std::set_union(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()),
                   std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()), std::back_inserter(merged));
    out = std::move(merged);
  }
  return out;
}

class MergeQuerier : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) : queriers_(std::move(queriers)) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints, std::span<const Matcher> matchers) override {
    (void)sorted;
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(queriers_.size());
    for (auto& q : queriers_) sets.push_back(q->Select(true, hints, matchers));
    return MergeSeriesSets(std::move(sets));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    std::vector<std::vector<std::string>> lists;
    for (auto& q : queriers_) {
      absl::StatusOr<std::vector<std::string>> names = q->LabelNames(matchers);
      if (!names.ok()) return names.status();
      lists.push_back(*std::move(names));
    }
    return UnionSorted(std::move(lists));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    std::vector<std::vector<std::string>> lists;
    for (auto& q : queriers_) {
      absl::StatusOr<std::vector<std::string>> values = q->LabelValues(name, matchers);
      if (!values.ok()) return values.status();
      lists.push_back(*std::move(values));
    }
    return UnionSorted(std::move(lists));
  }

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

}  // namespace

std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) {
  if (queriers.size() == 1) return std::move(queriers.front());
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

}  // namespace vigil::tsdb
