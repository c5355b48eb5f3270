#include "base/http/body_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vigil::http {

BodyReader::~BodyReader() = default;

std::string BodyTooLargeMessage(uint64_t limit) {
  return absl::StrCat("request body too large: limit is ", limit, " bytes");
}

StringBodyReader::StringBodyReader(std::string body, size_t max_piece)
    : body_(std::move(body)), max_piece_(std::max<size_t>(1, max_piece)) {}

bool StringBodyReader::Read(std::string* out) {
  out->clear();
  if (offset_ >= body_.size()) return false;
  size_t n = std::min(max_piece_, body_.size() - offset_);
  out->assign(body_, offset_, n);
  offset_ += n;
  return true;
}

LimitedBodyReader::LimitedBodyReader(BodyReader* source, uint64_t limit) : source_(source), limit_(limit) {}

bool LimitedBodyReader::Read(std::string* out) {
  if (limit_exceeded_) {
    out->clear();
    reported_ = true;
    return false;
  }
  if (!source_->Read(out)) return false;
  if (limit_ != 0 && out->size() > limit_ - bytes_read_) {
    limit_exceeded_ = true;
    out->resize(static_cast<size_t>(limit_ - bytes_read_));
    bytes_read_ = limit_;
    if (out->empty()) {
      reported_ = true;
      return false;
    }
    return true;
  }
  bytes_read_ += out->size();
  return true;
}

absl::Status LimitedBodyReader::status() const {
  if (reported_) return absl::ResourceExhaustedError(BodyTooLargeMessage(limit_));
  return source_->status();
}

}  // namespace vigil::http
