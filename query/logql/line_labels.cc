#include "query/logql/line_labels.h"

#include <span>

namespace vigil::logql {

void LineLabels::Reset(const Labels* stream) {
  stream_ = stream;
  num_extracted_ = 0;
  num_deleted_ = 0;
  error_.clear();
  error_details_.clear();
}

bool LineLabels::Deleted(std::string_view name) const {
  for (size_t i = 0; i < num_deleted_; ++i) {
    if (deleted_[i] == name) return true;
  }
  return false;
}

bool LineLabels::Extracted(std::string_view name) const {
  for (size_t i = 0; i < num_extracted_; ++i) {
    if (extracted_[i].name == name) return true;
  }
  return false;
}

std::optional<std::string_view> LineLabels::Get(std::string_view name) const {
  for (size_t i = 0; i < num_extracted_; ++i) {
    if (extracted_[i].name == name) return std::string_view(extracted_[i].value);
  }
  if (stream_ == nullptr || Deleted(name)) return std::nullopt;
  const std::string_view v = stream_->Get(name);
  if (v.empty()) return std::nullopt;
  return v;
}

void LineLabels::Set(std::string_view name, std::string_view value) {
  for (size_t i = 0; i < num_extracted_; ++i) {
    if (extracted_[i].name == name) {
      extracted_[i].value.assign(value);
      return;
    }
  }
  if (num_extracted_ == extracted_.size()) extracted_.emplace_back();
  Entry& e = extracted_[num_extracted_++];
  e.name.assign(name);
  e.value.assign(value);
}

void LineLabels::Del(std::string_view name) {
  for (size_t i = 0; i < num_extracted_; ++i) {
    if (extracted_[i].name == name) {
      // Keep the live entries contiguous; the removed one's buffers move to the spare slot.
      std::swap(extracted_[i], extracted_[num_extracted_ - 1]);
      --num_extracted_;
      break;
    }
  }
  if (StreamHas(name) && !Deleted(name)) {
    if (num_deleted_ == deleted_.size()) deleted_.emplace_back();
    deleted_[num_deleted_++].assign(name);
  }
}

void LineLabels::ForEach(absl::FunctionRef<void(std::string_view, std::string_view)> fn) const {
  if (stream_ != nullptr) {
    for (const Label l : *stream_) {
      if (Extracted(l.name) || Deleted(l.name)) continue;
      fn(l.name, l.value);
    }
  }
  for (size_t i = 0; i < num_extracted_; ++i) {
    if (!extracted_[i].value.empty()) fn(extracted_[i].name, extracted_[i].value);
  }
  if (!error_.empty()) fn(kErrorLabel, error_);
  if (!error_details_.empty()) fn(kErrorDetailsLabel, error_details_);
}

Labels LineLabels::Build() const {
  if (!Changed()) return stream_ != nullptr ? *stream_ : Labels();
  scratch_.clear();
  ForEach([&](std::string_view n, std::string_view v) { scratch_.emplace_back(n, v); });
  return Labels::FromPairs(std::span<const LabelPair>(scratch_));
}

}  // namespace vigil::logql
