#include "wire/otlp/export_response.h"

#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "wire/otlp/proto_writer.h"

namespace vigil::wire::otlp {

std::string_view ContentType(Encoding encoding) {
  return encoding == Encoding::kJson ? "application/json" : "application/x-protobuf";
}

std::string ExportTraceResponseBody(Encoding encoding, int64_t rejected_spans, std::string_view error_message) {
  const bool partial = rejected_spans != 0 || !error_message.empty();
  if (encoding == Encoding::kProtobuf) {
    // ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 { int64 rejected_spans = 1;
    // string error_message = 2; } }
    std::string out;
    if (partial) {
      const uint64_t rejected = static_cast<uint64_t>(rejected_spans);
      proto::Writer w(&out);
      w.Header(1, proto::OptVarint(1, rejected) + proto::OptBytes(2, error_message));
      w.OptVarint(1, rejected);
      w.OptBytes(2, error_message);
    }
    return out;
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
    // google.rpc.Status { int32 code = 1; string message = 2; } (an int32 is sign-extended to 64 bits).
    std::string out;
    proto::Writer w(&out);
    w.OptVarint(1, static_cast<uint64_t>(static_cast<int64_t>(rpc_code)));
    w.OptBytes(2, message);
    return out;
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
