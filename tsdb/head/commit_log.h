// CommitLog: the hook through which the head hands every commit to durable storage (the write-ahead log) before
// making it visible. The db layer implements it; the head only calls it.
#ifndef VIGIL_TSDB_HEAD_COMMIT_LOG_H_
#define VIGIL_TSDB_HEAD_COMMIT_LOG_H_

#include <span>

#include "absl/status/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// A series record: the ref the head gave a label set. Refs are stable: replaying the record with
// Head::ReplaySeries recreates the series under the same ref, so sample records that name it stay valid.
struct RefSeries {
  SeriesRef ref;
  Labels labels;
};

// A sample record of the series `ref`.
struct RefSample {
  SeriesRef ref;
  TimestampMs t;
  double v;
};

class CommitLog {
 public:
  virtual ~CommitLog() = default;

  // Called by Appender::Commit with the series this commit is the first to log (new series, and series whose
  // first commit failed) and every sample of the commit in append order; each sample's series was either logged
  // by an earlier successful call or is in `series`. Must make them durable to the degree the store promises
  // (for the WAL: written to the OS, fsynced per its policy) before returning OK. If it returns an error the
  // commit fails and nothing of it becomes visible; the error is returned by Commit.
  //
  // Called concurrently by different appenders; the order of calls is the order replay must apply them in. A
  // series may be logged twice (two appenders committing a new series at once); replay ignores a repeated
  // record. A sample the head accepted at Append may still be dropped when the commit is applied, if a concurrent
  // commit to the same series made it out of order (as in Prometheus); replay applies the records in log order
  // with the same rules, so it keeps the sample if this call came first.
  virtual absl::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) = 0;
};

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_HEAD_COMMIT_LOG_H_
