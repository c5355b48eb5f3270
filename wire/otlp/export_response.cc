#include "wire/otlp/export_response.h"

#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "wire/otlp/rpc_status.pb.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::wire::otlp {

std::string_view ContentType(Encoding encoding) {
  return encoding == Encoding::kJson ? "application/json" : "application/x-protobuf";
}

std::string ExportTraceResponseBody(Encoding encoding, int64_t rejected_spans, std::string_view error_message) {
  const bool partial = rejected_spans != 0 || !error_message.empty();
  if (encoding == Encoding::kProtobuf) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
    if (partial) {
      resp.mutable_partial_success()->set_rejected_spans(rejected_spans);
      resp.mutable_partial_success()->set_error_message(std::string(error_message));
    }
    return resp.SerializeAsString();
  }
  if (!partial) return "{}";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("partialSuccess");
  w.StartObject();
  w.Key("rejectedSpans");
  w.String(absl::StrCat(rejected_spans));
  w.Key("errorMessage");
  w.String(error_message.data(), static_cast<rapidjson::SizeType>(error_message.size()));
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string RpcStatusBody(Encoding encoding, int rpc_code, std::string_view message) {
  if (encoding == Encoding::kProtobuf) {
    google::rpc::Status status;
    status.set_code(rpc_code);
    status.set_message(std::string(message));
    return status.SerializeAsString();
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("code");
  w.Int(rpc_code);
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace vigil::wire::otlp
