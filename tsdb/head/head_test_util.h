// Helpers shared by the head's tests: a recording CommitLog, matcher construction and reading a Select back.
#ifndef VIGIL_TSDB_HEAD_HEAD_TEST_UTIL_H_
#define VIGIL_TSDB_HEAD_HEAD_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "model/matcher.h"
#include "tsdb/head/commit_log.h"
#include "tsdb/head/head.h"
#include "tsdb/storage/storage.h"

namespace vigil::tsdb::testing {

// Records every Log call; fails them while `fail` holds a non-OK status.
class RecordingCommitLog : public CommitLog {
 public:
  absl::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) override;

  // Makes later Log calls return `status` (OK to succeed again).
  void SetFailure(absl::Status status);

  std::vector<RefSeries> series() const;
  std::vector<RefSample> samples() const;
  int calls() const;

 private:
  mutable absl::Mutex mu_;
  absl::Status fail_ ABSL_GUARDED_BY(mu_);
  std::vector<RefSeries> series_ ABSL_GUARDED_BY(mu_);
  std::vector<RefSample> samples_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// A matcher; the test fails if it does not compile.
Matcher M(MatchType type, std::string name, std::string value);

// Every series Select returns, in the order returned, with all their samples in [mint, maxt].
std::vector<std::pair<Labels, std::vector<Sample>>> SelectAll(Querier& q, bool sorted,
                                                              const std::vector<Matcher>& matchers,
                                                              TimestampMs mint = kMinTimestampMs,
                                                              TimestampMs maxt = kMaxTimestampMs);

// As SelectAll over a fresh querier of [mint, maxt], keyed by labels.
std::map<Labels, std::vector<Sample>> Query(Head& head, const std::vector<Matcher>& matchers,
                                            TimestampMs mint = kMinTimestampMs, TimestampMs maxt = kMaxTimestampMs);

// Compares samples bit for bit (values as bit patterns, so NaNs compare).
bool SameSamples(const std::vector<Sample>& a, const std::vector<Sample>& b);

// Head options with small chunks for tests.
HeadOptions TestOptions();

}  // namespace vigil::tsdb::testing

#endif  // VIGIL_TSDB_HEAD_HEAD_TEST_UTIL_H_
