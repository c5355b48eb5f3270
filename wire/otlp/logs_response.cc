#include "wire/otlp/logs_response.h"

#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace vigil::wire::otlp {

std::string ExportLogsResponseBody(Encoding encoding, int64_t rejected_log_records, std::string_view error_message) {
  const bool partial = rejected_log_records != 0 || !error_message.empty();
  if (encoding == Encoding::kProtobuf || !partial) {
    return ExportTraceResponseBody(encoding, rejected_log_records, error_message);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("partialSuccess");
  w.StartObject();
  w.Key("rejectedLogRecords");
  w.String(absl::StrCat(rejected_log_records));
  w.Key("errorMessage");
  w.String(error_message.data(), static_cast<rapidjson::SizeType>(error_message.size()));
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace vigil::wire::otlp
