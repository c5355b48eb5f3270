#include "tsdb/head/head_appender.h"

#include <bit>
#include <charconv>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"

namespace vigil::tsdb {
namespace {

// The shortest decimal that reads back as `v`, so two values that differ in the last bit print differently.
std::string FormatValue(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : absl::StrCat(v);
}

}  // namespace

HeadAppender::~HeadAppender() { Rollback(); }

absl::StatusOr<uint32_t> HeadAppender::Resolve(SeriesRef ref, const Labels& labels) {
  if (last_ != kNone) {
    const MemSeries* s = touched_[last_].series;
    if (ref != 0 ? s->ref() == ref && (labels.empty() || labels.Hash() == s->labels().Hash())
                 : head_->LabelsEqual(s->labels(), labels)) {
      return last_;
    }
  }
  auto held = [this](MemSeries* s) { return touched_index_.contains(s); };
  MemSeries* series = nullptr;
  bool pinned = false;
  if (ref != 0) {
    series = head_->FindAndPin(ref, held, &pinned);
    if (series != nullptr && !labels.empty() && series->labels().Hash() != labels.Hash()) {
      // A stale or foreign ref: the labels name the series.
      if (pinned) head_->Unpin(series);
      series = nullptr;
    }
  }
  if (series == nullptr) {
    if (ref == 0 && labels.empty()) return RejectError(RejectReason::kInvalidLabels, "empty label set");
    if (labels.empty()) return absl::NotFoundError(absl::StrCat("unknown series ref ", ref, " and no labels given"));
    series = head_->FindAndPin(labels, held, &pinned);
    if (series == nullptr) {
      VIGIL_ASSIGN_OR_RETURN(series, head_->CreatePinned(labels, held, &pinned));
    }
  }
  if (!pinned) return touched_index_.at(series);
  const auto index = static_cast<uint32_t>(touched_.size());
  touched_.push_back(Touched{series});
  touched_index_.emplace(series, index);
  return index;
}

absl::Status HeadAppender::Refusal(AppendVerdict verdict, const Touched& touched, const Labels& labels, TimestampMs t,
                                   double v, TimestampMs newest_t, uint64_t existing) const {
  const std::string series =
      (labels.empty() ? head_->symbols_.Materialize(touched.series->labels()) : labels).ToString();
  switch (verdict) {
    case AppendVerdict::kRejectDuplicate:
      return RejectError(RejectReason::kDuplicate,
                         absl::StrCat("duplicate sample for timestamp ", t, ": value ", FormatValue(v),
                                      " differs from the stored value ", FormatValue(std::bit_cast<double>(existing)),
                                      " of series ", series));
    case AppendVerdict::kRejectOutOfOrder:
      return RejectError(RejectReason::kOutOfOrder,
                         absl::StrCat("out of order sample: timestamp ", t, " is older than the newest sample (",
                                      newest_t, ") of series ", series, " by more than the out-of-order window of ",
                                      head_->options_.out_of_order_window_ms, " ms"));
    case AppendVerdict::kRejectOutOfBounds:
    default:
      return RejectError(RejectReason::kOutOfBounds,
                         absl::StrCat("out of bounds: timestamp ", t, " is before the head's minimum valid time ",
                                      head_->MinValidTime(), " (series ", series, ")"));
  }
}

absl::StatusOr<SeriesRef> HeadAppender::Append(SeriesRef ref, const Labels& labels, TimestampMs t, double v) {
  const TimestampMs min_valid = head_->MinValidTime();
  if (t < min_valid) {
    return RejectError(
        RejectReason::kOutOfBounds,
        absl::StrCat("out of bounds: timestamp ", t, " is before the head's minimum valid time ", min_valid));
  }
  VIGIL_ASSIGN_OR_RETURN(const uint32_t index, Resolve(ref, labels));
  last_ = index;
  Touched& tc = touched_[index];
  MemSeries* s = tc.series;
  const uint64_t bits = std::bit_cast<uint64_t>(v);

  // Newer than this batch's newest in-order sample of the series, which was checked against the series already.
  bool in_order = tc.newest_t != kMinTimestampMs && t > tc.newest_t;
  if (!in_order) {
    AppendVerdict verdict;
    uint64_t existing = 0;
    TimestampMs newest_t;
    {
      SeriesLock lock(&s->mu());
      newest_t = s->newest_time();
      uint64_t newest_bits = s->newest_bits();
      if (tc.newest_t != kMinTimestampMs && tc.newest_t > newest_t) {
        newest_t = tc.newest_t;
        newest_bits = tc.newest_bits;
      }
      verdict = s->Classify(t, bits, newest_t, newest_bits, head_->series_options_, min_valid, &existing);
    }
    if (verdict == AppendVerdict::kOutOfOrder) {
      // The timestamp may also be taken by a sample pending in this batch.
      for (size_t i = samples_.size(); i-- > 0;) {
        if (sample_touched_[i] != index || samples_[i].t != t) continue;
        existing = std::bit_cast<uint64_t>(samples_[i].v);
        verdict = existing == bits ? AppendVerdict::kDuplicateIgnored : AppendVerdict::kRejectDuplicate;
        break;
      }
    }
    if (verdict == AppendVerdict::kDuplicateIgnored) return s->ref();
    if (IsReject(verdict)) return Refusal(verdict, tc, labels, t, v, newest_t, existing);
    in_order = verdict == AppendVerdict::kInOrder;
  }
  samples_.push_back(RefSample{s->ref(), t, v});
  sample_touched_.push_back(index);
  ++tc.samples;
  if (in_order) {
    tc.newest_t = t;
    tc.newest_bits = bits;
  }
  return s->ref();
}

absl::Status HeadAppender::Commit() {
  if (samples_.empty()) {
    Reset();
    return absl::OkStatus();
  }
  std::vector<RefSeries> new_series;
  std::vector<MemSeries*> unlogged;
  for (const Touched& tc : touched_) {
    if (tc.samples == 0 || tc.series->logged.load(std::memory_order_acquire)) continue;
    new_series.push_back(RefSeries{tc.series->ref(), head_->symbols_.Materialize(tc.series->labels())});
    unlogged.push_back(tc.series);
  }
  if (CommitLog* log = head_->options_.commit_log; log != nullptr) {
    absl::Status status = log->Log(new_series, samples_);
    if (!status.ok()) {
      head_->commit_failures_.fetch_add(1, std::memory_order_relaxed);
      const size_t n = samples_.size();
      Rollback();
      return Annotate(status, absl::StrCat("head commit of ", n, " samples: commit log"));
    }
  }
  for (MemSeries* s : unlogged) s->logged.store(true, std::memory_order_release);

  const SeriesOptions& opts = head_->series_options_;
  const TimestampMs min_valid = head_->MinValidTime();
  TimestampMs mint = kMaxTimestampMs;
  TimestampMs maxt = kMinTimestampMs;
  uint64_t appended = 0;
  uint64_t out_of_order = 0;
  uint64_t dropped = 0;
  // Apply in append order, holding a series' lock across a run of its samples.
  MemSeries* locked = nullptr;
  for (size_t i = 0; i < samples_.size(); ++i) {
    MemSeries* s = touched_[sample_touched_[i]].series;
    if (s != locked) {
      if (locked != nullptr) {
        head_->Reaccount(*locked);
        locked->mu().Unlock();
      }
      s->mu().Lock();
      locked = s;
    }
    const RefSample& rs = samples_[i];
    switch (s->Append(rs.t, rs.v, opts, min_valid)) {
      case AppendVerdict::kOutOfOrder:
        ++out_of_order;
        [[fallthrough]];
      case AppendVerdict::kInOrder:
        ++appended;
        mint = std::min(mint, rs.t);
        maxt = std::max(maxt, rs.t);
        break;
      case AppendVerdict::kDuplicateIgnored:
        break;
      default:
        ++dropped;
        break;
    }
  }
  if (locked != nullptr) {
    head_->Reaccount(*locked);
    locked->mu().Unlock();
  }

  std::vector<MemSeries*> fresh;
  for (const Touched& tc : touched_) {
    if (tc.samples > 0 && !tc.series->published.load(std::memory_order_acquire)) fresh.push_back(tc.series);
  }
  head_->Publish(fresh);
  if (appended > 0) head_->ExtendTimeRange(mint, maxt);
  head_->samples_appended_.fetch_add(appended, std::memory_order_relaxed);
  if (out_of_order > 0) head_->ooo_appended_.fetch_add(out_of_order, std::memory_order_relaxed);
  if (dropped > 0) head_->dropped_at_commit_.fetch_add(dropped, std::memory_order_relaxed);
  head_->commits_.fetch_add(1, std::memory_order_relaxed);
  Reset();
  return absl::OkStatus();
}

void HeadAppender::Rollback() { Reset(); }

void HeadAppender::Reset() {
  for (const Touched& tc : touched_) {
    head_->Unpin(tc.series);
    // Erasing keeps the table's allocation for the next batch (clear() frees tables of more than 127 slots).
    touched_index_.erase(tc.series);
  }
  touched_.clear();
  samples_.clear();
  sample_touched_.clear();
  last_ = kNone;
}

}  // namespace vigil::tsdb
