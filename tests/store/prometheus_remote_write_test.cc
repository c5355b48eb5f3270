// A real client: Debian's Prometheus scrapes itself and a real node exporter and remote-writes into vigil-store.
// After a minute, the store must hold the same series with the same samples (timestamps and values) as
// Prometheus itself stored, over a window both have fully received. Prometheus is read through its query API,
// the store through its data directory.
#include <signal.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/clock/clock.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"
#include "tsdb/db/db.h"

namespace vigil {
namespace {

constexpr absl::Duration kRunFor = absl::Seconds(60);
constexpr int64_t kWindowMs = 30'000;

// Series (labels as text) -> samples; stale markers are left out on both sides (Prometheus' API never shows them).
using SeriesSamples = std::map<std::string, std::vector<Sample>>;

absl::StatusOr<SeriesSamples> FromPrometheus(int port, TimestampMs eval_ms) {
  http::HttplibClient client;
  std::string url =
      absl::StrCat(testing::LocalUrl(port, "/api/v1/query"),
                   "?query=", testing::PercentEncode(absl::StrCat("{__name__=~\".+\"}[", kWindowMs, "ms]")),
                   "&time=", absl::StrFormat("%.3f", static_cast<double>(eval_ms) / 1000.0));
  absl::StatusOr<http::ClientResponse> resp = client.Get(url, {}, absl::Seconds(30));
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return absl::InternalError(absl::StrCat("prometheus: ", resp->status, " ", resp->body));
  rapidjson::Document doc;
  doc.Parse(resp->body.c_str());
  if (doc.HasParseError() || !doc.IsObject()) return absl::InternalError("prometheus: bad JSON");
  SeriesSamples out;
  for (const auto& series : doc["data"]["result"].GetArray()) {
    LabelsBuilder b;
    for (const auto& m : series["metric"].GetObject()) b.Set(m.name.GetString(), m.value.GetString());
    std::vector<Sample>& samples = out[b.Build().ToString()];
    for (const auto& v : series["values"].GetArray()) {
      double ts = v[0].GetDouble();
      std::string value = v[1].GetString();
      samples.push_back(Sample{static_cast<TimestampMs>(std::llround(ts * 1000)), std::stod(value)});
    }
  }
  return out;
}

absl::StatusOr<SeriesSamples> FromStore(const std::string& dir, TimestampMs eval_ms) {
  tsdb::DbOptions options;
  options.dir = dir;
  options.retention = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<tsdb::Db>> db = tsdb::Db::Open(options, RealClock(), nullptr);
  if (!db.ok()) return db.status();
  // Prometheus 2.42 range selectors are closed on both ends.
  auto q = (*db)->NewQuerier(eval_ms - kWindowMs, eval_ms);
  if (!q.ok()) return q.status();
  std::vector<Matcher> ms = {*Matcher::Create(MatchType::kRegexMatch, "__name__", ".+")};
  auto set = (*q)->Select(true, nullptr, ms);
  SeriesSamples out;
  while (set->Next()) {
    std::vector<Sample> samples;
    auto it = set->At()->Iterator();
    while (it->Next()) {
      if (!IsStaleNaN(it->At().v)) samples.push_back(it->At());
    }
    if (!it->Err().ok()) return it->Err();
    if (!samples.empty()) out[set->At()->labels().ToString()] = std::move(samples);
  }
  if (!set->Err().ok()) return set->Err();
  return out;
}

TEST(PrometheusRemoteWriteTest, StoreHoldsWhatPrometheusStored) {
  const std::string tmp = testing::TestTmpDir();
  int store_port = *testing::FreePort(), prom_port = *testing::FreePort(), node_port = *testing::FreePort();
  const std::string store_dir = tmp + "/store";

  auto store = testing::StartVigilStore(store_dir, store_port, tmp + "/store.log");
  ASSERT_TRUE(store.ok()) << store.status();

  auto node = testing::Subprocess::Start(
      {"/usr/bin/prometheus-node-exporter", absl::StrCat("--web.listen-address=127.0.0.1:", node_port)},
      tmp + "/node.log");
  ASSERT_TRUE(node.ok());

  std::ofstream(tmp + "/prometheus.yml") << absl::StrFormat(R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:%d"]}]
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:%d"]}]
remote_write:
  - url: http://127.0.0.1:%d/api/v1/write
    queue_config: {batch_send_deadline: 1s, max_samples_per_send: 2000}
)",
                                                            prom_port, node_port, store_port);
  auto prom = testing::StartPrometheus(tmp + "/prometheus.yml", tmp + "/prom", prom_port, tmp + "/prometheus.log",
                                       {"--log.level=warn"});
  ASSERT_TRUE(prom.ok()) << prom.status();

  absl::SleepFor(kRunFor);
  // A window that ended 10 s ago: Prometheus has sent all of it (batch deadline 1 s). The odd milliseconds keep
  // the window's edges off scrape timestamps.
  TimestampMs eval_ms = FromTime(absl::Now() - absl::Seconds(10)) / 1000 * 1000 + 123;
  absl::SleepFor(absl::Seconds(2));
  absl::StatusOr<SeriesSamples> want = FromPrometheus(prom_port, eval_ms);
  ASSERT_TRUE(want.ok()) << want.status();

  // Prometheus' own failures to send would show here.
  http::HttplibClient client;
  auto failed =
      client.Get(testing::LocalUrl(prom_port, "/api/v1/query?query=") +
                     testing::PercentEncode("sum(prometheus_remote_storage_samples_failed_total) or vector(0)"),
                 {}, absl::Seconds(10));
  ASSERT_TRUE(failed.ok());
  EXPECT_NE(failed->body.find("\"0\"]"), std::string::npos) << "Prometheus reports failed sends: " << failed->body;

  ASSERT_TRUE(prom->Stop(SIGTERM, absl::Seconds(60)).ok());
  ASSERT_TRUE(node->Stop(SIGTERM, absl::Seconds(10)).ok());
  absl::StatusOr<int> store_exit = store->Stop(SIGTERM, absl::Seconds(60));
  ASSERT_TRUE(store_exit.ok());
  ASSERT_TRUE(WIFEXITED(*store_exit) && WEXITSTATUS(*store_exit) == 0) << store->Output();

  absl::StatusOr<SeriesSamples> got = FromStore(store_dir, eval_ms);
  ASSERT_TRUE(got.ok()) << got.status();

  ASSERT_GT(want->size(), 300u) << "expected hundreds of series from node exporter and Prometheus";
  size_t samples = 0;
  for (const auto& [series, want_samples] : *want) {
    auto it = got->find(series);
    ASSERT_NE(it, got->end()) << "series missing in the store: " << series;
    ASSERT_EQ(it->second.size(), want_samples.size()) << series;
    for (size_t i = 0; i < want_samples.size(); ++i) {
      EXPECT_EQ(it->second[i].t, want_samples[i].t) << series;
      // Prometheus' API prints values with Go's shortest round-trip format, so they parse back exactly.
      if (!(std::isnan(want_samples[i].v) && std::isnan(it->second[i].v))) {
        EXPECT_EQ(it->second[i].v, want_samples[i].v) << series;
      }
    }
    samples += want_samples.size();
  }
  EXPECT_EQ(got->size(), want->size()) << "the store has series Prometheus does not";
  EXPECT_GT(samples, 300u * 20u);
}

}  // namespace
}  // namespace vigil
