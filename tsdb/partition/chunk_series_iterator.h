// ChunkSeriesIterator: the samples of one series spread over encoded chunks (possibly from several partitions,
// possibly overlapping in time), read in time order with equal timestamps de-duplicated.
#ifndef VIGIL_TSDB_PARTITION_CHUNK_SERIES_ITERATOR_H_
#define VIGIL_TSDB_PARTITION_CHUNK_SERIES_ITERATOR_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/chunk/chunk_iterator.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb::partition {

// One encoded chunk of a series and where it came from.
struct ChunkRef {
  std::string_view bytes;  // Chunk bytes (docs/format/chunk.md); owned by whoever owns the iterator's `owner`.
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;
  // Lower wins when two chunks hold a sample at the same timestamp (the fresher source).
  uint32_t priority = 0;
  // For error messages: the partition the chunk was read from.
  uint64_t partition_id = 0;
};

// Orders chunks as ChunkSeriesIterator wants them: by min time, then priority.
void SortChunkRefs(std::vector<ChunkRef>* chunks);

// Iterates the samples with mint <= t <= maxt of `chunks` (sorted by SortChunkRefs) in increasing timestamp order.
// Where chunks overlap, each timestamp is returned once, with the value of the chunk of lowest priority. Chunks
// are opened only when reached, and in the common case (chunks one after another) only one is open at a time,
// so the cost per sample is one ChunkIterator step. A corrupt chunk ends the iteration with a DataLoss error
// naming the partition and the chunk's min time.
class ChunkSeriesIterator final : public SeriesIterator {
 public:
  ChunkSeriesIterator(std::shared_ptr<const void> owner, std::vector<ChunkRef> chunks, TimestampMs mint,
                      TimestampMs maxt);

  bool Next() override;
  bool Seek(TimestampMs t) override;
  Sample At() const override { return cur_; }
  absl::Status Err() const override { return err_; }
  absl::Status AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) override;

 private:
  struct Cursor {
    explicit Cursor(const ChunkRef& ref) : it(ref.bytes), ref(&ref) {}
    ChunkIterator it;
    const ChunkRef* ref;
  };

  // Positions on the first sample with t >= target (and <= maxt_). False at the end or on error.
  bool Step(TimestampMs target);
  // Records a cursor's chunk error; returns false.
  bool Fail(const Cursor& c);

  std::shared_ptr<const void> owner_;
  std::vector<ChunkRef> chunks_;
  TimestampMs mint_;
  TimestampMs maxt_;
  size_t next_chunk_ = 0;
  std::vector<Cursor> active_;
  Sample cur_{0, 0};
  bool started_ = false;
  bool done_ = false;
  absl::Status err_;
};

}  // namespace vigil::tsdb::partition

#endif  // VIGIL_TSDB_PARTITION_CHUNK_SERIES_ITERATOR_H_
