#include "tsdb/partition/partition_writer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/chunk_header.h"

namespace vigil::tsdb::partition {

PartitionWriter::PartitionWriter(kv::KvStore* kv, std::shared_ptr<kv::Namespace> ns, size_t batch_bytes)
    : kv_(kv), ns_(std::move(ns)), batch_bytes_(batch_bytes), batch_(kv->NewWriteBatch()) {}

absl::Status PartitionWriter::MaybeWrite() {
  if (batch_->ApproximateBytes() < batch_bytes_) return absl::OkStatus();
  VIGIL_RETURN_IF_ERROR(kv_->Write(kv::WriteOptions{.disable_wal = true}, batch_.get()));
  batch_->Clear();
  return absl::OkStatus();
}

absl::Status PartitionWriter::StartSeries(const Labels& labels) {
  if (labels.empty()) return absl::InvalidArgumentError("series with no labels");
  if (num_series_ > 0 && Compare(last_labels_, labels) >= 0) {
    return absl::InvalidArgumentError(absl::StrCat("series ", labels.ToString(), " does not sort after ",
                                                   last_labels_.ToString(), " (duplicate or out of order)"));
  }
  for (const Label& l : labels) {
    if (l.name.find('\0') != std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("series ", labels.ToString(), ": label name has a NUL byte"));
    }
  }
  if (num_series_ == UINT32_MAX) return absl::ResourceExhaustedError("more than 2^32-1 series in one partition");
  const uint32_t sid = num_series_++;
  last_labels_ = labels;
  series_has_chunk_ = false;
  buf_.clear();
  EncodeLabels(labels, &buf_);
  batch_->Put(*ns_, SeriesKey(sid), buf_);
  for (const Label& l : labels) {
    std::string key;
    key.reserve(l.name.size() + 1 + l.value.size());
    absl::StrAppend(&key, AV(l.name), absl::string_view("\0", 1), AV(l.value));
    postings_[key].push_back(sid);
  }
  return MaybeWrite();
}

absl::Status PartitionWriter::AddChunk(std::string_view chunk) {
  if (num_series_ == 0) return absl::FailedPreconditionError("AddChunk before StartSeries");
  absl::StatusOr<ChunkHeader> header = ParseChunkHeader(chunk);
  if (!header.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("series ", last_labels_.ToString(), ": bad chunk: ", header.status().message()));
  }
  if (header->num_samples == 0) {
    return absl::InvalidArgumentError(absl::StrCat("series ", last_labels_.ToString(), ": empty chunk"));
  }
  if (series_has_chunk_ && header->min_time <= last_chunk_min_) {
    return absl::InvalidArgumentError(absl::StrCat("series ", last_labels_.ToString(), ": chunk starting at ",
                                                   header->min_time, " does not start after the previous one (",
                                                   last_chunk_min_, ")"));
  }
  series_has_chunk_ = true;
  last_chunk_min_ = header->min_time;
  ++num_chunks_;
  num_samples_ += header->num_samples;
  max_chunk_span_ = std::max<int64_t>(max_chunk_span_, header->max_time - header->min_time);
  buf_.clear();
  EncodeChunkValue(chunk, &buf_);
  batch_->Put(*ns_, ChunkKey(num_series_ - 1, header->min_time), buf_);
  return MaybeWrite();
}

absl::StatusOr<PartitionMeta> PartitionWriter::Finish(uint64_t id, TimeRange range, uint32_t level) {
  std::vector<std::pair<std::string_view, std::vector<uint32_t>*>> pairs;
  pairs.reserve(postings_.size());
  for (auto& [key, ids] : postings_) pairs.emplace_back(key, &ids);
  std::sort(pairs.begin(), pairs.end());
  std::string key;
  for (const auto& [pair, ids] : pairs) {
    const size_t sep = pair.find('\0');
    const std::string_view name = pair.substr(0, sep), value = pair.substr(sep + 1);
    buf_.clear();
    EncodePostings(*ids, &buf_);
    batch_->Put(*ns_, PostingsKey(name, value), buf_);
    batch_->Put(*ns_, ListingKey(name, value), ListingValue());
    VIGIL_RETURN_IF_ERROR(MaybeWrite());
  }
  postings_.clear();
  if (batch_->Count() > 0) {
    VIGIL_RETURN_IF_ERROR(kv_->Write(kv::WriteOptions{.disable_wal = true}, batch_.get()));
    batch_->Clear();
  }
  VIGIL_RETURN_IF_ERROR(kv_->Flush(*ns_));
  PartitionMeta meta;
  meta.id = id;
  meta.range = range;
  meta.num_series = num_series_;
  meta.num_chunks = num_chunks_;
  meta.num_samples = num_samples_;
  meta.max_chunk_span = max_chunk_span_;
  meta.level = level;
  return meta;
}

}  // namespace vigil::tsdb::partition
