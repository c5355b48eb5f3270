#include "query/api/envelope.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::query::api {
namespace {

TEST(EnvelopeTest, ErrorEnvelopeAndStatusCodes) {
  http::Response resp;
  WriteError(InvalidParam("query", "1:5: parse error: unclosed left parenthesis"), &resp);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(resp.body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: )"
            R"(unclosed left parenthesis"})");
  EXPECT_EQ(HttpStatusFor(ErrorType::kExecution), 422);
  EXPECT_EQ(HttpStatusFor(ErrorType::kTimeout), 503);
  EXPECT_EQ(HttpStatusFor(ErrorType::kCanceled), 499);
  EXPECT_EQ(HttpStatusFor(ErrorType::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(ErrorType::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorType::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorType::kNotAcceptable), 406);
}

TEST(EnvelopeTest, EngineStatusMapping) {
  EXPECT_EQ(FromEngineStatus(absl::InvalidArgumentError("x")).type, ErrorType::kBadData);
  EXPECT_EQ(FromEngineStatus(absl::InvalidArgumentError("x")).message, "invalid parameter \"query\": x");
  EXPECT_EQ(FromEngineStatus(absl::DeadlineExceededError("query timed out in expression evaluation")).type,
            ErrorType::kTimeout);
  EXPECT_EQ(FromEngineStatus(absl::CancelledError("c")).type, ErrorType::kCanceled);
  EXPECT_EQ(FromEngineStatus(absl::ResourceExhaustedError("too many samples")).type, ErrorType::kExecution);
  EXPECT_EQ(FromEngineStatus(absl::FailedPreconditionError("many-to-many")).type, ErrorType::kExecution);
  EXPECT_EQ(FromEngineStatus(absl::UnavailableError("disk")).type, ErrorType::kInternal);
  EXPECT_EQ(FromEngineStatus(absl::InternalError("bug")).message, "bug");
}

TEST(EnvelopeTest, SuccessWithWarningsCappedAtTen) {
  http::Response resp;
  std::string* out = BeginSuccess(&resp);
  out->append("[]");
  std::vector<std::string> warnings;
  for (int i = 0; i < 12; ++i) warnings.push_back("w" + std::to_string(i));
  EndSuccess(warnings, {"i<1>"}, &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, R"({"status":"success","data":[],"warnings":["w0","w1","w2","w3","w4","w5","w6","w7","w8","w9",)"
                       R"("2 more warning annotations omitted"],"infos":["i\u003c1\u003e"]})");
  WriteSuccess("{}", &resp);
  EXPECT_EQ(resp.body, R"({"status":"success","data":{}})");
}

}  // namespace
}  // namespace vigil::query::api
