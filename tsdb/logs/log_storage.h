// The log storage interfaces: what ingestion (LogAppender) and the LogQL engine and Loki query API
// (LogQuerier) see of the log store. LogStore (log_store.h) implements them on RocksDB through tsdb/kv.
//
//   std::unique_ptr<LogAppender> app = storage->NewAppender();
//   VIGIL_RETURN_IF_ERROR(app->Append(labels, std::move(entries)));   // InvalidArgument: stream refused whole
//   VIGIL_RETURN_IF_ERROR(app->Commit());                              // durable once OK
//   if (app->rejections().total() > 0) ...                             // entries refused one by one
//
//   absl::StatusOr<std::vector<StreamEntries>> r = storage->Select(
//       {.matchers = {...}, .start_ns = t0, .end_ns = t1, .direction = Direction::kBackward, .limit = 1000});
#ifndef VIGIL_TSDB_LOGS_LOG_STORAGE_H_
#define VIGIL_TSDB_LOGS_LOG_STORAGE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/logs/log_types.h"

namespace vigil::tsdb::logs {

// Why an entry was refused.
enum class EntryRejectReason : uint8_t {
  kTooOld,      // before the retention cutoff
  kOutOfOrder,  // further behind the stream's newest entry than the out-of-order window
  kTooNew,      // too far in the future
  kLineTooLong,
};
inline constexpr size_t kNumEntryRejectReasons = 4;

// "too_old", "out_of_order", "too_new", "line_too_long": the label value of rejection metrics.
std::string_view EntryRejectReasonName(EntryRejectReason reason);

// Entries an appender refused, by reason, with the first few explanations for the response body.
class EntryRejections {
 public:
  void Add(EntryRejectReason reason, std::string explanation);
  uint64_t count(EntryRejectReason reason) const { return counts_[static_cast<size_t>(reason)]; }
  uint64_t total() const;
  // "3 entries refused: 2 out_of_order, 1 line_too_long; first: <explanation>; <explanation>".
  std::string Summary() const;
  void Clear();

 private:
  static constexpr size_t kMaxExplanations = 3;
  std::array<uint64_t, kNumEntryRejectReasons> counts_{};
  std::vector<std::string> explanations_;
};

// Gathers entries of one request and commits them together. Not thread-safe; one per request.
class LogAppender {
 public:
  virtual ~LogAppender() = default;

  // Queues `entries` (any order) of the stream `labels`. InvalidArgument if the store refuses the label set (no
  // labels, invalid names, too many labels): nothing of the stream is queued. Entries refused one by one (see
  // EntryRejectReason) are left out and counted in rejections(); the others are queued.
  virtual absl::Status Append(const Labels& labels, std::vector<LogEntry> entries) = 0;

  // Makes the queued entries durable (on disk before returning: they survive a process crash, and power loss
  // when the store syncs commits) and visible to queries. An error (Unavailable) means nothing was stored; the
  // sender should retry. The appender is empty afterwards either way.
  virtual absl::Status Commit() = 0;

  // Drops the queued entries.
  virtual void Rollback() = 0;

  // The entries refused so far by Append.
  virtual const EntryRejections& rejections() const = 0;
};

// What Select reads.
struct SelectParams {
  // The stream selector; empty selects every stream (refusing that is the query layer's job).
  std::vector<Matcher> matchers;
  // [start_ns, end_ns): start inclusive, end exclusive, as Loki's query_range.
  TimestampNs start_ns = 0;
  TimestampNs end_ns = 0;
  Direction direction = Direction::kBackward;
  // The most entries returned over all streams: the newest (backward) or oldest (forward) ones. 0: no limit.
  size_t limit = 0;
};

// Read access for the LogQL engine and the Loki query API. Thread-safe; every call sees a consistent view of
// the store as of its start.
class LogQuerier {
 public:
  virtual ~LogQuerier() = default;

  // The entries of the selected streams in [start, end), each stream's entries in `direction` order (equal
  // timestamps in the order they were appended), streams sorted by labels; streams without entries left out.
  virtual absl::StatusOr<std::vector<StreamEntries>> Select(const SelectParams& params) const = 0;

  // Calls `fn` once per selected stream with entries in [start, end) (streams sorted by labels), with all of
  // that stream's entries in the range in `direction` order. For evaluations that see every entry (metric
  // queries, line filters before a limit). Stops at and returns the first error `fn` returns.
  virtual absl::Status ForEachStream(
      std::span<const Matcher> matchers, TimestampNs start_ns, TimestampNs end_ns, Direction direction,
      absl::FunctionRef<absl::Status(const Labels& labels, std::span<const LogEntryRef> entries)> fn) const = 0;

  // Sorted label names of the selected streams with data overlapping [start, end); empty matchers: all streams.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                              TimestampNs end_ns) const = 0;
  // Sorted values of label `name` over the same streams.
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, std::span<const Matcher> matchers,
                                                               TimestampNs start_ns, TimestampNs end_ns) const = 0;
  // The label sets of the same streams, sorted.
  virtual absl::StatusOr<std::vector<Labels>> Series(std::span<const Matcher> matchers, TimestampNs start_ns,
                                                     TimestampNs end_ns) const = 0;
  // Streams, chunks, entries and line bytes of the selected streams overlapping [start, end) (index/stats).
  virtual absl::StatusOr<LogStats> Stats(std::span<const Matcher> matchers, TimestampNs start_ns,
                                         TimestampNs end_ns) const = 0;
};

// A log store: appenders for ingestion and the querier interface.
class LogStorage : public LogQuerier {
 public:
  // A new appender; it must not outlive the storage.
  virtual std::unique_ptr<LogAppender> NewAppender() = 0;
};

}  // namespace vigil::tsdb::logs

#endif  // VIGIL_TSDB_LOGS_LOG_STORAGE_H_
