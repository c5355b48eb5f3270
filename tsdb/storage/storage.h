// The storage interface: the only surface the query layer (PromQL, the HTTP API, rules) and the ingest
// endpoints see. The head, the persisted partitions and the in-memory test store all implement it, so PromQL
// never knows about WALs, chunks or RocksDB.
//
// Shapes follow Prometheus' storage package: a Queryable hands out Queriers bound to a time range; a Querier
// selects series by matchers; each Series yields a sample iterator. Appenders batch writes and make them
// visible (and durable, for the real store) on Commit.
#ifndef VIGIL_TSDB_STORAGE_STORAGE_H_
#define VIGIL_TSDB_STORAGE_STORAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "model/sample.h"

namespace vigil::tsdb {

// Iterates one series' samples in increasing timestamp order. Virtual calls are per sample here, as in
// Prometheus; hot loops use AppendRange, which implementations override to decode a whole range in one call.
class SeriesIterator {
 public:
  virtual ~SeriesIterator() = default;

  // Advances to the next sample. False at the end or on error (then Err() says why).
  virtual bool Next() = 0;
  // Advances to the first sample with timestamp >= t; never moves backwards (if the current sample already
  // satisfies it, stays). False if there is none.
  virtual bool Seek(TimestampMs t) = 0;
  // The current sample; valid after Next or Seek returned true.
  virtual Sample At() const = 0;
  virtual absl::Status Err() const = 0;

  // Appends every remaining sample with mint <= t <= maxt to `out`; afterwards the iterator stands on the first
  // sample after maxt (if any), so continue with AppendRange or Seek, not Next. The default
  // uses Seek/Next; implementations over compressed chunks decode in bulk.
  virtual absl::Status AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out);
};

// One series: its labels and a way to read its samples.
class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A fresh iterator over the samples within the querier's time range.
  virtual std::unique_ptr<SeriesIterator> Iterator() const = 0;
};

// The result of a Select: series in Compare() order of their labels when sorting was asked for.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // The current series. Shared so callers may keep series past Next (the engine holds all series of a
  // selector while it steps through time); a series stays readable for as long as it is held.
  virtual std::shared_ptr<const Series> At() const = 0;
  virtual absl::Status Err() const = 0;
};

// What the caller will do with the data, so an implementation may skip work (Prometheus' SelectHints).
struct SelectHints {
  TimestampMs start = kMinTimestampMs;  // The time range the query needs, which may be
  TimestampMs end = kMaxTimestampMs;    // narrower than the querier's.
  int64_t step_ms = 0;
  std::string func;  // e.g. "rate", or "series" when only labels are wanted.
  int64_t range_ms = 0;
};

// Reads series within [mint, maxt] fixed at creation. Not thread-safe; create one per query.
class Querier {
 public:
  virtual ~Querier() = default;

  // Series matching all `matchers` (at least one must not match the empty string, as Prometheus requires of a
  // selector; the query layer checks that). `hints` may be null.
  virtual std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                            std::span<const Matcher> matchers) = 0;

  // Sorted, unique label names of series matching `matchers` (all series when empty).
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) = 0;
  // Sorted, unique values of label `name` among series matching `matchers` (all series when empty).
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                               std::span<const Matcher> matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(TimestampMs mint, TimestampMs maxt) = 0;
};

// An opaque handle to a series inside one storage, returned by Append so a caller appending to the same series
// again (a scrape loop, a remote_write batch) skips the label lookup. 0 means "unknown".
using SeriesRef = uint64_t;

// Why a sample was refused. Each reason is counted in the store's metrics and reported to the client.
enum class RejectReason {
  kNone = 0,
  kOutOfOrder,     // older than the series' newest sample, beyond the out-of-order window
  kOutOfBounds,    // older than the head's or the window's lower bound (too old to accept at all)
  kDuplicate,      // same timestamp as the existing sample, different value
  kInvalidLabels,  // empty, duplicate or unsorted label names; invalid UTF-8; no __name__
  kTooOld,         // older than retention
  kSeriesLimit,    // the store's maximum number of series is reached
  kLabelLimit,     // too many labels, or a name/value too long
  kSampleLimit,    // too many samples in one request
};

std::string_view RejectReasonName(RejectReason reason);

// Builds an error carrying `reason` (InvalidArgument, or ResourceExhausted for the limits) with `message`.
absl::Status RejectError(RejectReason reason, std::string_view message);
// The reason carried by a status made by RejectError; kNone for any other status.
RejectReason GetRejectReason(const absl::Status& status);

// Buffers writes; nothing is visible to queriers until Commit. Not thread-safe; one per writer.
class Appender {
 public:
  virtual ~Appender() = default;

  // Adds one sample. `ref` is a SeriesRef from an earlier Append on the same storage, or 0 (then `labels` is
  // used). Returns the series' ref. A sample that cannot be stored is refused with a RejectError status and
  // the appender stays usable for the rest of the batch.
  virtual absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, TimestampMs t, double v) = 0;

  // Makes every accepted sample visible and, for durable storages, durable (it is in the WAL) before it
  // returns: a caller acknowledges its client only after Commit returned OK.
  virtual absl::Status Commit() = 0;
  // Discards everything appended since the last Commit.
  virtual void Rollback() = 0;
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

class Storage : public Queryable, public Appendable {};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_STORAGE_STORAGE_H_
