#include "tsdb/partition/partition_querier.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/btree_set.h"
#include "base/status/status_macros.h"
#include "tsdb/partition/chunk_series_iterator.h"
#include "tsdb/storage/series_set.h"

namespace vigil::tsdb::partition {
namespace {

// The chunk bytes of one merged series and the refs into them.
struct SeriesChunks {
  std::string bytes;
  std::vector<ChunkRef> refs;
};

class PartitionSeries : public Series {
 public:
  PartitionSeries(Labels labels, std::shared_ptr<const SeriesChunks> chunks, TimestampMs mint, TimestampMs maxt)
      : labels_(std::move(labels)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> Iterator() const override {
    return std::make_unique<ChunkSeriesIterator>(chunks_, chunks_->refs, mint_, maxt_);
  }

 private:
  Labels labels_;
  std::shared_ptr<const SeriesChunks> chunks_;
  TimestampMs mint_;
  TimestampMs maxt_;
};

// The matched series of one partition, read one at a time.
struct Cursor {
  Cursor(std::shared_ptr<const PartitionReader> p, std::vector<uint32_t> ids_in, uint32_t priority_in)
      : reader(std::move(p)), ids(std::move(ids_in)), priority(priority_in) {}

  SeriesReader reader;
  std::vector<uint32_t> ids;
  uint32_t priority;
  size_t pos = 0;
  bool loaded = false;
  Labels labels;
  std::string buf;
  std::vector<ChunkSpan> chunks;
};

class MergedSeriesSet : public SeriesSet {
 public:
  MergedSeriesSet(std::vector<std::unique_ptr<Cursor>> cursors, TimestampMs mint, TimestampMs maxt, bool want_chunks)
      : cursors_(std::move(cursors)), mint_(mint), maxt_(maxt), want_chunks_(want_chunks) {}

  bool Next() override {
    if (!err_.ok()) return false;
    for (;;) {
      Cursor* first = nullptr;
      for (auto& c : cursors_) {
        if (!c->loaded && c->pos < c->ids.size()) {
          absl::Status s =
              c->reader.Read(c->ids[c->pos], mint_, maxt_, &c->labels, &c->buf, want_chunks_ ? &c->chunks : nullptr);
          if (!s.ok()) {
            err_ = s;
            return false;
          }
          c->loaded = true;
        }
        if (c->loaded && (first == nullptr || Compare(c->labels, first->labels) < 0)) first = c.get();
      }
      if (first == nullptr) return false;
      auto chunks = std::make_shared<SeriesChunks>();
      Labels labels = first->labels;
      for (auto& c : cursors_) {
        if (!c->loaded || (c.get() != first && Compare(c->labels, labels) != 0)) continue;
        const size_t base = chunks->bytes.size();
        chunks->bytes.append(c->buf);
        for (const ChunkSpan& span : c->chunks) {
          chunks->refs.push_back(
              ChunkRef{std::string_view(), span.min_time, span.max_time, c->priority, c->reader.partition().meta().id});
          offsets_.push_back({base + span.offset, span.size});
        }
        c->loaded = false;
        c->buf.clear();
        c->chunks.clear();
        ++c->pos;
      }
      // Point the refs into the final buffer (appending may have moved it).
      for (size_t i = 0; i < chunks->refs.size(); ++i) {
        chunks->refs[i].bytes = std::string_view(chunks->bytes).substr(offsets_[i].first, offsets_[i].second);
      }
      offsets_.clear();
      if (want_chunks_ && chunks->refs.empty()) continue;  // No samples in range in any partition.
      SortChunkRefs(&chunks->refs);
      current_ = std::make_shared<PartitionSeries>(std::move(labels), std::move(chunks), mint_, maxt_);
      return true;
    }
  }

  std::shared_ptr<const Series> At() const override { return current_; }
  absl::Status Err() const override { return err_; }

 private:
  std::vector<std::unique_ptr<Cursor>> cursors_;
  TimestampMs mint_;
  TimestampMs maxt_;
  bool want_chunks_;
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::shared_ptr<const Series> current_;
  absl::Status err_;
};

// Adds the names (or values of `name` if not empty) of the series `ids` of partition `p` to `out`.
absl::Status CollectFromSeries(const std::shared_ptr<const PartitionReader>& p, const std::vector<uint32_t>& ids,
                               std::string_view name, absl::btree_set<std::string>* out) {
  SeriesReader reader(p);
  Labels labels;
  for (uint32_t id : ids) {
    VIGIL_RETURN_IF_ERROR(reader.Read(id, 0, -1, &labels, nullptr, nullptr));
    if (name.empty()) {
      for (const Label& l : labels) out->emplace(l.name);
    } else if (std::string_view v = labels.Get(name); !v.empty()) {
      out->emplace(v);
    }
  }
  return absl::OkStatus();
}

}  // namespace

PartitionQuerier::PartitionQuerier(std::vector<std::shared_ptr<const PartitionReader>> partitions, TimestampMs mint,
                                   TimestampMs maxt)
    : partitions_(std::move(partitions)), mint_(mint), maxt_(maxt) {
  std::sort(partitions_.begin(), partitions_.end(),
            [](const auto& a, const auto& b) { return a->meta().id > b->meta().id; });
}

std::unique_ptr<SeriesSet> PartitionQuerier::Select(bool /*sorted*/, const SelectHints* hints,
                                                    std::span<const Matcher> matchers) {
  const bool want_chunks = hints == nullptr || hints->func != "series";
  std::vector<std::unique_ptr<Cursor>> cursors;
  for (size_t i = 0; i < partitions_.size(); ++i) {
    absl::StatusOr<std::vector<uint32_t>> ids = partitions_[i]->SelectIds(matchers);
    if (!ids.ok()) return ErrorSeriesSet(ids.status());
    if (ids->empty()) continue;
    cursors.push_back(std::make_unique<Cursor>(partitions_[i], *std::move(ids), static_cast<uint32_t>(i)));
  }
  return std::make_unique<MergedSeriesSet>(std::move(cursors), mint_, maxt_, want_chunks);
}

absl::StatusOr<std::vector<std::string>> PartitionQuerier::LabelNames(std::span<const Matcher> matchers) {
  absl::btree_set<std::string> names;
  for (const auto& p : partitions_) {
    if (matchers.empty()) {
      VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> all, p->LabelNames());
      names.insert(all.begin(), all.end());
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, p->SelectIds(matchers));
    VIGIL_RETURN_IF_ERROR(CollectFromSeries(p, ids, "", &names));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<std::string>> PartitionQuerier::LabelValues(std::string_view name,
                                                                       std::span<const Matcher> matchers) {
  absl::btree_set<std::string> values;
  if (name.empty()) return std::vector<std::string>();
  for (const auto& p : partitions_) {
    std::vector<std::string> all;
    VIGIL_RETURN_IF_ERROR(p->ForEachValue(name, [&](std::string_view v) { all.emplace_back(v); }));
    if (matchers.empty()) {
      values.insert(all.begin(), all.end());
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, p->SelectIds(matchers));
    if (ids.empty() || all.empty()) continue;
    if (all.size() < ids.size()) {
      // Fewer values than series: test each value's postings against the matched ids.
      for (const std::string& v : all) {
        VIGIL_ASSIGN_OR_RETURN(std::vector<uint32_t> postings, p->Postings(name, v));
        std::vector<uint32_t> both;
        std::set_intersection(postings.begin(), postings.end(), ids.begin(), ids.end(), std::back_inserter(both));
        if (!both.empty()) values.insert(v);
      }
    } else {
      VIGIL_RETURN_IF_ERROR(CollectFromSeries(p, ids, name, &values));
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace vigil::tsdb::partition
