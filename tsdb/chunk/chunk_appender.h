// Building chunks: ChunkEncoder turns arrays of samples into chunk bytes; ChunkAppender buffers the samples of one
// series as they arrive and encodes them when the chunk is cut.
//
// The encoder sees the whole chunk before it writes a bit, so it can pick per chunk the cheapest of several
// encodings (regular or jittered timestamps; constant, decimal or XOR values; raw, delta or delta-of-delta
// mantissas) by exact size. The format is specified in docs/format/chunk.md.
#ifndef VIGIL_TSDB_CHUNK_CHUNK_APPENDER_H_
#define VIGIL_TSDB_CHUNK_CHUNK_APPENDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/chunk/int_codec.h"

namespace vigil::tsdb {

// Where the bits of the last chunk a ChunkEncoder wrote went; for size reports and tuning.
struct ChunkEncodeStats {
  size_t header_bytes = 0;        // Version, encoding byte and the varints.
  uint64_t time_bits = 0;         // Timestamp section.
  uint64_t value_bits = 0;        // Value section.
  int decimal_exponent = -1;      // e of a decimal chunk, else -1.
  int decimal_order = -1;         // 0 raw, 1 delta, 2 delta-of-delta for a decimal chunk, else -1.
  uint32_t value_exceptions = 0;  // Values a decimal chunk stores raw.
};

// Encodes whole chunks. Keeps scratch buffers between calls, so encoding allocates nothing once the scratch has
// grown to the largest chunk seen (apart from growing the output string). Not thread-safe; use one per thread.
class ChunkEncoder {
 public:
  ChunkEncoder() = default;

  // Pre-sizes the scratch for chunks of up to `samples` samples.
  void Reserve(size_t samples);

  // Appends the chunk holding samples (timestamps[i], values[i]) to `*out`. Fails with InvalidArgument if the
  // spans differ in length, hold more than kMaxChunkSamples samples, or the timestamps are not strictly
  // increasing; `*out` is then unchanged. An empty input gives a valid empty chunk.
  absl::Status Encode(std::span<const int64_t> timestamps, std::span<const double> values, std::string* out);

  // Breakdown of the last chunk encoded by this encoder.
  const ChunkEncodeStats& last_stats() const { return stats_; }

 private:
  friend class ChunkAppender;

  // Encode for input already known to be valid.
  void EncodeValid(const int64_t* timestamps, const double* values, size_t n, std::string* out);

  // Tries the decimal encoding; returns false if it does not apply. On success `decimal_*` members describe it.
  bool PlanDecimal(const double* values, size_t n);

  ChunkEncodeStats stats_;
  int decimal_exponent_ = 0;
  int decimal_order_ = 0;
  uint64_t decimal_bits_ = 0;
  chunk_internal::IntPlan decimal_plan_;

  std::vector<int64_t> time_residuals_;
  std::vector<int64_t> time_offsets_;
  std::vector<int64_t> mantissas_;
  std::vector<int64_t> deltas_;
  std::vector<int64_t> delta_deltas_;
  std::vector<uint32_t> specials_;
  chunk_internal::IntPlanner planner_;
};

// Accumulates the samples of one series for one chunk and encodes them on Finish.
//
// Appending copies 16 bytes into preallocated vectors: no heap allocation per sample once the expected capacity
// is reserved. All encoding work happens in Finish: about 30-50 ns per sample on node_exporter-like data
// (chunk_benchmark.cc), i.e. 20-30 M samples/s on one core.
class ChunkAppender {
 public:
  // `expected_samples` is reserved up front; more may be appended up to kMaxChunkSamples.
  explicit ChunkAppender(size_t expected_samples = kDefaultChunkSamples);

  // Adds a sample. Timestamps must be strictly increasing within a chunk: a timestamp not after the previous one
  // is rejected with InvalidArgument (the chunk is unchanged), as is a sample beyond kMaxChunkSamples
  // (ResourceExhausted). Any double, including NaN payloads, infinities and -0.0, is stored bit-exactly.
  absl::Status Append(int64_t t, double v);

  // Samples appended since the last Finish/Reset.
  size_t num_samples() const { return timestamps_.size(); }

  // Timestamps of the first and last buffered sample. Only meaningful if num_samples() > 0.
  int64_t min_time() const { return timestamps_.front(); }
  int64_t max_time() const { return timestamps_.back(); }

  // Encodes the buffered samples as one chunk, returns its bytes and clears the buffer for the next chunk
  // (keeping its capacity). With no samples it returns a valid empty chunk.
  std::string Finish();

  // Like Finish, but appends the chunk to `*out` (which may hold earlier chunks).
  void FinishTo(std::string* out);

  // Breakdown of the chunk the last Finish/FinishTo produced.
  const ChunkEncodeStats& last_stats() const { return encoder_.last_stats(); }

  // Drops the buffered samples without encoding them.
  void Reset();

 private:
  std::vector<int64_t> timestamps_;
  std::vector<double> values_;
  ChunkEncoder encoder_;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_CHUNK_CHUNK_APPENDER_H_
