#include "tsdb/logs/log_storage.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/strings/absl_view.h"

namespace vigil::tsdb::logs {

std::string_view EntryRejectReasonName(EntryRejectReason reason) {
  switch (reason) {
    case EntryRejectReason::kTooOld:
      return "too_old";
    case EntryRejectReason::kOutOfOrder:
      return "out_of_order";
    case EntryRejectReason::kTooNew:
      return "too_new";
    case EntryRejectReason::kLineTooLong:
      return "line_too_long";
  }
  return "unknown";
}

void EntryRejections::Add(EntryRejectReason reason, std::string explanation) {
  ++counts_[static_cast<size_t>(reason)];
  if (explanations_.size() < kMaxExplanations) explanations_.push_back(std::move(explanation));
}

uint64_t EntryRejections::total() const {
  uint64_t n = 0;
  for (uint64_t c : counts_) n += c;
  return n;
}

std::string EntryRejections::Summary() const {
  std::vector<std::string> parts;
  for (size_t i = 0; i < kNumEntryRejectReasons; ++i) {
    if (counts_[i] > 0) {
      parts.push_back(absl::StrCat(counts_[i], " ", AV(EntryRejectReasonName(static_cast<EntryRejectReason>(i)))));
    }
  }
  return absl::StrCat(total(), " entries refused: ", absl::StrJoin(parts, ", "),
                      "; first: ", absl::StrJoin(explanations_, "; "));
}

void EntryRejections::Clear() {
  counts_.fill(0);
  explanations_.clear();
}

}  // namespace vigil::tsdb::logs
