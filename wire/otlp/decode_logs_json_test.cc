#include "wire/otlp/decode_logs_json.h"

#include <string>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "wire/otlp/decode_logs_proto.h"
#include "wire/otlp/logs_response.h"
#include "wire/otlp/logs_service.pb.h"

namespace vigil::wire::otlp {
namespace {

constexpr char kRequest[] = R"({"resourceLogs":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},
                            {"key":"k8s.pod.name","value":{"stringValue":"checkout-7d9"}},
                            {"key":"host.name","value":{"stringValue":"node-1"}}]},
  "scopeLogs":[{"scope":{"name":"logback","version":"1.4"},
    "logRecords":[
      {"timeUnixNano":"1700000000123456789","severityNumber":"SEVERITY_NUMBER_WARN","severityText":"WARNING",
       "body":{"stringValue":"slow payment"},
       "attributes":[{"key":"retry","value":{"intValue":"3"}}],
       "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
      {"observedTimeUnixNano":1700000001000000000,"severityNumber":17,
       "body":{"arrayValue":{"values":[{"stringValue":"a"},{"boolValue":true}]}}},
      {"timeUnixNano":"1","traceId":"not-hex","body":{"stringValue":"dropped"}}
    ]}]}]})";

TEST(DecodeLogsJsonTest, DecodesStreamsEntriesAndMetadata) {
  absl::StatusOr<DecodedLogs> got = DecodeLogsJson(kRequest);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->streams.size(), 1u);
  EXPECT_EQ(got->streams[0].labels.ToString(), R"({k8s_pod_name="checkout-7d9", service_name="checkout"})");
  ASSERT_EQ(got->streams[0].entries.size(), 2u);
  const DecodedLogEntry& e = got->streams[0].entries[0];
  EXPECT_EQ(e.timestamp_ns, 1700000000123456789);
  EXPECT_EQ(e.line, "slow payment");
  EXPECT_EQ(e.structured_metadata.Get("detected_level"), "warn");
  EXPECT_EQ(e.structured_metadata.Get("retry"), "3");
  EXPECT_EQ(e.structured_metadata.Get("scope_version"), "1.4");
  EXPECT_EQ(e.structured_metadata.Get("trace_id"), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(e.structured_metadata.Get("span_id"), "eee19b7ec3c1b174");
  const DecodedLogEntry& e2 = got->streams[0].entries[1];
  EXPECT_EQ(e2.timestamp_ns, 1700000001000000000);
  EXPECT_EQ(e2.line, R"(["a",true])");
  EXPECT_EQ(e2.structured_metadata.Get("detected_level"), "error");
  // The record with a bad trace id is rejected alone.
  EXPECT_EQ(got->rejected_log_records, 1);
  EXPECT_NE(got->rejection_message.find("resourceLogs[0].scopeLogs[0].logRecords[2]"), std::string::npos)
      << got->rejection_message;
}

TEST(DecodeLogsJsonTest, SameStreamsAsProtobuf) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  // The proto3 JSON parser reads ids as base64; drop the bad record and the ids for this comparison.
  const std::string json = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"a"}}]},"scopeLogs":[{"logRecords":[
      {"timeUnixNano":"5","severityText":"info","body":{"kvlistValue":{"values":[
        {"key":"k","value":{"doubleValue":1.5}}]}},"attributes":[{"key":"x.y","value":{"boolValue":false}}]}]}]}]})";
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &req).ok());
  absl::StatusOr<DecodedLogs> from_json = DecodeLogsJson(json);
  absl::StatusOr<DecodedLogs> from_proto = DecodeLogsProto(req.SerializeAsString());
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  ASSERT_TRUE(from_proto.ok()) << from_proto.status();
  ASSERT_EQ(from_json->streams.size(), 1u);
  ASSERT_EQ(from_proto->streams.size(), 1u);
  EXPECT_EQ(from_json->streams[0].labels, from_proto->streams[0].labels);
  ASSERT_EQ(from_json->streams[0].entries.size(), 1u);
  ASSERT_EQ(from_proto->streams[0].entries.size(), 1u);
  EXPECT_EQ(from_json->streams[0].entries[0].line, from_proto->streams[0].entries[0].line);
  EXPECT_EQ(from_json->streams[0].entries[0].line, R"({"k":1.5})");
  EXPECT_EQ(from_json->streams[0].entries[0].structured_metadata,
            from_proto->streams[0].entries[0].structured_metadata);
  EXPECT_EQ(from_json->streams[0].entries[0].structured_metadata.Get("x_y"), "false");
}

TEST(DecodeLogsJsonTest, MalformedInputNamesWhere) {
  struct Case {
    const char* body;
    const char* want;
  } cases[] = {
      {"{", "malformed JSON at byte"},
      {"[]", "request: want an object"},
      {R"({"resourceLogs":{}})", "resourceLogs: want an array"},
      {R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]})",
       "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano"},
      {R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]})", "severityNumber"},
      {R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"bytesValue":"%%%"}}]}]}]})", "body.bytesValue"},
      {R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"plain"}]}]}]})", "body: want an AnyValue object"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DecodedLogs> got = DecodeLogsJson(c.body);
    ASSERT_FALSE(got.ok()) << c.body;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(c.want), absl::string_view::npos) << got.status();
  }
}

TEST(DecodeLogsJsonTest, ResponseBodies) {
  EXPECT_EQ(ExportLogsResponseBody(Encoding::kJson, 0, ""), "{}");
  EXPECT_EQ(ExportLogsResponseBody(Encoding::kJson, 2, "bad"),
            R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad"}})");
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(ExportLogsResponseBody(Encoding::kProtobuf, 3, "why")));
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 3);
  EXPECT_EQ(resp.partial_success().error_message(), "why");
  EXPECT_TRUE(ExportLogsResponseBody(Encoding::kProtobuf, 0, "").empty());
}

}  // namespace
}  // namespace vigil::wire::otlp
