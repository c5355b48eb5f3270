#include "wire/otlp/decode_logs_proto.h"

#include <string>

#include "gtest/gtest.h"
#include "model/labels.h"
#include "wire/otlp/logs_service.pb.h"

namespace vigil::wire::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

void Attr(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* attrs, const std::string& k,
          const std::string& v) {
  auto* kv = attrs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

ExportLogsServiceRequest SampleRequest() {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  Attr(rl->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  Attr(rl->mutable_resource()->mutable_attributes(), "k8s.namespace.name", "shop");
  Attr(rl->mutable_resource()->mutable_attributes(), "host.name", "node-1");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("logback");
  auto* rec = sl->add_log_records();
  rec->set_time_unix_nano(1700000000123456789);
  rec->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR2);
  rec->set_severity_text("ERROR");
  rec->mutable_body()->set_string_value("payment failed");
  Attr(rec->mutable_attributes(), "http.method", "POST");
  rec->set_trace_id(std::string(16, '\x01'));
  rec->set_span_id(std::string(8, '\x02'));
  auto* rec2 = sl->add_log_records();
  rec2->set_observed_time_unix_nano(1700000001000000000);
  auto* kv = rec2->mutable_body()->mutable_kvlist_value()->add_values();
  kv->set_key("user");
  kv->mutable_value()->set_int_value(42);
  return req;
}

TEST(DecodeLogsProtoTest, MapsResourceToStreamAndRecordsToEntries) {
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto(SampleRequest().SerializeAsString());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->streams.size(), 1u);
  EXPECT_EQ(got->entries, 2);
  EXPECT_EQ(got->rejected_log_records, 0);
  const DecodedLogStream& s = got->streams[0];
  EXPECT_EQ(s.labels.ToString(), R"({k8s_namespace_name="shop", service_name="checkout"})");
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].timestamp_ns, 1700000000123456789);
  EXPECT_EQ(s.entries[0].line, "payment failed");
  const Labels& md = s.entries[0].structured_metadata;
  EXPECT_EQ(md.Get("detected_level"), "error");
  EXPECT_EQ(md.Get("severity_text"), "ERROR");
  EXPECT_EQ(md.Get("severity_number"), "18");
  EXPECT_EQ(md.Get("http_method"), "POST");
  EXPECT_EQ(md.Get("host_name"), "node-1");
  EXPECT_EQ(md.Get("scope_name"), "logback");
  EXPECT_EQ(md.Get("trace_id"), "01010101010101010101010101010101");
  EXPECT_EQ(md.Get("span_id"), "0202020202020202");
  // Observed time stands in for a missing time; a map body is written as JSON.
  EXPECT_EQ(s.entries[1].timestamp_ns, 1700000001000000000);
  EXPECT_EQ(s.entries[1].line, R"({"user":42})");
  EXPECT_EQ(s.entries[1].structured_metadata.Get("detected_level"), "");
}

TEST(DecodeLogsProtoTest, NoServiceNameIsUnknownServiceAndResourcesMerge) {
  ExportLogsServiceRequest req;
  for (int i = 0; i < 2; ++i) {
    auto* rl = req.add_resource_logs();
    rl->add_scope_logs()->add_log_records()->mutable_body()->set_string_value("x");
  }
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto(req.SerializeAsString());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->streams.size(), 1u);
  EXPECT_EQ(got->streams[0].labels.ToString(), R"({service_name="unknown_service"})");
  EXPECT_EQ(got->streams[0].entries.size(), 2u);
}

TEST(DecodeLogsProtoTest, WrongLengthIdRejectsOneRecord) {
  ExportLogsServiceRequest req = SampleRequest();
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->set_trace_id("short");
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto(req.SerializeAsString());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->entries, 1);
  EXPECT_EQ(got->rejected_log_records, 1);
  EXPECT_NE(got->rejection_message.find("resource_logs[0].scope_logs[0].log_records[0]"), std::string::npos)
      << got->rejection_message;
}

TEST(DecodeLogsProtoTest, MalformedBytesAreInvalidArgumentWithOffset) {
  std::string body = SampleRequest().SerializeAsString();
  body.resize(body.size() - 3);
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto(body);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("byte"), absl::string_view::npos) << got.status();
  EXPECT_FALSE(DecodeLogsProto("\xff\xff\xff").ok());
}

TEST(DecodeLogsProtoTest, DeepNestingIsRefused) {
  ExportLogsServiceRequest req;
  auto* v = req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body();
  for (int i = 0; i < 20; ++i) v = v->mutable_array_value()->add_values();
  v->set_string_value("deep");
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto(req.SerializeAsString());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested"), absl::string_view::npos) << got.status();
}

TEST(DecodeLogsProtoTest, EmptyRequestHasNoStreams) {
  absl::StatusOr<DecodedLogs> got = DecodeLogsProto("");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->streams.empty());
}

}  // namespace
}  // namespace vigil::wire::otlp
