// HeadChunk: a closed (cut) chunk of one head series, and the range arithmetic that decides where chunks are cut.
#ifndef VIGIL_TSDB_HEAD_HEAD_CHUNK_H_
#define VIGIL_TSDB_HEAD_HEAD_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "model/sample.h"

namespace vigil::tsdb {

// An encoded chunk (tsdb/chunk format, read it with ChunkIterator) and its time range. Immutable once made, so
// queriers and persistence share it with the series through shared_ptr and read it without locks.
struct HeadChunk {
  TimestampMs min_time = 0;
  TimestampMs max_time = 0;
  uint32_t num_samples = 0;
  // Made from out-of-order samples: may overlap the series' other chunks in time (never by timestamp).
  bool out_of_order = false;
  std::string data;

  // Bytes this chunk costs in memory, including the shared_ptr control block it lives in.
  size_t MemoryBytes() const { return sizeof(HeadChunk) + 16 + (data.size() > 15 ? data.capacity() : 0); }
};

using HeadChunkPtr = std::shared_ptr<const HeadChunk>;

// The index of the aligned chunk range holding `t`: floor(t / range_ms). Chunks never span two ranges, so
// persistence can move whole aligned ranges.
inline int64_t ChunkRangeIndex(TimestampMs t, int64_t range_ms) {
  const int64_t q = t / range_ms;
  return (t % range_ms != 0 && t < 0) ? q - 1 : q;
}

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_HEAD_CHUNK_H_
