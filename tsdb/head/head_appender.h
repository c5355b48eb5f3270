// HeadAppender: the Appender of the head (Head::NewAppender). Internal to tsdb/head; callers see tsdb::Appender.
//
// Append checks a sample right away, so a refused sample is reported to the client of the batch that sent it:
//   - a new label set must pass ValidateLabels and carry __name__ (kInvalidLabels), stay within the label limits
//     (kLabelLimit) and the series limit (kSeriesLimit);
//   - t below the head's minimum valid time: kOutOfBounds;
//   - t equal to the series' newest timestamp (committed, or pending in this appender) with a different value:
//     kDuplicate ("duplicate sample for timestamp"); with the bit-identical value the sample is accepted and
//     ignored, as Prometheus does;
//   - t older than the newest timestamp: kOutOfOrder, unless within the out-of-order window (then checked for a
//     duplicate timestamp among the stored and pending samples like above).
// Nothing is visible until Commit, which hands the batch to the CommitLog and, if that succeeds, applies it.
#ifndef VIGIL_TSDB_HEAD_HEAD_APPENDER_H_
#define VIGIL_TSDB_HEAD_HEAD_APPENDER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/head/commit_log.h"
#include "tsdb/head/head.h"
#include "tsdb/head/mem_series.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

class HeadAppender : public Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  // Rolls back whatever was not committed.
  ~HeadAppender() override;

  HeadAppender(const HeadAppender&) = delete;
  HeadAppender& operator=(const HeadAppender&) = delete;

  // See the file comment. `ref` is trusted when its series' label hash equals that of `labels` (or `labels` is
  // empty); otherwise `labels` decide. An unknown ref with empty labels is NotFound.
  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, TimestampMs t, double v) override;

  // Logs the batch through the head's CommitLog, then applies it series by series (a concurrent reader may see
  // one series of the batch updated before another). If the log fails, nothing is applied, the batch is
  // discarded and the log's error is returned. Samples a concurrent commit made out of order or duplicate since
  // Append are dropped and counted in HeadStats::samples_dropped_at_commit. The appender is reusable afterwards.
  absl::Status Commit() override;

  // Discards the batch. Series this appender created stay (unpublished) until garbage collection.
  void Rollback() override;

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};

  // A series this batch has samples for (or tried to): pinned until Commit or Rollback.
  struct Touched {
    MemSeries* series;
    // The newest pending in-order sample of the series in this batch.
    TimestampMs newest_t = kMinTimestampMs;
    uint64_t newest_bits = 0;
    uint32_t samples = 0;
  };

  // The index in touched_ of the series named by (ref, labels), finding, pinning or creating it.
  absl::StatusOr<uint32_t> Resolve(SeriesRef ref, const Labels& labels);
  // The RejectError for a refused sample.
  absl::Status Refusal(AppendVerdict verdict, const Touched& touched, const Labels& labels, TimestampMs t, double v,
                       TimestampMs newest_t, uint64_t existing) const;
  // Unpins every touched series and forgets the batch.
  void Reset();

  Head* const head_;
  std::vector<Touched> touched_;
  absl::flat_hash_map<MemSeries*, uint32_t> touched_index_;
  std::vector<RefSample> samples_;
  // For each sample, the index of its series in touched_.
  std::vector<uint32_t> sample_touched_;
  // The series of the previous Append: consecutive samples of one series skip the lookup.
  uint32_t last_ = kNone;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_HEAD_APPENDER_H_
