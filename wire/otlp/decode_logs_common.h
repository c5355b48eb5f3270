// What the OTLP log decoders (protobuf and JSON) share: the Loki-style streams they produce and the mapping from
// OTLP's resource / scope / record model to stream labels, structured metadata and a line, as Loki's own OTLP
// ingestion maps them (so LogQL written for Loki finds the same labels):
//
//   - stream labels: the resource attributes Loki indexes by default (service.name, service.namespace,
//     service.instance.id, deployment.environment[.name], cloud.region, cloud.availability_zone, k8s.cluster.name,
//     k8s.namespace.name, k8s.pod.name, k8s.container.name, container.name, k8s.replicaset.name,
//     k8s.deployment.name, k8s.statefulset.name, k8s.daemonset.name, k8s.cronjob.name, k8s.job.name), dots and
//     other characters invalid in a label name turned into underscores; service_name="unknown_service" when the
//     resource has no service.name;
//   - structured metadata: every other resource attribute, the scope's name/version/attributes (scope_name,
//     scope_version, ...), the record's attributes, severity_text, severity_number, trace_id and span_id (hex),
//     event_name, and detected_level (trace, debug, info, warn, error, fatal) from the severity;
//   - line: the body if it is a string, otherwise its AnyValue::ToString() (JSON for maps and arrays);
//   - timestamp: time_unix_nano, else observed_time_unix_nano, else 0 (the caller stamps those with its clock).
#ifndef VIGIL_WIRE_OTLP_DECODE_LOGS_COMMON_H_
#define VIGIL_WIRE_OTLP_DECODE_LOGS_COMMON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "model/labels.h"
#include "model/span.h"
#include "wire/otlp/decode_common.h"

namespace vigil::wire::otlp {

// One log entry of a stream.
struct DecodedLogEntry {
  int64_t timestamp_ns = 0;  // 0: the record had neither time nor observed time
  std::string line;
  Labels structured_metadata;
};

// The entries of one label set, in request order.
struct DecodedLogStream {
  Labels labels;
  std::vector<DecodedLogEntry> entries;
};

// The log records of one request as streams.
struct DecodedLogs {
  std::vector<DecodedLogStream> streams;
  // Entries over all streams.
  int64_t entries = 0;
  // Records dropped as invalid (a trace or span id of the wrong length): OTLP's partial success.
  int64_t rejected_log_records = 0;
  // Why the first rejected record was rejected, with its position; empty if none was.
  std::string rejection_message;
};

// A log record's fields as decoded, before mapping.
struct LogRecordFields {
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  int severity_number = 0;
  std::string severity_text;
  AnyValue body;
  std::vector<KeyValue> attributes;
  std::string trace_id;  // raw bytes: empty or 16
  std::string span_id;   // raw bytes: empty or 8
  std::string event_name;
};

// "trace", "debug", "info", "warn", "error", "fatal" for a severity number of 1-24 (OTLP's ranges), else from the
// severity text (case-insensitive: "warning" is warn, "err" error, "critical"/"crit" fatal...), else "".
std::string_view DetectedLevel(int severity_number, std::string_view severity_text);

// `key` as a label name: characters other than [a-zA-Z0-9_] become '_', a leading digit gets a '_' prefix.
std::string NormalizeLabelName(std::string_view key);

// Maps records to streams. Feed it one ResourceLogs at a time: SetResource, then per ScopeLogs SetScope and the
// records. Not thread-safe; one per request.
class LogStreamBuilder {
 public:
  explicit LogStreamBuilder(DecodedLogs* out) : out_(out) {}

  // Starts a resource: its index labels and the rest of its attributes as metadata.
  void SetResource(const std::vector<KeyValue>& attributes);
  // Starts a scope of the current resource.
  void SetScope(std::string_view name, std::string_view version, const std::vector<KeyValue>& attributes);
  // Adds one record of the current scope, or counts it rejected (`where` names its position).
  void AddRecord(LogRecordFields&& record, std::string_view where);
  // Counts a record rejected for `why` (OTLP partial success); the first reason is kept.
  void Reject(std::string_view where, std::string_view why);

 private:
  DecodedLogs* out_;
  Labels stream_labels_;
  size_t stream_index_ = 0;
  std::vector<std::pair<std::string, std::string>> resource_metadata_;
  std::vector<std::pair<std::string, std::string>> scope_metadata_;
  absl::flat_hash_map<Labels, size_t> stream_by_labels_;
  LabelsBuilder builder_;
};

}  // namespace vigil::wire::otlp

#endif  // VIGIL_WIRE_OTLP_DECODE_LOGS_COMMON_H_
