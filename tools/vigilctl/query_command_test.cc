#include "tools/vigilctl/query_command.h"

#include "base/http/fake_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::vigilctl {
namespace {

using ::testing::HasSubstr;

TEST(QueryCommandTest, InstantVectorTable) {
  http::FakeClient client;
  client.AddResponse(200, R"({"status":"success","data":{"resultType":"vector","result":[)"
                          R"({"metric":{"__name__":"up","job":"node"},"value":[1700000000.5,"1"]},)"
                          R"({"metric":{"job":"api"},"value":[1700000000.5,"NaN"]}]},"warnings":["careful"]})");
  QueryArgs args;
  args.expr = "up + 0";
  args.url = "http://store:9201/";
  args.time = "1700000000.5";
  absl::StatusOr<std::string> out = RunQuery(&client, args);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "LABELS          TIME                      VALUE\n"
            "up{job=\"node\"}  2023-11-14T22:13:20.500Z  1\n"
            "{job=\"api\"}     2023-11-14T22:13:20.500Z  NaN\n"
            "warning: careful\n");
  ASSERT_EQ(client.requests().size(), 1u);
  EXPECT_EQ(client.requests()[0].method, "POST");
  EXPECT_EQ(client.requests()[0].url, "http://store:9201/api/v1/query");
  EXPECT_EQ(client.requests()[0].body, "query=up+%2B+0&time=1700000000.5");
}

TEST(QueryCommandTest, RangeMatrixAndScalar) {
  http::FakeClient client;
  client.AddResponse(200, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                          R"({"metric":{"__name__":"up"},"values":[[1700000000,"1"],[1700000015,"2"]]}]}})");
  QueryArgs args;
  args.expr = "up";
  args.url = "http://s";
  args.range = true;
  args.start = "1700000000";
  args.end = "1700000015";
  args.step = "15s";
  absl::StatusOr<std::string> out = RunQuery(&client, args);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "LABELS  TIME                      VALUE\n"
            "up      2023-11-14T22:13:20.000Z  1\n"
            "up      2023-11-14T22:13:35.000Z  2\n");
  EXPECT_EQ(client.requests()[0].url, "http://s/api/v1/query_range");
  EXPECT_EQ(client.requests()[0].body, "query=up&start=1700000000&end=1700000015&step=15s");
  EXPECT_THAT(*FormatQueryResponse(R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})"),
              HasSubstr("scalar  1970-01-01T00:00:04.000Z  2"));
}

TEST(QueryCommandTest, ErrorsCarryTheServersText) {
  http::FakeClient client;
  client.AddResponse(400, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": x"})");
  client.AddResponse(502, "<html>bad gateway</html>");
  client.AddError(absl::UnavailableError("connection refused"));
  QueryArgs args;
  args.expr = "sum(";
  args.url = "http://s";
  absl::StatusOr<std::string> out = RunQuery(&client, args);
  EXPECT_EQ(out.status().message(), "bad_data: invalid parameter \"query\": x");
  out = RunQuery(&client, args);
  EXPECT_THAT(out.status().message(), HasSubstr("HTTP 502"));
  out = RunQuery(&client, args);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(FormatQueryResponse(R"({"status":"success","data":{}})").ok());
}

}  // namespace
}  // namespace vigil::vigilctl
