#include "tsdb/partition/partition_reader.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/chunk_header.h"

namespace vigil::tsdb::partition {
namespace {

std::vector<uint32_t> Intersect(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<uint32_t> Subtract(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<uint32_t> AllIds(uint32_t n) {
  std::vector<uint32_t> ids(n);
  for (uint32_t i = 0; i < n; ++i) ids[i] = i;
  return ids;
}

// The key just past every key starting with `prefix` (prefix never ends in 0xff here: it ends in '\0').
std::string PrefixEnd(std::string prefix) {
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> PartitionReader::Postings(std::string_view name, std::string_view value) const {
  std::string key = PostingsKey(name, value);
  {
    absl::MutexLock lock(&cache_mu_);
    if (auto it = postings_cache_.find(key); it != postings_cache_.end()) return it->second;
  }
  std::string raw;
  VIGIL_ASSIGN_OR_RETURN(bool found, kv_->Get(*ns_, key, &raw));
  std::vector<uint32_t> ids;
  if (found) {
    absl::Status s = DecodePostings(raw, static_cast<uint32_t>(meta_.num_series), &ids);
    if (!s.ok()) {
      return Annotate(s,
                      absl::StrCat("partition ", ns_->name(), ", label ", AV(name), "=", AV(QuoteLabelValue(value))));
    }
  }
  // Lists larger than an eighth of the cache are read each time rather than evicting everything else.
  const size_t bytes = key.size() + ids.size() * sizeof(uint32_t) + 64;
  if (bytes <= kPostingsCacheBytes / 8) {
    absl::MutexLock lock(&cache_mu_);
    if (postings_cache_bytes_ + bytes > kPostingsCacheBytes) {
      postings_cache_.clear();
      postings_cache_bytes_ = 0;
    }
    if (postings_cache_.emplace(std::move(key), ids).second) postings_cache_bytes_ += bytes;
  }
  return ids;
}

absl::Status PartitionReader::ForEachValue(std::string_view name, absl::FunctionRef<void(std::string_view)> fn) const {
  const std::string prefix = ListingNamePrefix(name);
  auto it = kv_->NewIterator(ns_, kv::ReadOptions{.upper_bound = PrefixEnd(prefix)});
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (absl::Status s = CheckListingValue(it->value()); !s.ok()) {
      return Annotate(s, absl::StrCat("partition ", ns_->name(), ", values of label ", AV(name)));
    }
    fn(key.substr(prefix.size()));
  }
  return it->status();
}

absl::StatusOr<std::vector<std::string>> PartitionReader::LabelNames() const {
  std::vector<std::string> names;
  auto it = kv_->NewIterator(ns_, kv::ReadOptions{.upper_bound = ListingSpaceEnd()});
  it->Seek(ListingSpaceBegin());
  while (it->Valid()) {
    auto parsed = ParseListingKey(it->key());
    if (!parsed.ok()) return Annotate(parsed.status(), absl::StrCat("partition ", ns_->name()));
    names.emplace_back(parsed->first);
    // Skip the rest of this name's values: name + '\x01' sorts after name + '\0' + anything.
    std::string next = ListingKey(names.back(), "");
    next.back() = '\x01';
    it->Seek(next);
  }
  VIGIL_RETURN_IF_ERROR(it->status());
  return names;
}

absl::StatusOr<std::vector<uint32_t>> PartitionReader::SelectIds(std::span<const Matcher> matchers) const {
  const uint32_t n = static_cast<uint32_t>(meta_.num_series);
  std::vector<const Matcher*> positive, negative;
  for (const Matcher& m : matchers) (m.MatchesEmpty() ? negative : positive).push_back(&m);
  // Equality first: one lookup each, and they usually narrow the most.
  std::stable_partition(positive.begin(), positive.end(),
                        [](const Matcher* m) { return m->type() == MatchType::kEqual; });

  std::optional<std::vector<uint32_t>> result;
  for (const Matcher* m : positive) {
    std::vector<uint32_t> ids;
    if (m->type() == MatchType::kEqual) {
      VIGIL_ASSIGN_OR_RETURN(ids, Postings(m->name(), m->value()));
    } else {
      std::vector<std::string> values;
      VIGIL_RETURN_IF_ERROR(ForEachValue(m->name(), [&](std::string_view v) {
        if (m->Matches(v)) values.emplace_back(v);
      }));
      for (const std::string& v : values) {
        VIGIL_ASSIGN_OR_RETURN(std::vector<uint32_t> more, Postings(m->name(), v));
        ids.insert(ids.end(), more.begin(), more.end());
      }
      if (values.size() > 1) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      }
    }
    result = result.has_value() ? Intersect(*result, ids) : std::move(ids);
    if (result->empty()) return std::move(*result);
  }
  for (const Matcher* m : negative) {
    // Series without the label match (their value is ""); series with a value match if the matcher accepts it.
    // So remove the series whose value the matcher rejects.
    std::vector<uint32_t> exclude;
    if (m->type() == MatchType::kNotEqual) {
      VIGIL_ASSIGN_OR_RETURN(exclude, Postings(m->name(), m->value()));
    } else {
      std::vector<std::string> values;
      VIGIL_RETURN_IF_ERROR(ForEachValue(m->name(), [&](std::string_view v) {
        if (!m->Matches(v)) values.emplace_back(v);
      }));
      for (const std::string& v : values) {
        VIGIL_ASSIGN_OR_RETURN(std::vector<uint32_t> more, Postings(m->name(), v));
        exclude.insert(exclude.end(), more.begin(), more.end());
      }
      std::sort(exclude.begin(), exclude.end());
    }
    if (exclude.empty()) continue;
    if (!result.has_value()) result = AllIds(n);
    result = Subtract(*result, exclude);
    if (result->empty()) break;
  }
  if (!result.has_value()) return AllIds(n);
  return std::move(*result);
}

absl::StatusOr<Labels> PartitionReader::ReadLabels(uint32_t sid) const {
  std::string raw;
  VIGIL_ASSIGN_OR_RETURN(bool found, kv_->Get(*ns_, SeriesKey(sid), &raw));
  if (!found) {
    return absl::DataLossError(absl::StrCat("partition ", ns_->name(), ": series ", sid, " has no labels record"));
  }
  absl::StatusOr<Labels> labels = DecodeLabels(raw);
  if (!labels.ok()) return Annotate(labels.status(), absl::StrCat("partition ", ns_->name(), ", series ", sid));
  return labels;
}

std::unique_ptr<kv::Iterator> PartitionReader::NewIterator(bool fill_cache) const {
  return kv_->NewIterator(ns_, kv::ReadOptions{.upper_bound = SeriesSpaceEnd(), .fill_cache = fill_cache});
}

SeriesReader::SeriesReader(std::shared_ptr<const PartitionReader> partition, bool fill_cache)
    : partition_(std::move(partition)), it_(partition_->NewIterator(fill_cache)) {}

absl::Status SeriesReader::Error(uint32_t sid, const absl::Status& status) const {
  return Annotate(status, absl::StrCat("partition ", partition_->ns()->name(), ", series ", sid));
}

absl::Status SeriesReader::Read(uint32_t sid, TimestampMs mint, TimestampMs maxt, Labels* labels, std::string* buf,
                                std::vector<ChunkSpan>* chunks) {
  const std::string series_key = SeriesKey(sid);
  // Series selected together are often adjacent (ids follow label order, so one metric's series are
  // contiguous), and reading a series leaves the iterator on the next one's labels: a seek is only needed
  // when it is not there already, and each seek costs microseconds in RocksDB.
  if (!it_->Valid() || it_->key() != series_key) it_->Seek(series_key);
  if (!it_->Valid() || it_->key() != series_key) {
    VIGIL_RETURN_IF_ERROR(Error(sid, it_->status()));
    return Error(sid, absl::DataLossError("labels record missing"));
  }
  absl::StatusOr<Labels> decoded = DecodeLabels(it_->value());
  if (!decoded.ok()) return Error(sid, decoded.status());
  *labels = *std::move(decoded);
  if (chunks == nullptr || mint > maxt) return absl::OkStatus();

  // Chunks start after the labels key. Chunks beginning before mint - max_chunk_span cannot reach mint, so with
  // many chunks per series it pays to seek past them.
  const PartitionMeta& meta = partition_->meta();
  const TimestampMs span = meta.max_chunk_span;
  const TimestampMs first = mint < kMinTimestampMs + span ? kMinTimestampMs : mint - span;
  if (meta.num_series > 0 && meta.num_chunks / meta.num_series > 8 && first > meta.range.min_time) {
    it_->Seek(ChunkKey(sid, first));
  } else {
    it_->Next();
  }
  for (; it_->Valid(); it_->Next()) {
    const std::string_view key = it_->key();
    if (key.size() != series_key.size() + 8 || key.substr(0, series_key.size()) != series_key) break;
    absl::StatusOr<SeriesSpaceKey> parsed = ParseSeriesSpaceKey(key);
    if (!parsed.ok()) return Error(sid, parsed.status());
    if (parsed->min_time > maxt) break;
    absl::StatusOr<std::string_view> chunk = DecodeChunkValue(it_->value());
    if (!chunk.ok()) return Error(sid, Annotate(chunk.status(), absl::StrCat("chunk at ", parsed->min_time)));
    absl::StatusOr<ChunkHeader> header = ParseChunkHeader(*chunk);
    if (!header.ok()) return Error(sid, Annotate(header.status(), absl::StrCat("chunk at ", parsed->min_time)));
    if (header->num_samples == 0 || header->min_time != parsed->min_time || header->max_time < header->min_time) {
      return Error(sid,
                   absl::DataLossError(absl::StrCat("chunk keyed at ", parsed->min_time, " holds ", header->num_samples,
                                                    " samples from ", header->min_time, " to ", header->max_time)));
    }
    if (header->max_time < mint) continue;
    chunks->push_back(ChunkSpan{buf->size(), chunk->size(), header->min_time, header->max_time, header->num_samples});
    buf->append(*chunk);
  }
  return Error(sid, it_->status());
}

}  // namespace vigil::tsdb::partition
