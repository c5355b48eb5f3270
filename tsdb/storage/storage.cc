#include "tsdb/storage/storage.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::tsdb {
namespace {

// The payload key under which RejectError stores the reason's name.
constexpr char kRejectReasonPayload[] = "vigil.tsdb/reject-reason";

constexpr RejectReason kAllReasons[] = {
    RejectReason::kOutOfOrder, RejectReason::kOutOfBounds, RejectReason::kDuplicate,  RejectReason::kInvalidLabels,
    RejectReason::kTooOld,     RejectReason::kSeriesLimit, RejectReason::kLabelLimit, RejectReason::kSampleLimit,
};

}  // namespace

absl::Status SeriesIterator::AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) {
  if (!Seek(mint)) return Err();
  do {
    Sample s = At();
    if (s.t > maxt) break;
    out->push_back(s);
  } while (Next());
  return Err();
}

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNone:
      return "none";
    case RejectReason::kOutOfOrder:
      return "out_of_order";
    case RejectReason::kOutOfBounds:
      return "out_of_bounds";
    case RejectReason::kDuplicate:
      return "duplicate_sample";
    case RejectReason::kInvalidLabels:
      return "invalid_labels";
    case RejectReason::kTooOld:
      return "too_old";
    case RejectReason::kSeriesLimit:
      return "series_limit";
    case RejectReason::kLabelLimit:
      return "label_limit";
    case RejectReason::kSampleLimit:
      return "sample_limit";
  }
  return "unknown";
}

absl::Status RejectError(RejectReason reason, std::string_view message) {
  bool limit = reason == RejectReason::kSeriesLimit || reason == RejectReason::kSampleLimit;
  absl::Status s(limit ? absl::StatusCode::kResourceExhausted : absl::StatusCode::kInvalidArgument, AV(message));
  s.SetPayload(kRejectReasonPayload, absl::Cord(AV(RejectReasonName(reason))));
  return s;
}

RejectReason GetRejectReason(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRejectReasonPayload);
  if (!payload.has_value()) return RejectReason::kNone;
  std::string name(*payload);
  for (RejectReason r : kAllReasons) {
    if (RejectReasonName(r) == name) return r;
  }
  return RejectReason::kNone;
}

}  // namespace vigil::tsdb
