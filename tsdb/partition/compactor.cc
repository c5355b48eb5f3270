#include "tsdb/partition/compactor.h"

#include <string>
#include <utility>
#include <vector>

#include "base/status/status_macros.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/partition/chunk_series_iterator.h"

namespace vigil::tsdb::partition {
namespace {

struct InputCursor {
  InputCursor(std::shared_ptr<const PartitionReader> p, uint32_t priority_in)
      : reader(std::move(p), /*fill_cache=*/false), priority(priority_in) {}

  SeriesReader reader;
  uint32_t priority;
  uint32_t next_sid = 0;
  bool loaded = false;
  Labels labels;
  std::string buf;
  std::vector<ChunkSpan> chunks;
};

// Re-encodes the overlapping chunks `run` (sorted) into chunks of at most kDefaultChunkSamples samples.
absl::Status MergeRun(std::vector<ChunkRef> run, ChunkEncoder* encoder, PartitionWriter* writer) {
  ChunkSeriesIterator it(nullptr, std::move(run), kMinTimestampMs, kMaxTimestampMs);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  std::string out;
  auto flush = [&]() -> absl::Status {
    out.clear();
    VIGIL_RETURN_IF_ERROR(encoder->Encode(ts, vs, &out));
    ts.clear();
    vs.clear();
    return writer->AddChunk(out);
  };
  while (it.Next()) {
    ts.push_back(it.At().t);
    vs.push_back(it.At().v);
    if (ts.size() == kDefaultChunkSamples) VIGIL_RETURN_IF_ERROR(flush());
  }
  VIGIL_RETURN_IF_ERROR(it.Err());
  if (!ts.empty()) VIGIL_RETURN_IF_ERROR(flush());
  return absl::OkStatus();
}

}  // namespace

absl::Status MergePartitions(std::span<const std::shared_ptr<const PartitionReader>> inputs, PartitionWriter* writer) {
  std::vector<InputCursor> cursors;
  cursors.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) cursors.emplace_back(inputs[i], static_cast<uint32_t>(i));
  ChunkEncoder encoder;
  std::vector<ChunkRef> refs;
  std::string bytes;
  for (;;) {
    InputCursor* first = nullptr;
    for (InputCursor& c : cursors) {
      if (!c.loaded && c.next_sid < c.reader.partition().meta().num_series) {
        VIGIL_RETURN_IF_ERROR(
            c.reader.Read(c.next_sid, kMinTimestampMs, kMaxTimestampMs, &c.labels, &c.buf, &c.chunks));
        c.loaded = true;
      }
      if (c.loaded && (first == nullptr || Compare(c.labels, first->labels) < 0)) first = &c;
    }
    if (first == nullptr) return absl::OkStatus();
    const Labels labels = first->labels;
    VIGIL_RETURN_IF_ERROR(writer->StartSeries(labels));

    bytes.clear();
    refs.clear();
    std::vector<std::pair<size_t, size_t>> offsets;
    for (InputCursor& c : cursors) {
      if (!c.loaded || Compare(c.labels, labels) != 0) continue;
      const size_t base = bytes.size();
      bytes.append(c.buf);
      for (const ChunkSpan& s : c.chunks) {
        refs.push_back(ChunkRef{{}, s.min_time, s.max_time, c.priority, c.reader.partition().meta().id});
        offsets.emplace_back(base + s.offset, s.size);
      }
      c.loaded = false;
      c.buf.clear();
      c.chunks.clear();
      ++c.next_sid;
    }
    for (size_t i = 0; i < refs.size(); ++i) {
      refs[i].bytes = std::string_view(bytes).substr(offsets[i].first, offsets[i].second);
    }
    SortChunkRefs(&refs);
    // Cut into runs of chunks overlapping in time; a run of one is copied as is.
    for (size_t i = 0; i < refs.size();) {
      size_t j = i + 1;
      TimestampMs run_max = refs[i].max_time;
      while (j < refs.size() && refs[j].min_time <= run_max) {
        run_max = std::max(run_max, refs[j].max_time);
        ++j;
      }
      if (j == i + 1) {
        VIGIL_RETURN_IF_ERROR(writer->AddChunk(refs[i].bytes));
      } else {
        VIGIL_RETURN_IF_ERROR(MergeRun(std::vector<ChunkRef>(refs.begin() + static_cast<std::ptrdiff_t>(i),
                                                             refs.begin() + static_cast<std::ptrdiff_t>(j)),
                                       &encoder, writer));
      }
      i = j;
    }
  }
}

}  // namespace vigil::tsdb::partition
