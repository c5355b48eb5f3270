#include "server/ingest/import_handler.h"

#include <string>

#include "base/http/body_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/storage/memory_storage.h"

namespace vigil::server {
namespace {

using ::testing::HasSubstr;

constexpr char kOpenMetrics[] =
    "# TYPE node_load1 gauge\n"
    "node_load1{instance=\"a\"} 0.5 1700000000\n"
    "node_load1{instance=\"a\"} 0.75 1700000015\n"
    "node_load1{instance=\"b\"} 1 1700000000.5\n"
    "# TYPE node_cpu_seconds counter\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10.01 1700000000\n"
    "# EOF\n";

class ImportHandlerTest : public ::testing::Test {
 protected:
  http::Response Post(std::string content_type, std::string body) {
    http::Request req;
    req.method = "POST";
    req.path = "/api/v1/import";
    req.headers.emplace("Content-Type", std::move(content_type));
    http::StringBodyReader reader(std::move(body), 7);  // tiny pieces: lines arrive split
    http::Response resp;
    handler_.Handle(req, &reader, &resp);
    return resp;
  }

  std::vector<Sample> SamplesOf(const Labels& labels) {
    auto q = *storage_.NewQuerier(kMinTimestampMs, kMaxTimestampMs);
    std::vector<Matcher> ms;
    for (const Label& l : labels)
      ms.push_back(*Matcher::Create(MatchType::kEqual, std::string(l.name), std::string(l.value)));
    auto set = q->Select(true, nullptr, ms);
    std::vector<Sample> out;
    while (set->Next()) {
      auto it = set->At()->Iterator();
      while (it->Next()) out.push_back(it->At());
    }
    return out;
  }

  tsdb::MemoryStorage storage_;
  metrics::Registry registry_;
  IngestMetrics ingest_{&registry_};
  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  query::MetadataStore metadata_;
  ImportHandler handler_{&storage_, &ingest_, &clock_, ImportOptions{2}, &metadata_};
};

TEST_F(ImportHandlerTest, TypeHelpAndUnitLinesFeedTheMetadataStore) {
  http::Response resp = Post("application/openmetrics-text; version=1.0.0",
                             "# TYPE req counter\n# HELP req Requests served.\n# UNIT req\nreq_total 1 1700000000\n"
                             "# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\ntemp_celsius 20 1700000000\n"
                             "# EOF\n");
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto all = metadata_.List(query::MetadataQuery{});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "req");
  EXPECT_EQ(all[0].second.at(0).type, exposition::MetricType::kCounter);
  EXPECT_EQ(all[0].second.at(0).help, "Requests served.");
  EXPECT_EQ(all[1].first, "temp_celsius");
  EXPECT_EQ(all[1].second.at(0).unit, "celsius");
}

TEST_F(ImportHandlerTest, ImportsOpenMetricsWithSecondTimestamps) {
  http::Response resp = Post("application/openmetrics-text; version=1.0.0", kOpenMetrics);
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_THAT(resp.body, HasSubstr("imported 4 samples"));
  std::vector<Sample> a = SamplesOf(Labels{{"__name__", "node_load1"}, {"instance", "a"}});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].t, 1700000000000);
  EXPECT_EQ(a[1].v, 0.75);
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "node_load1"}, {"instance", "b"}}).at(0).t, 1700000000500);
  EXPECT_THAT(registry_.RenderText(), HasSubstr("vigil_ingested_samples_total 4"));
}

TEST_F(ImportHandlerTest, PrometheusTextUsesMillisecondsAndNowWhenMissing) {
  http::Response resp = Post("text/plain; version=0.0.4", "up{job=\"x\"} 1 1700000000000\nup{job=\"y\"} 1\n");
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "up"}, {"job", "x"}}).at(0).t, 1700000000000);
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "up"}, {"job", "y"}}).at(0).t, 1800000000000);
}

TEST_F(ImportHandlerTest, MalformedLineReportsPositionAndKeepsEarlierBatches) {
  http::Response resp = Post("text/plain", "a 1 1000\na 2 2000\na 3 3000\nb{x=\"1\" 4 4000\n");
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("line 4"));
  EXPECT_THAT(resp.body, HasSubstr("imported 3 samples before that"));
  EXPECT_EQ(storage_.NumSamples(), 3u);
}

TEST_F(ImportHandlerTest, RefusedSamplesAreCountedNotFatal) {
  http::Response resp = Post("text/plain", "a 1 2000\na 2 1000\na 3 3000\n");
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_THAT(resp.body, HasSubstr("imported 2 samples; refused: 1 out_of_order"));
}

TEST_F(ImportHandlerTest, UnknownContentTypeIs415AndOpenMetricsNeedsEof) {
  EXPECT_EQ(Post("application/x-www-form-urlencoded", "a 1 1\n").status, 415);
  http::Response resp = Post("application/openmetrics-text", "a 1 1\n");
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("EOF"));
}

}  // namespace
}  // namespace vigil::server
