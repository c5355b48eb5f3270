// Builds Prometheus remote_write 1.0 request bodies: a protobuf WriteRequest (wire/prompb/remote.proto)
// compressed with snappy's block format, from samples given as label sets, timestamps and values.
//
//   WriteRequestBuilderOptions options;
//   options.external_labels = {{"cluster", "prod"}, {"node", "n1"}};
//   absl::StatusOr<WriteRequestBuilder> b = WriteRequestBuilder::Create(options);
//   Label labels[] = {{"__name__", "up"}, {"job", "node"}};
//   b->Add(labels, 1700000000000, 1.0);                     // or AddWithName("up", {{"job", "node"}}, ...)
//   for (EncodedRequest& r : b->Finish()) sender->Enqueue(r);
//
// What the receiver gets, as Prometheus sends it:
// - One TimeSeries per sample, in the order added, each with its complete label set sorted by name.
// - External labels are added to every series that has no label of that name (the series' own label wins).
// - At most max_samples_per_send samples per request (Prometheus' queue_config default: 2000).
// - Values are sent bit for bit, so the stale marker (model/sample.h) survives.
//
// The protobuf is written by hand (four message types, two field kinds), as wire/remote_write/decode.h reads it:
// building the generated classes would cost an allocation per label. builder_test checks the bytes against
// both the generated classes and that decoder.
#ifndef VIGIL_EXPORTERS_REMOTE_WRITE_WRITE_REQUEST_BUILDER_H_
#define VIGIL_EXPORTERS_REMOTE_WRITE_WRITE_REQUEST_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/sample.h"

namespace vigil::remote_write {

// Prometheus' queue_config.max_samples_per_send default.
inline constexpr size_t kDefaultMaxSamplesPerSend = 2000;

struct WriteRequestBuilderOptions {
  // Added to every series that lacks a label of the same name (e.g. {"cluster", "prod"}, {"node", "n1"}).
  // Names must be valid label names, unique, and not "__name__"; values non-empty UTF-8.
  std::vector<std::pair<std::string, std::string>> external_labels;
  // Samples per request; at least 1.
  size_t max_samples_per_send = kDefaultMaxSamplesPerSend;
};

// One finished request body, ready to queue and POST.
struct EncodedRequest {
  std::string body;                             // snappy(WriteRequest)
  uint32_t samples = 0;                         // Samples in it.
  size_t uncompressed_bytes = 0;                // Size of the serialized WriteRequest before compression.
  TimestampMs max_timestamp = kMinTimestampMs;  // Newest sample timestamp in it.
};

// Accumulates samples into requests. Not thread-safe: one collection cycle writes at a time. Movable.
class WriteRequestBuilder {
 public:
  // InvalidArgument naming the offending external label, or for max_samples_per_send == 0.
  static absl::StatusOr<WriteRequestBuilder> Create(WriteRequestBuilderOptions options);

  // Movable, not copyable (it holds views into its own options).
  WriteRequestBuilder(WriteRequestBuilder&&) = default;
  WriteRequestBuilder& operator=(WriteRequestBuilder&&) = default;
  WriteRequestBuilder(const WriteRequestBuilder&) = delete;
  WriteRequestBuilder& operator=(const WriteRequestBuilder&) = delete;

  // Adds one sample of the series `labels` (including __name__, in any order). Labels with an empty value are
  // dropped (an empty value means "absent"). InvalidArgument, naming the label, for a duplicate or invalid name,
  // a value that is not UTF-8, or no __name__; the sample is then not added and the builder is unchanged.
  absl::Status Add(std::span<const Label> labels, TimestampMs t, double v);
  // As Add, for a Labels value (already sorted and unique).
  absl::Status Add(const Labels& labels, TimestampMs t, double v);
  // As Add, with the metric name given apart from the other labels (which must not contain __name__): the shape
  // the agent's MetricSink delivers.
  absl::Status AddWithName(std::string_view metric_name, std::span<const Label> labels, TimestampMs t, double v);

  // Samples added since the last Finish.
  size_t pending_samples() const { return completed_samples_ + current_samples_; }

  // Returns every request built since the last Finish (full ones, then the partial one), oldest first, and
  // starts afresh. Empty when nothing was added.
  std::vector<EncodedRequest> Finish();

 private:
  explicit WriteRequestBuilder(WriteRequestBuilderOptions options);

  // Validates the sorted, de-emptied `scratch_`, merges external labels and appends the encoded TimeSeries.
  absl::Status AddSorted(TimestampMs t, double v);
  // Compresses the current WriteRequest into completed_.
  void CompleteCurrent();

  WriteRequestBuilderOptions options_;
  std::vector<Label> external_;  // Views into options_.external_labels, sorted by name.
  std::vector<Label> scratch_;   // The series being added, sorted.
  std::vector<std::pair<std::string_view, std::string_view>> merged_;  // With external labels.
  std::string series_buf_;                                             // One encoded TimeSeries.
  std::string current_;                                                // The WriteRequest being built, serialized.
  size_t current_samples_ = 0;
  TimestampMs current_max_t_ = kMinTimestampMs;
  std::vector<EncodedRequest> completed_;
  size_t completed_samples_ = 0;
};

}  // namespace vigil::remote_write

#endif  // VIGIL_EXPORTERS_REMOTE_WRITE_WRITE_REQUEST_BUILDER_H_
