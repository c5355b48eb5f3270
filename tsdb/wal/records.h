// The WAL's record types and their payload encodings (docs/format/wal.md, "Record payloads"): SERIES binds a
// series ref to its labels, SAMPLES carries (ref, t, v) triples.
#ifndef VIGIL_TSDB_WAL_RECORDS_H_
#define VIGIL_TSDB_WAL_RECORDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "model/labels.h"
#include "model/sample.h"

namespace vigil::wal {

// The version byte every payload starts with.
inline constexpr uint8_t kRecordVersion = 1;

// A series as the writer logs it: the head's ref for the series and its labels.
struct SeriesRecord {
  uint64_t ref = 0;
  Labels labels;
};

// One sample of the series `ref`. `v` is kept bit for bit (stale markers, NaN payloads).
struct SampleRecord {
  uint64_t ref = 0;
  TimestampMs t = 0;
  double v = 0;
};

// A series as replay hands it out: views into replay's buffers, valid only during the callback. Labels are in
// the order they were written (sorted by name); Labels::FromPairs(labels) builds a Labels value.
struct SeriesRecordView {
  uint64_t ref = 0;
  std::span<const LabelPair> labels;
};

// Appends the SERIES payload of `series` (version byte included) to `out`.
void AppendSeriesPayload(std::span<const SeriesRecord> series, std::string* out);
// Bytes one series adds to a SERIES payload.
size_t SeriesEntrySize(const SeriesRecord& series);

// Appends the SAMPLES payload of `samples` (at least one) to `out`.
void AppendSamplesPayload(std::span<const SampleRecord> samples, std::string* out);
// An upper bound of the bytes one sample adds to a SAMPLES payload.
inline constexpr size_t kMaxSampleEntrySize = 10 + 10 + 8;

// Decodes SERIES payloads into views of the payload. Keeps its buffers across calls, so steady-state decoding
// does not allocate. Not thread-safe.
class SeriesPayloadDecoder {
 public:
  // Decodes `payload`. On success series() holds its series; their strings point into `payload` and their
  // label spans into this decoder, valid until the next Decode. DataLoss with the payload offset if malformed.
  absl::Status Decode(std::string_view payload);
  std::span<const SeriesRecordView> series() const { return series_; }

 private:
  std::vector<SeriesRecordView> series_;
  std::vector<LabelPair> labels_;
  std::vector<uint32_t> label_counts_;
};

// Decodes a SAMPLES payload into `out` (replaced; capacity kept). DataLoss with the payload offset on malformed
// input.
absl::Status DecodeSamplesPayload(std::string_view payload, std::vector<SampleRecord>* out);

// Frames ready to append, as the writer prepares them in the calling thread.
struct EncodedBatch {
  struct Frame {
    size_t end = 0;                       // Offset in `bytes` just past the frame.
    TimestampMs max_t = kMinTimestampMs;  // Largest sample timestamp in the frame (kMin for SERIES).
  };
  std::string bytes;
  std::vector<Frame> frames;

  void Clear() {
    bytes.clear();
    frames.clear();
  }
};

// Appends SERIES frames for `series` and then SAMPLES frames for `samples` to `batch`, cutting records at
// about 256 KiB and never beyond `max_payload` bytes. InvalidArgument, with nothing appended, if a single series
// does not fit in `max_payload`.
absl::Status EncodeBatch(std::span<const SeriesRecord> series, std::span<const SampleRecord> samples,
                         uint64_t max_payload, EncodedBatch* batch);

}  // namespace vigil::wal

#endif  // VIGIL_TSDB_WAL_RECORDS_H_
