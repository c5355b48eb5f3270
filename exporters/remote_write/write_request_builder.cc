#include "exporters/remote_write/write_request_builder.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/encoding/varint.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "snappy.h"
#include "wire/remote_write/decode.h"

namespace vigil::remote_write {
namespace {

// Protobuf tags (field number << 3 | wire type) of the messages written here.
constexpr char kTagTimeSeries = 0x0A;   // WriteRequest.timeseries = 1, length-delimited
constexpr char kTagLabels = 0x0A;       // TimeSeries.labels = 1, length-delimited
constexpr char kTagSamples = 0x12;      // TimeSeries.samples = 2, length-delimited
constexpr char kTagName = 0x0A;         // Label.name = 1, length-delimited
constexpr char kTagValue = 0x12;        // Label.value = 2, length-delimited
constexpr char kTagSampleValue = 0x09;  // Sample.value = 1, fixed64 (double)
constexpr char kTagTimestamp = 0x10;    // Sample.timestamp = 2, varint

void PutLengthDelimited(char tag, std::string_view bytes, std::string* out) {
  out->push_back(tag);
  encoding::AppendVarint(bytes.size(), out);
  out->append(bytes);
}

bool NameLess(const Label& a, const Label& b) { return a.name < b.name; }

}  // namespace

WriteRequestBuilder::WriteRequestBuilder(WriteRequestBuilderOptions options) : options_(std::move(options)) {}

absl::StatusOr<WriteRequestBuilder> WriteRequestBuilder::Create(WriteRequestBuilderOptions options) {
  if (options.max_samples_per_send == 0) {
    return absl::InvalidArgumentError("remote_write: max_samples_per_send must be at least 1");
  }
  WriteRequestBuilder b(std::move(options));
  for (const auto& [name, value] : b.options_.external_labels) {
    if (name == kMetricNameLabel) {
      return absl::InvalidArgumentError("remote_write: external label \"__name__\" is not allowed");
    }
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("remote_write: external label \"", name, "\" has an empty value"));
    }
    b.external_.push_back({name, value});
  }
  std::sort(b.external_.begin(), b.external_.end(), NameLess);
  std::vector<LabelPair> pairs;
  for (const Label& l : b.external_) pairs.emplace_back(l.name, l.value);
  if (!pairs.empty()) {
    VIGIL_RETURN_IF_ERROR(Annotate(wire::ValidateLabels(pairs), "remote_write: external labels"));
  }
  return b;
}

absl::Status WriteRequestBuilder::Add(std::span<const Label> labels, TimestampMs t, double v) {
  scratch_.clear();
  for (const Label& l : labels) {
    if (!l.value.empty()) scratch_.push_back(l);
  }
  std::sort(scratch_.begin(), scratch_.end(), NameLess);
  return AddSorted(t, v);
}

absl::Status WriteRequestBuilder::Add(const Labels& labels, TimestampMs t, double v) {
  scratch_.assign(labels.begin(), labels.end());
  return AddSorted(t, v);
}

absl::Status WriteRequestBuilder::AddWithName(std::string_view metric_name, std::span<const Label> labels,
                                              TimestampMs t, double v) {
  scratch_.clear();
  if (!metric_name.empty()) scratch_.push_back({kMetricNameLabel, metric_name});
  for (const Label& l : labels) {
    if (!l.value.empty()) scratch_.push_back(l);
  }
  std::sort(scratch_.begin(), scratch_.end(), NameLess);
  return AddSorted(t, v);
}

absl::Status WriteRequestBuilder::AddSorted(TimestampMs t, double v) {
  // Merge the external labels in; the series' own label of the same name wins, as in Prometheus.
  merged_.clear();
  size_t e = 0;
  std::string_view metric_name;
  for (const Label& l : scratch_) {
    while (e < external_.size() && external_[e].name < l.name) {
      merged_.emplace_back(external_[e].name, external_[e].value);
      ++e;
    }
    if (e < external_.size() && external_[e].name == l.name) ++e;
    merged_.emplace_back(l.name, l.value);
    if (l.name == kMetricNameLabel) metric_name = l.value;
  }
  for (; e < external_.size(); ++e) merged_.emplace_back(external_[e].name, external_[e].value);

  if (metric_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("remote_write: sample without a metric name (__name__) among ", scratch_.size(), " labels"));
  }
  if (absl::Status s = wire::ValidateLabels(merged_); !s.ok()) {
    return Annotate(s, absl::StrCat("remote_write: sample of ", AV(metric_name)));
  }

  series_buf_.clear();
  for (const auto& [name, value] : merged_) {
    series_buf_.push_back(kTagLabels);
    encoding::AppendVarint(
        2 + encoding::VarintSize(name.size()) + name.size() + encoding::VarintSize(value.size()) + value.size(),
        &series_buf_);
    PutLengthDelimited(kTagName, name, &series_buf_);
    PutLengthDelimited(kTagValue, value, &series_buf_);
  }
  // proto3 leaves out fields holding their default (0): the bytes then match what protobuf itself writes.
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  const size_t sample_size = (bits != 0 ? 9 : 0) + (t != 0 ? 1 + encoding::VarintSize(static_cast<uint64_t>(t)) : 0);
  series_buf_.push_back(kTagSamples);
  encoding::AppendVarint(sample_size, &series_buf_);
  if (bits != 0) {
    char le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
    series_buf_.push_back(kTagSampleValue);
    series_buf_.append(le, 8);
  }
  if (t != 0) {
    series_buf_.push_back(kTagTimestamp);
    encoding::AppendVarint(static_cast<uint64_t>(t), &series_buf_);
  }
  PutLengthDelimited(kTagTimeSeries, series_buf_, &current_);
  ++current_samples_;
  current_max_t_ = std::max(current_max_t_, t);
  if (current_samples_ >= options_.max_samples_per_send) CompleteCurrent();
  return absl::OkStatus();
}

void WriteRequestBuilder::CompleteCurrent() {
  if (current_samples_ == 0) return;
  EncodedRequest& r = completed_.emplace_back();
  snappy::Compress(current_.data(), current_.size(), &r.body);
  r.samples = static_cast<uint32_t>(current_samples_);
  r.uncompressed_bytes = current_.size();
  r.max_timestamp = current_max_t_;
  completed_samples_ += current_samples_;
  current_.clear();
  current_samples_ = 0;
  current_max_t_ = kMinTimestampMs;
}

std::vector<EncodedRequest> WriteRequestBuilder::Finish() {
  CompleteCurrent();
  std::vector<EncodedRequest> out = std::move(completed_);
  completed_.clear();
  completed_samples_ = 0;
  return out;
}

}  // namespace vigil::remote_write
