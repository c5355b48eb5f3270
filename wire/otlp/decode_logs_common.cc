#include "wire/otlp/decode_logs_common.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::wire::otlp {
namespace {

// Loki's default resource attributes stored as index labels.
constexpr std::array<std::string_view, 18> kIndexedResourceAttributes = {"service.name",
                                                                         "service.namespace",
                                                                         "service.instance.id",
                                                                         "deployment.environment",
                                                                         "deployment.environment.name",
                                                                         "cloud.region",
                                                                         "cloud.availability_zone",
                                                                         "k8s.cluster.name",
                                                                         "k8s.namespace.name",
                                                                         "k8s.pod.name",
                                                                         "k8s.container.name",
                                                                         "container.name",
                                                                         "k8s.replicaset.name",
                                                                         "k8s.deployment.name",
                                                                         "k8s.statefulset.name",
                                                                         "k8s.daemonset.name",
                                                                         "k8s.cronjob.name",
                                                                         "k8s.job.name"};

bool IsIndexed(std::string_view key) {
  for (std::string_view k : kIndexedResourceAttributes) {
    if (k == key) return true;
  }
  return false;
}

void AddMetadata(const std::vector<KeyValue>& attributes, std::string_view prefix,
                 std::vector<std::pair<std::string, std::string>>* out) {
  for (const KeyValue& kv : attributes) {
    std::string value = kv.value.ToString();
    if (value.empty()) continue;  // a label value cannot be empty
    out->emplace_back(NormalizeLabelName(absl::StrCat(AV(prefix), AV(kv.key))), std::move(value));
  }
}

}  // namespace

std::string_view DetectedLevel(int severity_number, std::string_view severity_text) {
  if (severity_number >= 1 && severity_number <= 24) {
    static constexpr std::array<std::string_view, 6> kLevels = {"trace", "debug", "info", "warn", "error", "fatal"};
    return kLevels[static_cast<size_t>((severity_number - 1) / 4)];
  }
  const std::string t = absl::AsciiStrToLower(AV(severity_text));
  if (t == "trace") return "trace";
  if (t == "debug" || t == "dbg") return "debug";
  if (t == "info" || t == "information" || t == "notice") return "info";
  if (t == "warn" || t == "warning") return "warn";
  if (t == "error" || t == "err") return "error";
  if (t == "fatal" || t == "critical" || t == "crit" || t == "panic" || t == "emergency" || t == "alert") {
    return "fatal";
  }
  return "";
}

std::string NormalizeLabelName(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  if (!key.empty() && absl::ascii_isdigit(static_cast<unsigned char>(key[0]))) out.push_back('_');
  for (char c : key) out.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  if (out.empty()) out.push_back('_');
  return out;
}

void LogStreamBuilder::SetResource(const std::vector<KeyValue>& attributes) {
  resource_metadata_.clear();
  scope_metadata_.clear();
  builder_.Reset(Labels());
  builder_.Set("service_name", "unknown_service");
  for (const KeyValue& kv : attributes) {
    if (IsIndexed(kv.key)) {
      std::string value = kv.value.ToString();
      if (!value.empty()) builder_.Set(NormalizeLabelName(kv.key), value);
    }
  }
  std::vector<KeyValue> rest;
  for (const KeyValue& kv : attributes) {
    if (!IsIndexed(kv.key)) rest.push_back(kv);
  }
  AddMetadata(rest, "", &resource_metadata_);
  stream_labels_ = builder_.Build();
  auto [it, inserted] = stream_by_labels_.try_emplace(stream_labels_, out_->streams.size());
  if (inserted) out_->streams.push_back({stream_labels_, {}});
  stream_index_ = it->second;
}

void LogStreamBuilder::SetScope(std::string_view name, std::string_view version,
                                const std::vector<KeyValue>& attributes) {
  scope_metadata_.clear();
  if (!name.empty()) scope_metadata_.emplace_back("scope_name", std::string(name));
  if (!version.empty()) scope_metadata_.emplace_back("scope_version", std::string(version));
  AddMetadata(attributes, "scope_", &scope_metadata_);
}

void LogStreamBuilder::Reject(std::string_view where, std::string_view why) {
  if (out_->rejected_log_records++ == 0) out_->rejection_message = absl::StrCat(AV(where), ": ", AV(why));
}

void LogStreamBuilder::AddRecord(LogRecordFields&& record, std::string_view where) {
  auto reject = [&](std::string_view why) { Reject(where, why); };
  if (!record.trace_id.empty() && record.trace_id.size() != 16) {
    return reject(absl::StrCat("trace id of ", record.trace_id.size(), " bytes, want 16"));
  }
  if (!record.span_id.empty() && record.span_id.size() != 8) {
    return reject(absl::StrCat("span id of ", record.span_id.size(), " bytes, want 8"));
  }
  DecodedLogEntry entry;
  const uint64_t t = record.time_unix_nano != 0 ? record.time_unix_nano : record.observed_time_unix_nano;
  entry.timestamp_ns = static_cast<int64_t>(t > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : t);
  entry.line = record.body.type() == AnyValue::Type::kString ? record.body.string_value() : record.body.ToString();
  if (record.body.empty()) entry.line.clear();

  builder_.Reset(Labels());
  for (const auto& [k, v] : resource_metadata_) builder_.Set(k, v);
  for (const auto& [k, v] : scope_metadata_) builder_.Set(k, v);
  for (const KeyValue& kv : record.attributes) {
    std::string value = kv.value.ToString();
    if (!value.empty()) builder_.Set(NormalizeLabelName(kv.key), value);
  }
  if (!record.severity_text.empty()) builder_.Set("severity_text", record.severity_text);
  if (record.severity_number != 0) builder_.Set("severity_number", absl::StrCat(record.severity_number));
  if (std::string_view level = DetectedLevel(record.severity_number, record.severity_text); !level.empty()) {
    builder_.Set("detected_level", level);
  }
  const auto nonzero = [](std::string_view raw) { return raw.find_first_not_of('\0') != std::string_view::npos; };
  if (nonzero(record.trace_id)) {
    std::string hex;
    AppendHex(record.trace_id, &hex);
    builder_.Set("trace_id", hex);
  }
  if (nonzero(record.span_id)) {
    std::string hex;
    AppendHex(record.span_id, &hex);
    builder_.Set("span_id", hex);
  }
  if (!record.event_name.empty()) builder_.Set("event_name", record.event_name);
  entry.structured_metadata = builder_.Build();
  out_->streams[stream_index_].entries.push_back(std::move(entry));
  ++out_->entries;
}

}  // namespace vigil::wire::otlp
