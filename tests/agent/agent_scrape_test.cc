// A real scraper against the real agent: vigil-agent runs with every collector at a 1 s interval; its /metrics
// page must pass `promtool check metrics`, and Debian's Prometheus (which asks for OpenMetrics first, and gzip)
// must scrape it every second for a minute with no failed scrape and no sample rejected.
#include <signal.h>
#include <stdio.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"

namespace vigil {
namespace {

constexpr absl::Duration kRunFor = absl::Seconds(60);

// Runs `command` through the shell and returns its combined output and exit status.
std::pair<std::string, int> Shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {"popen failed", -1};
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// The value of an instant query that returns one sample, or an error.
absl::StatusOr<double> QueryScalar(int port, const std::string& query) {
  http::HttplibClient client;
  absl::StatusOr<http::ClientResponse> resp =
      client.Get(absl::StrCat(testing::LocalUrl(port, "/api/v1/query?query="), testing::PercentEncode(query)), {},
                 absl::Seconds(30));
  if (!resp.ok()) return resp.status();
  rapidjson::Document doc;
  doc.Parse(resp->body.c_str());
  if (resp->status != 200 || doc.HasParseError() || !doc.IsObject()) {
    return absl::InternalError(absl::StrCat("prometheus: ", resp->status, " ", resp->body));
  }
  const auto& result = doc["data"]["result"];
  if (!result.IsArray() || result.Size() != 1) {
    return absl::NotFoundError(absl::StrCat("query ", query, " did not return one sample: ", resp->body));
  }
  return std::stod(result[0]["value"][1].GetString());
}

TEST(AgentScrapeTest, PromtoolCleanAndPrometheusScrapesForAMinute) {
  const std::string tmp = testing::TestTmpDir();
  const int agent_port = *testing::FreePort(), prom_port = *testing::FreePort();

  auto agent = testing::StartReady({"agent/vigil-agent", absl::StrCat("--web.listen-address=127.0.0.1:", agent_port),
                                    "--collection.interval=1s", "--log.level=warn"},
                                   tmp + "/agent.log", agent_port, absl::Seconds(30));
  ASSERT_TRUE(agent.ok()) << agent.status();

  // promtool reads the text format (no Accept header: the agent answers text/plain 0.0.4).
  http::HttplibClient client;
  absl::StatusOr<http::ClientResponse> page =
      client.Get(testing::LocalUrl(agent_port, "/metrics"), {}, absl::Seconds(10));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(page->body, ::testing::HasSubstr("\nvigil_agent_collector_duration_seconds{collector=\"cpu\"} "));
  EXPECT_THAT(page->body, ::testing::HasSubstr("\nprocess_resident_memory_bytes "));
  std::ofstream(tmp + "/metrics.txt") << page->body;
  auto [lint, status] = Shell(absl::StrCat("/usr/bin/promtool check metrics < ", tmp, "/metrics.txt"));
  // Two lints are the price of compatibility and stay, exactly as node_exporter and cAdvisor have them:
  // node_exporter's /proc/meminfo names (node_memory_MemTotal_bytes, ...) trip the snake_case lint, and
  // cAdvisor's container_memory_failcnt is a counter without "_total". Dashboards query exactly those names.
  // Nothing else may be reported.
  std::vector<std::string> problems;
  for (absl::string_view line : absl::StrSplit(lint, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "node_memory_") &&
        absl::EndsWith(line, "should be written in 'snake_case' not 'camelCase'")) {
      continue;
    }
    if (line == "container_memory_failcnt counter metrics should have \"_total\" suffix") continue;
    problems.emplace_back(line);
  }
  EXPECT_THAT(problems, ::testing::IsEmpty()) << "promtool exit status " << status << ":\n" << lint;

  std::ofstream(tmp + "/prometheus.yml") << absl::StrFormat(R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: agent
    static_configs: [{targets: ["127.0.0.1:%d"]}]
)",
                                                            agent_port);
  auto prom = testing::StartPrometheus(tmp + "/prometheus.yml", tmp + "/prom", prom_port, tmp + "/prometheus.log",
                                       {"--log.level=warn"});
  ASSERT_TRUE(prom.ok()) << prom.status();

  absl::SleepFor(kRunFor);

  // Every scrape of the last minute succeeded...
  absl::StatusOr<double> scrapes = QueryScalar(prom_port, "count_over_time(up{job=\"agent\"}[1m])");
  ASSERT_TRUE(scrapes.ok()) << scrapes.status();
  EXPECT_GE(*scrapes, 50);
  absl::StatusOr<double> min_up = QueryScalar(prom_port, "min_over_time(up{job=\"agent\"}[1m])");
  ASSERT_TRUE(min_up.ok()) << min_up.status();
  EXPECT_EQ(*min_up, 1) << "a scrape failed; Prometheus log:\n" << prom->Output();
  // ...took every sample (Prometheus counts the samples it refused on its own /metrics)...
  absl::StatusOr<http::ClientResponse> prom_metrics =
      client.Get(testing::LocalUrl(prom_port, "/metrics"), {}, absl::Seconds(10));
  ASSERT_TRUE(prom_metrics.ok()) << prom_metrics.status();
  int counters_seen = 0;
  for (absl::string_view line : absl::StrSplit(prom_metrics->body, '\n', absl::SkipEmpty())) {
    for (const char* name : {"prometheus_target_scrapes_sample_duplicate_timestamp_total ",
                             "prometheus_target_scrapes_sample_out_of_order_total ",
                             "prometheus_target_scrapes_sample_out_of_bounds_total ",
                             "prometheus_target_scrapes_exceeded_sample_limit_total ",
                             "prometheus_target_scrapes_cache_flush_forced_total "}) {
      if (absl::StartsWith(line, name)) {
        ++counters_seen;
        EXPECT_EQ(line.substr(strlen(name)), "0") << line;
      }
    }
  }
  EXPECT_EQ(counters_seen, 5) << prom_metrics->body;
  // ...and the agent's series are there, node and agent metrics alike.
  absl::StatusOr<double> samples = QueryScalar(prom_port, "min_over_time(scrape_samples_scraped{job=\"agent\"}[1m])");
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_GT(*samples, 200);
  for (const char* q : {"count(node_cpu_seconds_total{job=\"agent\"})", "count(node_memory_MemTotal_bytes)",
                        "count(vigil_agent_collector_errors_total)", "count(process_cpu_seconds_total)",
                        "count(container_cpu_usage_seconds_total{id=\"/\"})"}) {
    absl::StatusOr<double> n = QueryScalar(prom_port, q);
    ASSERT_TRUE(n.ok()) << q << ": " << n.status();
    EXPECT_GE(*n, 1) << q;
  }

  ASSERT_TRUE(prom->Stop(SIGTERM, absl::Seconds(60)).ok());
  absl::StatusOr<int> agent_exit = agent->Stop(SIGTERM, absl::Seconds(30));
  ASSERT_TRUE(agent_exit.ok());
  EXPECT_TRUE(WIFEXITED(*agent_exit) && WEXITSTATUS(*agent_exit) == 0) << agent->Output();
}

}  // namespace
}  // namespace vigil
