#include "wire/otlp/export_response.h"

#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "wire/otlp/rpc_status.pb.h"
#include "wire/otlp/trace_service.pb.h"

namespace vigil::wire::otlp {
namespace {

TEST(ExportResponseTest, FullSuccessLeavesPartialSuccessUnset) {
  EXPECT_EQ(ExportTraceResponseBody(Encoding::kProtobuf, 0, ""), "");
  EXPECT_EQ(ExportTraceResponseBody(Encoding::kJson, 0, ""), "{}");
}

TEST(ExportResponseTest, PartialSuccessProtobuf) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(ExportTraceResponseBody(Encoding::kProtobuf, 3, "why")));
  ASSERT_TRUE(resp.has_partial_success());
  EXPECT_EQ(resp.partial_success().rejected_spans(), 3);
  EXPECT_EQ(resp.partial_success().error_message(), "why");
}

TEST(ExportResponseTest, PartialSuccessJson) {
  EXPECT_EQ(ExportTraceResponseBody(Encoding::kJson, 3, "a \"b\""),
            R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"a \"b\""}})");
}

TEST(ExportResponseTest, RpcStatusBothEncodings) {
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(RpcStatusBody(Encoding::kProtobuf, kRpcInvalidArgument, "bad")));
  EXPECT_EQ(status.code(), 3);
  EXPECT_EQ(status.message(), "bad");
  rapidjson::Document doc;
  doc.Parse(RpcStatusBody(Encoding::kJson, kRpcUnavailable, "later").c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["code"].GetInt(), 14);
  EXPECT_STREQ(doc["message"].GetString(), "later");
  EXPECT_EQ(ContentType(Encoding::kJson), "application/json");
  EXPECT_EQ(ContentType(Encoding::kProtobuf), "application/x-protobuf");
}

}  // namespace
}  // namespace vigil::wire::otlp
