// Reading a head series: a consistent copy of its data taken under the series lock (SeriesSnapshot), and the
// iterator that merges its closed chunks, its open chunk and its out-of-order samples in timestamp order.
#ifndef VIGIL_TSDB_HEAD_SERIES_ITERATOR_H_
#define VIGIL_TSDB_HEAD_SERIES_ITERATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tsdb/chunk/chunk_iterator.h"
#include "tsdb/head/head_chunk.h"
#include "tsdb/head/open_chunk.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// What a reader sees of one series at one instant. Closed chunks are shared (immutable); the open chunk's bytes
// and the out-of-order buffer are copied, so the snapshot stays valid whatever the series does afterwards.
struct SeriesSnapshot {
  // Closed chunks overlapping the read range, sorted by min_time.
  std::vector<HeadChunkPtr> chunks;
  // The open chunk, in OpenChunk's encoding; open_count == 0 when absent or outside the range.
  std::string open_bytes;
  TimestampMs open_min_time = 0;
  TimestampMs open_max_time = 0;
  uint32_t open_count = 0;
  // Out-of-order samples not yet cut into a chunk, sorted by timestamp, within the read range.
  std::vector<Sample> out_of_order;

  bool empty() const { return chunks.empty() && open_count == 0 && out_of_order.empty(); }
};

// Iterates a snapshot's samples within [mint, maxt] in increasing timestamp order. Sources (chunks, the open
// chunk, the out-of-order samples) are sorted by their first timestamp and opened only when the merge reaches
// them, so the usual case of non-overlapping chunks costs one comparison per sample over a plain chain.
class HeadSeriesIterator : public SeriesIterator {
 public:
  HeadSeriesIterator(std::shared_ptr<const SeriesSnapshot> snapshot, TimestampMs mint, TimestampMs maxt);

  bool Next() override { return NextSample(); }
  bool Seek(TimestampMs t) override;
  Sample At() const override { return cur_; }
  absl::Status Err() const override { return err_; }
  absl::Status AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) override;

 private:
  // One source of samples.
  struct Cursor {
    TimestampMs min_time = 0;
    const HeadChunk* chunk = nullptr;          // a closed chunk, or
    std::optional<ChunkIterator> chunk_it;     //   its iterator once opened;
    OpenChunkReader open;                      // the open chunk (when is_open), or
    const std::vector<Sample>* vec = nullptr;  // the out-of-order samples.
    size_t vec_pos = 0;
    bool is_open = false;
    bool started = false;
    bool valid = false;
    Sample cur{0, 0};
  };

  bool NextSample();
  // Positions every source the merge needs at its first sample >= floor and makes cur_ the smallest of them.
  bool Advance(TimestampMs floor);
  // Moves `c` to its first sample >= floor; sets c.valid. False on a decoding error (err_ is set).
  bool SeekCursor(Cursor& c, TimestampMs floor);
  // The only source that can hold the samples after cur_ up to its own end (no other open source has samples
  // left, and the next unopened one starts after it), or null.
  Cursor* SoleSource();
  // Appends c's samples after cur_ up to `maxt` to `out`. True when c ran out (cur_ is the last one appended);
  // false when it stopped on a sample past `maxt` (now cur_) or failed (err_ set).
  bool Drain(Cursor& c, TimestampMs maxt, std::vector<Sample>* out);

  std::shared_ptr<const SeriesSnapshot> snapshot_;
  TimestampMs mint_;
  TimestampMs maxt_;
  std::vector<Cursor> cursors_;
  size_t first_live_ = 0;
  bool started_ = false;
  bool done_ = false;
  Sample cur_{0, 0};
  absl::Status err_;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_SERIES_ITERATOR_H_
