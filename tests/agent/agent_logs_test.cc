// Logs through vigil-agent into a real vigil-store: the agent tails a kubelet-style pod log directory (CRI format,
// partial lines, a rotation by rename mid-stream), ships with Loki's push API, and every line comes back exactly
// once through the store's Loki query API, also across a store outage and a kill -9 of the agent.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"

namespace vigil {
namespace {

class LogWriter {
 public:
  explicit LogWriter(std::string dir) : dir_(std::move(dir)) { std::filesystem::create_directories(dir_); }
  // Appends lines "line <n>" for n in [from, to); every tenth is written as two partial CRI records.
  void Write(int from, int to) {
    std::ofstream out(dir_ + "/0.log", std::ios::app);
    for (int n = from; n < to; ++n) {
      const std::string ts = absl::StrFormat("2026-11-22T10:%02d:%02d.%09dZ", (n / 60) % 60, n % 60, n);
      if (n % 10 == 0) {
        out << ts << " stdout P line "
            << "\n"
            << ts << " stdout F " << n << "\n";
      } else {
        out << ts << " stdout F line " << n << "\n";
      }
    }
  }
  // Rotation by rename, as the kubelet does: the current file moves aside and a new one starts.
  void Rotate(int generation) { std::filesystem::rename(dir_ + "/0.log", absl::StrCat(dir_, "/0.log.", generation)); }

 private:
  std::string dir_;
};

// Every line of {namespace="shop"} the store has, counted.
std::map<std::string, int> StoredLines(http::Client* client, int store_port) {
  std::map<std::string, int> out;
  const std::string url = testing::LocalUrl(store_port, "/loki/api/v1/query_range?query=") +
                          testing::PercentEncode("{namespace=\"shop\"}") +
                          "&start=1795000000000000000&end=1796000000000000000&limit=5000&direction=forward";
  auto r = client->Get(url, {}, absl::Seconds(10));
  if (!r.ok() || r->status != 200) return out;
  rapidjson::Document d;
  d.Parse(r->body.c_str());
  if (d.HasParseError() || !d.HasMember("data")) return out;
  for (const auto& stream : d["data"]["result"].GetArray()) {
    for (const auto& v : stream["values"].GetArray()) ++out[v[1].GetString()];
  }
  return out;
}

// Waits until the store has lines 0..n-1; returns what it has then.
std::map<std::string, int> WaitForLines(http::Client* client, int store_port, int n) {
  std::map<std::string, int> got;
  for (int i = 0; i < 150; ++i) {
    got = StoredLines(client, store_port);
    if (static_cast<int>(got.size()) >= n) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return got;
}

void ExpectExactlyOnce(const std::map<std::string, int>& got, int n) {
  EXPECT_EQ(static_cast<int>(got.size()), n);
  for (int i = 0; i < n; ++i) {
    auto it = got.find(absl::StrCat("line ", i));
    if (it == got.end()) {
      ADD_FAILURE() << "line " << i << " missing";
      return;
    }
    if (it->second != 1) {
      ADD_FAILURE() << "line " << i << " stored " << it->second << " times";
      return;
    }
  }
}

TEST(AgentLogsTest, EveryLineOnceThroughRotationStoreOutageAndAgentKill) {
  const std::string tmp = testing::TestTmpDir();
  const std::string pods = tmp + "/pods";
  LogWriter writer(pods + "/shop_web-0_1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/app");
  const int store_port = *testing::FreePort(), agent_port = *testing::FreePort();
  const std::vector<std::string> store_flags = {"--log.level=warn"};
  auto store = testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store1.log", store_flags);
  ASSERT_TRUE(store.ok()) << store.status();
  const std::vector<std::string> agent_argv = {
      "agent/vigil-agent",
      absl::StrCat("--web.listen-address=127.0.0.1:", agent_port),
      "--collection.interval=1s",
      "--no-collector.cgroup",
      "--path.pod-logs=" + pods,
      absl::StrCat("--logs.url=", testing::LocalUrl(store_port, "/loki/api/v1/push")),
      "--logs.positions-file=" + tmp + "/positions",
      "--queue.dir=" + tmp + "/queue",
      "--node.name=test-node",
      "--log.level=warn"};
  auto agent = testing::StartReady(agent_argv, tmp + "/agent1.log", agent_port, absl::Seconds(30));
  ASSERT_TRUE(agent.ok()) << agent.status();
  http::HttplibClient client;

  writer.Write(0, 500);
  // The agent follows a file it found before the rename to its end; one rotated away before the agent ever saw
  // it is out of its globs (as for Promtail), so let it find the first file.
  ExpectExactlyOnce(WaitForLines(&client, store_port, 500), 500);
  writer.Write(500, 600);
  writer.Rotate(1);
  writer.Write(600, 1000);
  ExpectExactlyOnce(WaitForLines(&client, store_port, 1000), 1000);

  // The store goes away for a minute; lines written meanwhile arrive once it is back.
  ASSERT_TRUE(store->Stop(SIGTERM, absl::Seconds(60)).ok());
  writer.Write(1000, 1300);
  absl::SleepFor(absl::Seconds(30));
  writer.Write(1300, 1500);
  absl::SleepFor(absl::Seconds(30));  // Down for 60 s, as issue 6 asks.
  store = testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store2.log", store_flags);
  ASSERT_TRUE(store.ok()) << store.status();
  ExpectExactlyOnce(WaitForLines(&client, store_port, 1500), 1500);

  // kill -9 of the agent between writes: it resumes from the acknowledged positions.
  ASSERT_TRUE(agent->Stop(SIGKILL, absl::Seconds(10)).ok());
  writer.Write(1500, 2000);
  agent = testing::StartReady(agent_argv, tmp + "/agent2.log", agent_port, absl::Seconds(30));
  ASSERT_TRUE(agent.ok()) << agent.status();
  ExpectExactlyOnce(WaitForLines(&client, store_port, 2000), 2000);
}

}  // namespace
}  // namespace vigil
