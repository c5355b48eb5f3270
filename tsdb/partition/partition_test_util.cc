#include "tsdb/partition/partition_test_util.h"

#include <string>

#include "tsdb/chunk/chunk_appender.h"

namespace vigil::tsdb::partition {

ChunkData MakeChunk(std::span<const Sample> samples) {
  std::vector<int64_t> ts;
  std::vector<double> vs;
  for (const Sample& s : samples) {
    ts.push_back(s.t);
    vs.push_back(s.v);
  }
  ChunkData c;
  ChunkEncoder encoder;
  absl::Status s = encoder.Encode(ts, vs, &c.bytes);
  if (!s.ok() || samples.empty()) return c;
  c.min_time = ts.front();
  c.max_time = ts.back();
  return c;
}

SeriesChunks MakeSeries(Labels labels, std::span<const Sample> samples, size_t per_chunk) {
  SeriesChunks s;
  s.labels = std::move(labels);
  for (size_t i = 0; i < samples.size(); i += per_chunk) {
    s.chunks.push_back(MakeChunk(samples.subspan(i, std::min(per_chunk, samples.size() - i))));
  }
  return s;
}

absl::StatusOr<SelectResult> SelectAll(Querier& querier, std::span<const Matcher> matchers) {
  SelectResult out;
  std::unique_ptr<SeriesSet> set = querier.Select(true, nullptr, matchers);
  while (set->Next()) {
    std::shared_ptr<const Series> series = set->At();
    std::vector<Sample> samples;
    std::unique_ptr<SeriesIterator> it = series->Iterator();
    while (it->Next()) samples.push_back(it->At());
    if (!it->Err().ok()) return it->Err();
    out.emplace_back(series->labels(), std::move(samples));
  }
  if (!set->Err().ok()) return set->Err();
  return out;
}

SelectResult ModelSelect(const Model& model, std::span<const Matcher> matchers, TimestampMs mint, TimestampMs maxt) {
  SelectResult out;
  for (const auto& [labels, samples] : model) {
    bool match = true;
    for (const Matcher& m : matchers) match = match && m.Matches(labels.Get(m.name()));
    if (!match) continue;
    std::vector<Sample> in_range;
    for (auto it = samples.lower_bound(mint); it != samples.end() && it->first <= maxt; ++it) {
      in_range.push_back({it->first, it->second});
    }
    if (!in_range.empty()) out.emplace_back(labels, std::move(in_range));
  }
  return out;
}

}  // namespace vigil::tsdb::partition
