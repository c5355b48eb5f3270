// Reading chunks: ChunkIterator walks the samples of one chunk in time order.
#ifndef VIGIL_TSDB_CHUNK_CHUNK_ITERATOR_H_
#define VIGIL_TSDB_CHUNK_CHUNK_ITERATOR_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "model/sample.h"
#include "tsdb/chunk/bit_stream.h"
#include "tsdb/chunk/chunk_header.h"
#include "tsdb/chunk/int_codec.h"
#include "tsdb/chunk/xor_codec.h"

namespace vigil::tsdb {

// Decodes a chunk sample by sample, without allocating. The input may be anything (a corrupt file, random
// bytes): the iterator never reads outside it, never crashes and always terminates; on malformed input Next and
// Seek return false and Err() says what is wrong and at which byte offset. Samples returned before an error was
// detected are the chunk's leading samples as far as they could be decoded.
//
//   ChunkIterator it(chunk_bytes);
//   while (it.Next()) Use(it.At());
//   if (!it.Err().ok()) ...
class ChunkIterator {
 public:
  // Reads `chunk`, which must outlive the iterator. Parses and validates the header and the section layout now;
  // errors are reported through Err() and make Next return false.
  explicit ChunkIterator(std::string_view chunk);

  // Advances to the next sample. Returns false at the end of the chunk or on an error (see Err()).
  bool Next();

  // Advances to the first sample with timestamp >= t and returns true, or returns false if there is none (or on
  // an error). If the current sample (from an earlier Next or Seek) already has timestamp >= t, the iterator
  // stays where it is, as Prometheus' chunk iterators do; Seek never moves backwards.
  bool Seek(int64_t t);

  // Advances past the current sample and appends the samples with timestamp <= maxt to `out`, decoding straight
  // into it (the per-sample loop of a range read, without a call and a copy through At() per sample). True when
  // it stopped on a sample past `maxt`, which is then current; false at the end of the chunk or on an error (see
  // Err()).
  bool AppendUntil(int64_t maxt, std::vector<Sample>* out);

  // The current sample (timestamp in ms, value). Only valid after Next or Seek returned true.
  Sample At() const { return Sample{t_, v_}; }

  // OK unless the chunk is malformed; then a DataLoss error naming the problem and its byte offset.
  const absl::Status& Err() const { return err_; }

  // The chunk's header. Only meaningful if the header parsed (Err() is OK or the error is past the header).
  const ChunkHeader& header() const { return header_; }

 private:
  // Next's body, inlined into Next and AppendUntil.
  bool Step();
  absl::Status Init(std::string_view chunk);
  absl::Status CheckEnd(uint64_t end_bits) const;
  bool Fail(absl::Status status);
  void LoadSpecial();

  std::string_view data_;
  ChunkHeader header_;
  absl::Status err_;
  bool done_ = false;
  uint32_t index_ = 0;  // Samples returned so far.
  int64_t t_ = 0;
  double v_ = 0;

  // Timestamps.
  uint64_t step_ = 0;
  uint64_t grid_ = 0;  // min_time + index * step_, wrapping.
  chunk_internal::IntReader time_residuals_;

  // Values.
  uint64_t constant_bits_ = 0;
  int exponent_ = 0;
  int order_ = 0;
  uint64_t mantissa_ = 0;  // Wrapping int64 arithmetic.
  uint64_t delta_ = 0;
  uint64_t first_delta_ = 0;
  chunk_internal::IntReader value_residuals_;
  chunk_internal::BitReader specials_;
  uint64_t specials_left_ = 0;
  uint64_t next_special_ = ~uint64_t{0};
  uint64_t next_special_bits_ = 0;
  int special_pos_bits_ = 0;
  chunk_internal::XorReader xor_;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_CHUNK_CHUNK_ITERATOR_H_
