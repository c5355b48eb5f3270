// The read side of LogStore: stream selection, chunk reading, Select with direction and limit, metadata.
#include <algorithm>
#include <deque>
#include <queue>
#include <utility>

#include "absl/container/btree_set.h"
#include "base/status/status_macros.h"
#include "tsdb/logs/log_store.h"
#include "tsdb/logs/log_store_internal.h"

namespace vigil::tsdb::logs {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

void SortByLabels(std::vector<StreamEntries>* streams) {
  std::sort(streams->begin(), streams->end(),
            [](const StreamEntries& a, const StreamEntries& b) { return Compare(a.labels, b.labels) < 0; });
}

}  // namespace

absl::StatusOr<LogStore::ReadView> LogStore::Snapshot(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                      TimestampNs end_ns, bool copy_head_entries) const {
  ReadView view;
  if (end_ns <= start_ns) return view;
  absl::ReaderMutexLock lock(&mu_);
  // Postings change only under mu_ held exclusively, so they agree with the stream table here.
  std::vector<SeriesId> ids = postings_.PostingsForMatchers(matchers);
  for (SeriesId id : ids) {
    auto it = streams_.find(static_cast<uint32_t>(id));
    if (it == streams_.end()) continue;
    const HeadStream& s = *it->second;
    if (!s.Overlaps(start_ns, end_ns)) continue;
    StreamView& v = view.streams.emplace_back();
    v.id = s.id;
    v.labels = s.labels;
    v.has_data = s.has_data && s.flushed_min < end_ns && s.flushed_max >= start_ns;
    v.head_overlaps = !s.head.empty() && s.head_min < end_ns && s.head_max >= start_ns;
    if (v.head_overlaps) {
      v.head_entries = s.head.size();
      v.head_bytes = s.head_bytes;
      if (copy_head_entries) {
        for (const LogEntry& e : s.head) {
          if (e.timestamp_ns >= start_ns && e.timestamp_ns < end_ns) v.head.push_back(e);
        }
      }
    }
  }
  if (view.streams.empty()) return view;
  for (const auto& [idx, p] : partitions_) {
    if (p.record.min_time >= end_ns || p.record.max_time < start_ns) continue;
    ReadView::PartitionView& pv = view.partitions.emplace_back();
    pv.index = idx;
    pv.meta = kv_->NewIterator(p.ns, {});
    if (copy_head_entries) pv.blob = kv_->NewIterator(p.ns, {});
  }
  return view;
}

absl::Status LogStore::ForEachChunk(const ReadView& view, const StreamView& stream, TimestampNs start_ns,
                                    TimestampNs end_ns,
                                    absl::FunctionRef<absl::Status(std::string_view blob, TimestampNs base)> fn) const {
  if (!stream.has_data) return absl::OkStatus();
  const std::string prefix = ChunkMetaPrefix(stream.id);
  for (const ReadView::PartitionView& pv : view.partitions) {
    for (pv.meta->Seek(prefix); pv.meta->Valid() && StartsWith(pv.meta->key(), prefix); pv.meta->Next()) {
      VIGIL_ASSIGN_OR_RETURN(ChunkKey key, ParseChunkKey(pv.meta->key()));
      if (key.min_time >= end_ns) break;  // keys sort by min time
      VIGIL_ASSIGN_OR_RETURN(ChunkMeta meta, DecodeChunkMeta(pv.meta->value()));
      if (meta.max_time < start_ns) continue;
      const std::string blob_key = ChunkBlobKey(key);
      pv.blob->Seek(blob_key);
      VIGIL_RETURN_IF_ERROR(pv.blob->status());
      if (!pv.blob->Valid() || pv.blob->key() != blob_key) {
        return absl::DataLossError(absl::StrCat("log chunk of stream ", stream.labels.ToString(), " at ", key.min_time,
                                                " has an index entry but no data"));
      }
      VIGIL_RETURN_IF_ERROR(fn(pv.blob->value(), key.min_time));
    }
    VIGIL_RETURN_IF_ERROR(pv.meta->status());
  }
  return absl::OkStatus();
}

absl::Status LogStore::CollectEntries(const ReadView& view, StreamView& stream, TimestampNs start_ns,
                                      TimestampNs end_ns, std::vector<LogEntry>* out) const {
  out->clear();
  std::string block;
  VIGIL_RETURN_IF_ERROR(ForEachChunk(view, stream, start_ns, end_ns, [&](std::string_view blob, TimestampNs base) {
    VIGIL_RETURN_IF_ERROR(DecompressBlock(blob, &block));
    return DecodeEntries(block, base, [&](LogEntry& e) {
      if (e.timestamp_ns >= start_ns && e.timestamp_ns < end_ns) out->push_back(std::move(e));
      return absl::OkStatus();
    });
  }));
  for (LogEntry& e : stream.head) out->push_back(std::move(e));
  stream.head.clear();
  std::stable_sort(out->begin(), out->end(),
                   [](const LogEntry& a, const LogEntry& b) { return a.timestamp_ns < b.timestamp_ns; });
  return absl::OkStatus();
}

absl::Status LogStore::CollectEntryRefs(const ReadView& view, const StreamView& stream, TimestampNs start_ns,
                                        TimestampNs end_ns, std::deque<std::string>* blocks, size_t* used,
                                        std::vector<LogEntryRef>* out) const {
  out->clear();
  VIGIL_RETURN_IF_ERROR(ForEachChunk(view, stream, start_ns, end_ns, [&](std::string_view blob, TimestampNs base) {
    // A deque keeps earlier blocks in place (and their lines valid) as it grows; its strings keep their capacity
    // from stream to stream.
    if (*used == blocks->size()) blocks->emplace_back();
    std::string& block = (*blocks)[(*used)++];
    VIGIL_RETURN_IF_ERROR(DecompressBlock(blob, &block));
    return DecodeEntryRefs(block, base, [&](LogEntryRef& e) {
      if (e.timestamp_ns >= start_ns && e.timestamp_ns < end_ns) out->push_back(std::move(e));
      return absl::OkStatus();
    });
  }));
  for (const LogEntry& e : stream.head) {
    out->push_back(
        LogEntryRef{.timestamp_ns = e.timestamp_ns, .line = e.line, .structured_metadata = e.structured_metadata});
  }
  // Chunks are cut in time order and mostly hold entries in order: sorting is the exception.
  auto earlier = [](const LogEntryRef& a, const LogEntryRef& b) { return a.timestamp_ns < b.timestamp_ns; };
  if (!std::is_sorted(out->begin(), out->end(), earlier)) std::stable_sort(out->begin(), out->end(), earlier);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StreamEntries>> LogStore::Select(const SelectParams& params) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(params.matchers, params.start_ns, params.end_ns, true));
  const bool backward = params.direction == Direction::kBackward;
  std::vector<StreamEntries> result;
  std::vector<LogEntry> entries;
  size_t total = 0;
  for (StreamView& s : view.streams) {
    VIGIL_RETURN_IF_ERROR(CollectEntries(view, s, params.start_ns, params.end_ns, &entries));
    if (entries.empty()) continue;
    // No stream can contribute more than `limit` entries: keep its oldest (forward) or newest (backward) ones.
    if (params.limit > 0 && entries.size() > params.limit) {
      if (backward) {
        entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(params.limit));
      } else {
        entries.resize(params.limit);
      }
    }
    if (backward) std::reverse(entries.begin(), entries.end());
    total += entries.size();
    result.push_back(StreamEntries{s.labels, std::move(entries)});
    entries = {};
  }
  SortByLabels(&result);
  if (params.limit > 0 && total > params.limit) {
    // Take the `limit` first entries in direction order over all streams (a k-way merge of the streams'
    // heads; ties go to the stream that sorts first), then cut each stream after what it contributed.
    struct Head {
      TimestampNs t;
      size_t stream;
    };
    auto later = [backward](const Head& a, const Head& b) {
      if (a.t != b.t) return backward ? a.t < b.t : a.t > b.t;
      return a.stream > b.stream;
    };
    std::priority_queue<Head, std::vector<Head>, decltype(later)> heap(later);
    std::vector<size_t> taken(result.size(), 0);
    for (size_t i = 0; i < result.size(); ++i) heap.push({result[i].entries[0].timestamp_ns, i});
    for (size_t n = 0; n < params.limit && !heap.empty(); ++n) {
      const Head h = heap.top();
      heap.pop();
      const size_t next = ++taken[h.stream];
      if (next < result[h.stream].entries.size()) heap.push({result[h.stream].entries[next].timestamp_ns, h.stream});
    }
    std::vector<StreamEntries> cut;
    for (size_t i = 0; i < result.size(); ++i) {
      if (taken[i] == 0) continue;
      result[i].entries.resize(taken[i]);
      cut.push_back(std::move(result[i]));
    }
    result = std::move(cut);
  }
  return result;
}

absl::Status LogStore::ForEachStream(
    std::span<const Matcher> matchers, TimestampNs start_ns, TimestampNs end_ns, Direction direction,
    absl::FunctionRef<absl::Status(const Labels& labels, std::span<const LogEntryRef> entries)> fn) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(matchers, start_ns, end_ns, true));
  std::sort(view.streams.begin(), view.streams.end(),
            [](const StreamView& a, const StreamView& b) { return Compare(a.labels, b.labels) < 0; });
  std::vector<LogEntryRef> entries;
  std::deque<std::string> blocks;
  for (StreamView& s : view.streams) {
    size_t used = 0;
    VIGIL_RETURN_IF_ERROR(CollectEntryRefs(view, s, start_ns, end_ns, &blocks, &used, &entries));
    if (entries.empty()) continue;
    if (direction == Direction::kBackward) std::reverse(entries.begin(), entries.end());
    VIGIL_RETURN_IF_ERROR(fn(s.labels, entries));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Labels>> LogStore::Series(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                     TimestampNs end_ns) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(matchers, start_ns, end_ns, false));
  std::vector<Labels> out;
  out.reserve(view.streams.size());
  for (StreamView& s : view.streams) out.push_back(std::move(s.labels));
  std::sort(out.begin(), out.end(), [](const Labels& a, const Labels& b) { return Compare(a, b) < 0; });
  return out;
}

absl::StatusOr<std::vector<std::string>> LogStore::LabelNames(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                              TimestampNs end_ns) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(matchers, start_ns, end_ns, false));
  absl::btree_set<std::string> names;
  for (const StreamView& s : view.streams) {
    for (const Label& l : s.labels) names.emplace(l.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<std::string>> LogStore::LabelValues(std::string_view name, std::span<const Matcher> matchers,
                                                               TimestampNs start_ns, TimestampNs end_ns) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(matchers, start_ns, end_ns, false));
  absl::btree_set<std::string> values;
  for (const StreamView& s : view.streams) {
    std::string_view v = s.labels.Get(name);
    if (!v.empty()) values.emplace(v);
  }
  return std::vector<std::string>(values.begin(), values.end());
}

absl::StatusOr<LogStats> LogStore::Stats(std::span<const Matcher> matchers, TimestampNs start_ns,
                                         TimestampNs end_ns) const {
  VIGIL_ASSIGN_OR_RETURN(ReadView view, Snapshot(matchers, start_ns, end_ns, false));
  LogStats stats;
  stats.streams = view.streams.size();
  for (const StreamView& s : view.streams) {
    if (s.head_overlaps) {
      stats.chunks++;
      stats.entries += s.head_entries;
      stats.bytes += s.head_bytes;
    }
    if (!s.has_data) continue;
    const std::string prefix = ChunkMetaPrefix(s.id);
    for (const ReadView::PartitionView& pv : view.partitions) {
      for (pv.meta->Seek(prefix); pv.meta->Valid() && StartsWith(pv.meta->key(), prefix); pv.meta->Next()) {
        VIGIL_ASSIGN_OR_RETURN(ChunkKey key, ParseChunkKey(pv.meta->key()));
        if (key.min_time >= end_ns) break;
        VIGIL_ASSIGN_OR_RETURN(ChunkMeta meta, DecodeChunkMeta(pv.meta->value()));
        if (meta.max_time < start_ns) continue;
        stats.chunks++;
        stats.entries += meta.entries;
        stats.bytes += meta.line_bytes;
      }
      VIGIL_RETURN_IF_ERROR(pv.meta->status());
    }
  }
  return stats;
}

}  // namespace vigil::tsdb::logs
