#include "wire/otlp/decode_logs_json.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace vigil::wire::otlp {
namespace {

using internal::AssignBoundedBytes;
using internal::AssignBoundedUtf8;
using Value = rapidjson::Value;

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// A short rendering of a JSON value for error messages.
std::string Show(const Value& v) {
  if (v.IsString()) {
    std::string_view s = Str(v);
    const bool cut = s.size() > 64;
    return absl::StrCat("\"", absl::CEscape(AV(s.substr(0, 64))), cut ? "\"..." : "\"");
  }
  if (v.IsNumber()) return v.IsInt64() ? absl::StrCat(v.GetInt64()) : absl::StrCat(v.GetDouble());
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsBool()) return "a boolean";
  return "null";
}

class LogsJsonDecoder {
 public:
  LogsJsonDecoder(const DecodeLimits& limits, DecodedLogs* out) : limits_(limits), builder_(out) {}

  absl::Status Request(const Value& doc) {
    if (!doc.IsObject()) return Bad("request", doc, "an object");
    const Value* rls = Member(doc, "resourceLogs");
    if (rls == nullptr) return absl::OkStatus();
    if (!rls->IsArray()) return Bad("resourceLogs", *rls, "an array");
    for (rapidjson::SizeType i = 0; i < rls->Size(); ++i) {
      VIGIL_RETURN_IF_ERROR(ResourceLogs((*rls)[i], absl::StrCat("resourceLogs[", i, "]")));
    }
    return absl::OkStatus();
  }

 private:
  static const Value* Member(const Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  static absl::Status Bad(std::string_view path, const Value& v, std::string_view want) {
    return absl::InvalidArgumentError(absl::StrCat(AV(path), ": want ", AV(want), ", got ", Show(v)));
  }

  absl::Status ResourceLogs(const Value& rl, const std::string& path) {
    if (!rl.IsObject()) return Bad(path, rl, "an object");
    std::vector<KeyValue> attrs;
    if (const Value* res = Member(rl, "resource")) {
      if (!res->IsObject()) return Bad(path + ".resource", *res, "an object");
      VIGIL_RETURN_IF_ERROR(Attributes(*res, path + ".resource", &attrs));
    }
    builder_.SetResource(attrs);
    const Value* sls = Member(rl, "scopeLogs");
    if (sls == nullptr) return absl::OkStatus();
    if (!sls->IsArray()) return Bad(path + ".scopeLogs", *sls, "an array");
    for (rapidjson::SizeType i = 0; i < sls->Size(); ++i) {
      VIGIL_RETURN_IF_ERROR(ScopeLogs((*sls)[i], absl::StrCat(path, ".scopeLogs[", i, "]")));
    }
    return absl::OkStatus();
  }

  absl::Status ScopeLogs(const Value& sl, const std::string& path) {
    if (!sl.IsObject()) return Bad(path, sl, "an object");
    std::string name, version;
    std::vector<KeyValue> attrs;
    if (const Value* scope = Member(sl, "scope")) {
      if (!scope->IsObject()) return Bad(path + ".scope", *scope, "an object");
      VIGIL_RETURN_IF_ERROR(String(*scope, "name", path + ".scope", &name));
      VIGIL_RETURN_IF_ERROR(String(*scope, "version", path + ".scope", &version));
      VIGIL_RETURN_IF_ERROR(Attributes(*scope, path + ".scope", &attrs));
    }
    builder_.SetScope(name, version, attrs);
    const Value* records = Member(sl, "logRecords");
    if (records == nullptr) return absl::OkStatus();
    if (!records->IsArray()) return Bad(path + ".logRecords", *records, "an array");
    for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
      const std::string where = absl::StrCat(path, ".logRecords[", i, "]");
      LogRecordFields rec;
      std::string bad_id;
      VIGIL_RETURN_IF_ERROR(LogRecord((*records)[i], where, &rec, &bad_id));
      if (!bad_id.empty()) {
        builder_.Reject(where, bad_id);
        continue;
      }
      builder_.AddRecord(std::move(rec), where);
    }
    return absl::OkStatus();
  }

  absl::Status LogRecord(const Value& r, const std::string& path, LogRecordFields* rec, std::string* bad_id) {
    if (!r.IsObject()) return Bad(path, r, "an object");
    VIGIL_RETURN_IF_ERROR(Uint64(r, "timeUnixNano", path, &rec->time_unix_nano));
    VIGIL_RETURN_IF_ERROR(Uint64(r, "observedTimeUnixNano", path, &rec->observed_time_unix_nano));
    if (const Value* sev = Member(r, "severityNumber")) {
      if (sev->IsInt()) {
        rec->severity_number = sev->GetInt();
      } else if (sev->IsString() && Str(*sev).starts_with("SEVERITY_NUMBER_")) {
        rec->severity_number = SeverityFromName(Str(*sev).substr(16));
        if (rec->severity_number < 0) return Bad(path + ".severityNumber", *sev, "a SeverityNumber");
      } else {
        return Bad(path + ".severityNumber", *sev, "an integer or a SeverityNumber name");
      }
    }
    VIGIL_RETURN_IF_ERROR(String(r, "severityText", path, &rec->severity_text));
    VIGIL_RETURN_IF_ERROR(String(r, "eventName", path, &rec->event_name));
    if (const Value* body = Member(r, "body"))
      VIGIL_RETURN_IF_ERROR(AnyValueJson(*body, path + ".body", &rec->body, 0));
    VIGIL_RETURN_IF_ERROR(Attributes(r, path, &rec->attributes));
    if (const Value* id = Member(r, "traceId"); id != nullptr) {
      if (!id->IsString()) return Bad(path + ".traceId", *id, "a hex string");
      if (id->GetStringLength() > 0) {
        absl::StatusOr<TraceId> parsed = TraceId::FromHex(Str(*id));
        if (parsed.ok()) {
          rec->trace_id = std::string(parsed->View());
        } else {
          *bad_id = absl::StrCat("traceId: ", AV(SV(parsed.status().message())));
        }
      }
    }
    if (const Value* id = Member(r, "spanId"); id != nullptr) {
      if (!id->IsString()) return Bad(path + ".spanId", *id, "a hex string");
      if (id->GetStringLength() > 0) {
        absl::StatusOr<SpanId> parsed = SpanId::FromHex(Str(*id));
        if (parsed.ok()) {
          rec->span_id = std::string(parsed->View());
        } else if (bad_id->empty()) {
          *bad_id = absl::StrCat("spanId: ", AV(SV(parsed.status().message())));
        }
      }
    }
    return absl::OkStatus();
  }

  static int SeverityFromName(std::string_view name) {
    static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    if (name == "UNSPECIFIED") return 0;
    for (int i = 0; i < 6; ++i) {
      if (!name.starts_with(kLevels[i])) continue;
      std::string_view rest = name.substr(kLevels[i].size());
      if (rest.empty()) return 4 * i + 1;
      if (rest.size() == 1 && rest[0] >= '2' && rest[0] <= '4') return 4 * i + (rest[0] - '0');
    }
    return -1;
  }

  absl::Status String(const Value& obj, const char* key, const std::string& path, std::string* out) {
    const Value* v = Member(obj, key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->IsString()) return Bad(absl::StrCat(path, ".", key), *v, "a string");
    AssignBoundedUtf8(Str(*v), limits_.max_value_bytes, out);
    return absl::OkStatus();
  }

  static absl::Status Uint64(const Value& obj, const char* key, const std::string& path, uint64_t* out) {
    const Value* v = Member(obj, key);
    if (v == nullptr) return absl::OkStatus();
    if (v->IsUint64()) {
      *out = v->GetUint64();
      return absl::OkStatus();
    }
    if (v->IsString() && absl::SimpleAtoi(AV(Str(*v)), out)) return absl::OkStatus();
    return Bad(absl::StrCat(path, ".", key), *v, "an unsigned 64-bit integer (decimal string or number)");
  }

  absl::Status Attributes(const Value& obj, const std::string& path, std::vector<KeyValue>* out) {
    const Value* attrs = Member(obj, "attributes");
    if (attrs == nullptr) return absl::OkStatus();
    if (!attrs->IsArray()) return Bad(path + ".attributes", *attrs, "an array");
    for (rapidjson::SizeType i = 0; i < attrs->Size() && out->size() < limits_.max_attributes; ++i) {
      out->emplace_back();
      VIGIL_RETURN_IF_ERROR(KeyValueJson((*attrs)[i], absl::StrCat(path, ".attributes[", i, "]"), &out->back(), 0));
    }
    return absl::OkStatus();
  }

  absl::Status KeyValueJson(const Value& kv, const std::string& path, KeyValue* out, int depth) {
    if (!kv.IsObject()) return Bad(path, kv, "an object");
    VIGIL_RETURN_IF_ERROR(String(kv, "key", path, &out->key));
    if (const Value* v = Member(kv, "value"))
      VIGIL_RETURN_IF_ERROR(AnyValueJson(*v, path + ".value", &out->value, depth));
    return absl::OkStatus();
  }

  absl::Status AnyValueJson(const Value& v, const std::string& path, AnyValue* out, int depth) {
    if (!v.IsObject()) return Bad(path, v, "an AnyValue object");
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string_view key = Str(it->name);
      const Value& val = it->value;
      if (val.IsNull()) continue;
      const std::string where = absl::StrCat(path, ".", AV(key));
      if (key == "stringValue") {
        if (!val.IsString()) return Bad(where, val, "a string");
        AssignBoundedUtf8(Str(val), limits_.max_value_bytes, out->mutable_string(AnyValue::Type::kString));
      } else if (key == "boolValue") {
        if (!val.IsBool()) return Bad(where, val, "a boolean");
        out->set_bool(val.GetBool());
      } else if (key == "intValue") {
        int64_t i = 0;
        if (val.IsInt64()) {
          i = val.GetInt64();
        } else if (!val.IsString() || !absl::SimpleAtoi(AV(Str(val)), &i)) {
          return Bad(where, val, "a 64-bit integer (decimal string or number)");
        }
        out->set_int(i);
      } else if (key == "doubleValue") {
        double d = 0;
        if (val.IsNumber()) {
          d = val.GetDouble();
        } else if (val.IsString() && Str(val) == "NaN") {
          d = std::numeric_limits<double>::quiet_NaN();
        } else if (val.IsString() && Str(val) == "Infinity") {
          d = std::numeric_limits<double>::infinity();
        } else if (val.IsString() && Str(val) == "-Infinity") {
          d = -std::numeric_limits<double>::infinity();
        } else if (!val.IsString() || !absl::SimpleAtod(AV(Str(val)), &d)) {
          return Bad(where, val, "a number");
        }
        out->set_double(d);
      } else if (key == "bytesValue") {
        std::string raw;
        if (!val.IsString() ||
            (!absl::Base64Unescape(AV(Str(val)), &raw) && !absl::WebSafeBase64Unescape(AV(Str(val)), &raw))) {
          return Bad(where, val, "a base64 string");
        }
        AssignBoundedBytes(raw, limits_.max_value_bytes, out->mutable_string(AnyValue::Type::kBytes));
      } else if (key == "arrayValue" || key == "kvlistValue") {
        if (depth + 1 > limits_.max_value_depth) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": nested more than ", limits_.max_value_depth, " levels deep"));
        }
        if (!val.IsObject()) return Bad(where, val, "an object");
        const bool is_array = key == "arrayValue";
        std::vector<KeyValue>* children =
            out->mutable_children(is_array ? AnyValue::Type::kArray : AnyValue::Type::kKvList);
        const Value* values = Member(val, "values");
        if (values == nullptr) continue;
        if (!values->IsArray()) return Bad(where + ".values", *values, "an array");
        for (rapidjson::SizeType i = 0; i < values->Size() && children->size() < limits_.max_attributes; ++i) {
          children->emplace_back();
          const std::string item = absl::StrCat(where, ".values[", i, "]");
          VIGIL_RETURN_IF_ERROR(is_array ? AnyValueJson((*values)[i], item, &children->back().value, depth + 1)
                                         : KeyValueJson((*values)[i], item, &children->back(), depth + 1));
        }
      }
    }
    return absl::OkStatus();
  }

  const DecodeLimits& limits_;
  LogStreamBuilder builder_;
};

}  // namespace

absl::StatusOr<DecodedLogs> DecodeLogsJson(std::string_view body, const DecodeLimits& limits) {
  rapidjson::Document doc;
  // Iterative parsing: deeply nested input must not recurse the stack away.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON at byte ", doc.GetErrorOffset(), ": ",
                                                   rapidjson::GetParseError_En(doc.GetParseError())));
  }
  DecodedLogs out;
  LogsJsonDecoder decoder(limits, &out);
  VIGIL_RETURN_IF_ERROR(decoder.Request(doc));
  return out;
}

}  // namespace vigil::wire::otlp
