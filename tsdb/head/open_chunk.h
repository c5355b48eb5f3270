// OpenChunk: the samples of a series' open (not yet cut) chunk, held in a compact streaming encoding.
//
// tsdb/chunk's ChunkAppender buffers 16 bytes per sample and reserves a whole chunk of them plus its encoder's
// scratch up front (about 15 KB for 240 samples), which is fine for one encoder per thread but far too much per
// series: a head of a million series would spend gigabytes on open chunks. So the head keeps each open chunk in
// this byte-oriented encoding (2 bytes per sample for a constant series, typically 3-6 otherwise) and hands the
// samples to a ChunkEncoder (one per thread) only when the chunk is cut.
//
// Encoding of sample i (never stored on disk; in memory only):
//   varint   ZigZag(delta_i - delta_{i-1})   delta_i = t_i - t_{i-1}; t_{-1} = first timestamp, delta_{-1} = 0
//   byte     tag: 0 if the value's bit pattern equals the previous one (0 before the first sample), else
//            (z << 4) | n with x = bits_i XOR bits_{i-1}, z = trailing zero bytes of x, n = significant bytes
//   n bytes  x >> 8z, little endian
// Arithmetic on timestamps wraps modulo 2^64, so any int64 timestamps round-trip.
#ifndef VIGIL_TSDB_HEAD_OPEN_CHUNK_H_
#define VIGIL_TSDB_HEAD_OPEN_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/sample.h"

namespace vigil::tsdb {

class OpenChunk {
 public:
  OpenChunk() = default;
  OpenChunk(const OpenChunk&) = delete;
  OpenChunk& operator=(const OpenChunk&) = delete;

  // Appends a sample. Requires t > max_time() unless empty() (the caller checks ordering).
  void Append(TimestampMs t, double v);

  bool empty() const { return count_ == 0; }
  uint32_t num_samples() const { return count_; }
  // First and last timestamp; only meaningful when !empty().
  TimestampMs min_time() const { return first_t_; }
  TimestampMs max_time() const { return last_t_; }

  // The encoded samples; valid until the next Append or Clear.
  std::string_view bytes() const { return std::string_view(reinterpret_cast<const char*>(data_.get()), size_); }

  // Decodes every sample into `ts` and `vs` (cleared first).
  void Decode(std::vector<int64_t>* ts, std::vector<double>* vs) const;

  // Drops the samples and frees the buffer (the next chunk grows its own: a series that stopped receiving
  // samples keeps nothing).
  void Clear();

  // Bytes held on the heap.
  size_t HeapBytes() const { return capacity_; }

 private:
  void Reserve(size_t extra);

  std::unique_ptr<uint8_t[]> data_;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  uint32_t count_ = 0;
  TimestampMs first_t_ = 0;
  TimestampMs last_t_ = 0;
  uint64_t last_delta_ = 0;
  uint64_t last_bits_ = 0;
};

// Reads samples encoded by OpenChunk from a copy of its bytes.
class OpenChunkReader {
 public:
  OpenChunkReader() = default;
  // Reads `count` samples from `bytes` (which must outlive the reader), the first at `first_t`.
  OpenChunkReader(std::string_view bytes, TimestampMs first_t, uint32_t count)
      : bytes_(bytes), prev_t_(static_cast<uint64_t>(first_t)), left_(count) {}

  // Advances to the next sample; false at the end. The bytes come from an OpenChunk in the same process, yet
  // decoding is bounds-checked: a truncated buffer ends iteration instead of reading past it.
  bool Next();
  // The current sample; valid after Next returned true.
  Sample At() const { return cur_; }

 private:
  bool ReadVarint(uint64_t* v);

  std::string_view bytes_;
  size_t pos_ = 0;
  uint64_t prev_t_ = 0;
  uint64_t prev_delta_ = 0;
  uint64_t prev_bits_ = 0;
  uint32_t left_ = 0;
  Sample cur_{0, 0};
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_OPEN_CHUNK_H_
