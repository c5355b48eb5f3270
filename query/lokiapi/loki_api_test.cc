// The Loki API as Grafana sees it over a socket: contract.md section 7 items 5 (health) and 6 (logs, with and
// without categorize-labels), metric results, metadata endpoints and the error answers.
#include "query/lokiapi/loki_api.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "base/http/server.h"
#include "gtest/gtest.h"
#include "query/logengine/test_data.h"
#include "query/logengine/test_store.h"
#include "rapidjson/document.h"

namespace vigil::lokiapi {
namespace {

using logengine::S;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::string Escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

class LokiApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logengine::FillTestStore(&store_);
    LokiApiDeps deps;
    deps.querier = store_.store();
    deps.clock = &clock_;
    RegisterLokiApi(&server_, std::move(deps));
    ASSERT_TRUE(server_.Start().ok());
    base_ = absl::StrCat("http://127.0.0.1:", server_.port());
  }
  void TearDown() override { server_.Shutdown(absl::Seconds(5)); }

  http::ClientResponse Get(const std::string& target, const http::HeaderList& headers = {}) {
    auto r = client_.Get(base_ + target, headers, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }
  rapidjson::Document Json(const http::ClientResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    return d;
  }
  std::string RangeTarget(std::string_view query) {
    return absl::StrCat("/loki/api/v1/query_range?query=", Escape(query), "&direction=backward&limit=1000&start=", S(0),
                        "&end=", S(10), "&step=15000ms");
  }

  logengine::TestLogStore store_;
  FakeClock clock_{absl::FromUnixSeconds(logengine::kBaseSeconds + 10)};
  http::Server server_{http::ServerOptions{.listen_address = "127.0.0.1:0", .access_log = false}};
  http::HttplibClient client_;
  std::string base_;
};

// contract.md §7.5 / §2.5: Grafana's Save & test.
TEST_F(LokiApiTest, HealthCheckQuery) {
  http::ClientResponse r = Get("/loki/api/v1/query?query=vector(1)%2Bvector(1)&direction=backward&time=4000000000");
  ASSERT_EQ(r.status, 200) << r.body;
  // Loki reads time=4000000000 as seconds (integers up to 1e10 are seconds); Grafana only checks the value.
  EXPECT_PRED2(StartsWith, r.body,
               R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[4000000000,"2"]}],)"
               R"("stats")");
  rapidjson::Document d = Json(r);
  ASSERT_TRUE(d["data"]["stats"]["summary"].IsObject());
  EXPECT_TRUE(d["data"]["stats"]["querier"]["store"]["chunk"]["decompressedLines"].IsUint64());
}

// contract.md §7.6: a log query, newest first, ns timestamps as strings.
TEST_F(LokiApiTest, LogQueryStreamsNewestFirst) {
  http::ClientResponse r = Get(RangeTarget(R"({app="x"}|="err")"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type").substr(0, 16), "application/json");
  rapidjson::Document d = Json(r);
  EXPECT_STREQ(d["status"].GetString(), "success");
  EXPECT_STREQ(d["data"]["resultType"].GetString(), "streams");
  EXPECT_FALSE(d["data"].HasMember("encodingFlags"));
  const auto& result = d["data"]["result"];
  ASSERT_EQ(result.Size(), 1u);
  EXPECT_STREQ(result[0]["stream"]["app"].GetString(), "x");
  EXPECT_STREQ(result[0]["stream"]["env"].GetString(), "prod");
  const auto& values = result[0]["values"];
  ASSERT_EQ(values.Size(), 2u);
  ASSERT_EQ(values[0].Size(), 2u);
  EXPECT_STREQ(values[0][0].GetString(), absl::StrCat(S(4)).c_str());
  EXPECT_EQ(std::string(values[0][0].GetString()).size(), 19u);
  EXPECT_STREQ(values[0][1].GetString(), "level=error latency=40 msg=boom");
  EXPECT_STREQ(values[1][0].GetString(), absl::StrCat(S(2)).c_str());
  EXPECT_EQ(d["data"]["stats"]["summary"]["totalEntriesReturned"].GetUint64(), 2u);
}

// contract.md §7.6 with X-Loki-Response-Encoding-Flags: categorize-labels.
TEST_F(LokiApiTest, CategorizedLabelsAreThreeTuples) {
  http::ClientResponse r = Get(RangeTarget(R"({app=~"x|y"} | json | __error__="")"),
                               {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = Json(r);
  ASSERT_TRUE(d["data"]["encodingFlags"].IsArray());
  EXPECT_STREQ(d["data"]["encodingFlags"][0].GetString(), "categorize-labels");
  const auto& result = d["data"]["result"];
  ASSERT_GE(result.Size(), 1u);
  bool saw_y = false;
  for (const auto& stream : result.GetArray()) {
    for (const auto& v : stream["values"].GetArray()) {
      ASSERT_EQ(v.Size(), 3u);
      ASSERT_TRUE(v[2].IsObject());
    }
    if (std::string(stream["stream"]["app"].GetString()) == "y") {
      saw_y = true;
      EXPECT_EQ(stream["stream"].MemberCount(), 1u);
      const auto& cat = stream["values"][0][2];
      EXPECT_STREQ(cat["structuredMetadata"]["trace_id"].GetString(), "abc");
      EXPECT_STREQ(cat["parsed"]["level"].GetString(), "error");
    }
  }
  EXPECT_TRUE(saw_y);
}

TEST_F(LokiApiTest, MetricRangeQueryIsMatrix) {
  http::ClientResponse r =
      Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"(sum(count_over_time({app="x"}[2s])))"),
                       "&start=", S(2), "&end=", S(6), "&step=2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_PRED2(StartsWith, r.body,
               R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000002,"3"],)"
               R"([1700000004,"3"],[1700000006,"1"]]}],"stats")")
      << r.body;
}

TEST_F(LokiApiTest, InstantMetricQueryAtRfc3339Time) {
  http::ClientResponse r = Get(absl::StrCat("/loki/api/v1/query?query=", Escape(R"(count_over_time({app="x"}[5s]))"),
                                            "&time=2023-11-14T22:13:25Z"));
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = Json(r);
  ASSERT_EQ(d["data"]["result"].Size(), 2u);
  EXPECT_EQ(d["data"]["result"][1]["value"][0].GetDouble(), 1700000005.0);
  EXPECT_STREQ(d["data"]["result"][1]["value"][1].GetString(), "5");
}

TEST_F(LokiApiTest, PostFormQuery) {
  auto r = client_.Post(base_ + "/loki/api/v1/query", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        "query=vector(1)%2Bvector(1)&time=4", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find(R"("value":[4,"2"])"), std::string::npos) << r->body;
}

TEST_F(LokiApiTest, ErrorsArePlainText400) {
  http::ClientResponse r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"({app="x")")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "parse error at line 1, col 9: syntax error: unexpected $end, expecting } or ,\n");

  r = Get(absl::StrCat("/loki/api/v1/query?query=", Escape(R"({app="x"})"), "&time=4000000000"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "log queries are not supported as an instant query type, please change your query to a range query "
            "type\n");

  r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"({app="x"})"), "&limit=6000"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "max entries limit per query exceeded, limit > max_entries_limit_per_query (6000 > 5000)\n");

  r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"({app="x"})"), "&start=yesterday"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax\n");

  r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"({app="x"})"), "&direction=sideways"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "invalid direction 'sideways'\n");

  r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"(rate({app="x"}[1m]))"), "&step=0"));
  EXPECT_EQ(r.status, 400);

  r = Get("/loki/api/v1/query_range?query=");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.body.empty());

  r = Get(absl::StrCat("/loki/api/v1/query_range?query=", Escape(R"(sum(rate({app="x"} | json [1m])) by ()")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.substr(0, 12), "parse error ");
}

TEST_F(LokiApiTest, Labels) {
  std::string range = absl::StrCat("start=", S(0), "&end=", S(10));
  EXPECT_EQ(Get("/loki/api/v1/labels?" + range).body, R"({"status":"success","data":["app","env"]})");
  EXPECT_EQ(Get("/loki/api/v1/label/app/values?" + range).body, R"({"status":"success","data":["x","y"]})");
  EXPECT_EQ(Get(absl::StrCat("/loki/api/v1/label/env/values?", range, "&query=", Escape(R"({app="x"})"))).body,
            R"({"status":"success","data":["dev","prod"]})");
  http::ClientResponse r = Get(absl::StrCat("/loki/api/v1/labels?", range, "&query=", Escape("{app=")));
  EXPECT_EQ(r.status, 400);
}

TEST_F(LokiApiTest, Series) {
  std::string range = absl::StrCat("start=", S(0), "&end=", S(10));
  EXPECT_EQ(Get(absl::StrCat("/loki/api/v1/series?", range, "&match[]=", Escape(R"({app="x"})"))).body,
            R"({"status":"success","data":[{"app":"x","env":"dev"},{"app":"x","env":"prod"}]})");
  EXPECT_EQ(Get(absl::StrCat("/loki/api/v1/series?", range, "&match[]=", Escape(R"({env="dev"})"),
                             "&match[]=", Escape(R"({app="y"})")))
                .body,
            R"({"status":"success","data":[{"app":"x","env":"dev"},{"app":"y"}]})");
}

TEST_F(LokiApiTest, IndexStatsVolumeAndDetectedLabels) {
  std::string range = absl::StrCat("start=", S(0), "&end=", S(10));
  rapidjson::Document d =
      Json(Get(absl::StrCat("/loki/api/v1/index/stats?", range, "&query=", Escape(R"({app="x"})"))));
  EXPECT_EQ(d["streams"].GetUint64(), 2u);
  EXPECT_EQ(d["entries"].GetUint64(), 7u);
  EXPECT_GT(d["bytes"].GetUint64(), 0u);
  EXPECT_TRUE(d["chunks"].IsUint64());

  d = Json(Get(absl::StrCat("/loki/api/v1/index/volume?", range, "&query=", Escape(R"({app=~".+"})"))));
  EXPECT_STREQ(d["data"]["resultType"].GetString(), "vector");
  ASSERT_EQ(d["data"]["result"].Size(), 2u);
  EXPECT_STREQ(d["data"]["result"][0]["metric"]["app"].GetString(), "x");  // the largest first
  EXPECT_EQ(d["data"]["result"][0]["metric"].MemberCount(), 1u);

  EXPECT_EQ(Get("/loki/api/v1/detected_labels?" + range).body,
            R"({"detectedLabels":[{"label":"app","cardinality":2},{"label":"env","cardinality":2}]})");
}

}  // namespace
}  // namespace vigil::lokiapi
