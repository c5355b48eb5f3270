#include "wire/remote_write/decode.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "snappy.h"

namespace vigil::wire {

absl::StatusOr<prompb::WriteRequest> DecodeWriteRequest(std::string_view body, size_t max_decoded_bytes) {
  size_t decoded_len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &decoded_len)) {
    return absl::InvalidArgumentError("snappy: corrupt input (the body must be snappy block-compressed)");
  }
  if (decoded_len > max_decoded_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("snappy: decoded body of ", decoded_len,
                                                     " bytes exceeds the limit of ", max_decoded_bytes, " bytes"));
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return absl::InvalidArgumentError("snappy: corrupt input (the body must be snappy block-compressed)");
  }
  prompb::WriteRequest req;
  if (!req.ParseFromString(raw)) {
    return absl::InvalidArgumentError("protobuf: cannot parse WriteRequest");
  }
  return req;
}

absl::StatusOr<Labels> ConvertLabels(const prompb::TimeSeries& ts) {
  std::vector<LabelPair> pairs;
  pairs.reserve(static_cast<size_t>(ts.labels_size()));
  std::string_view prev;
  for (int i = 0; i < ts.labels_size(); ++i) {
    const prompb::Label& l = ts.labels(i);
    if (l.name().empty()) return absl::InvalidArgumentError(absl::StrCat("label ", i, " has an empty name"));
    if (!IsValidLabelName(l.name())) {
      return absl::InvalidArgumentError(absl::StrCat("invalid label name \"", l.name(), "\""));
    }
    if (i > 0 && prev == l.name()) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate label name \"", l.name(), "\""));
    }
    if (i > 0 && std::string_view(l.name()) < prev) {
      return absl::InvalidArgumentError(
          absl::StrCat("label \"", l.name(), "\" comes after \"", AV(prev), "\": labels must be sorted by name"));
    }
    if (!IsValidUtf8(l.value())) {
      return absl::InvalidArgumentError(absl::StrCat("label \"", l.name(), "\" has a value that is not valid UTF-8"));
    }
    prev = l.name();
    if (!l.value().empty()) pairs.push_back(LabelPair{l.name(), l.value()});
  }
  if (pairs.empty()) return absl::InvalidArgumentError("series has no labels");
  return Labels::FromPairs(pairs);
}

}  // namespace vigil::wire
