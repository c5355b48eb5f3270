#include "agent/config/agent_config.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string WriteFile(const std::string& name, const std::string& text) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  std::ofstream(path) << text;
  return path;
}

const std::vector<std::string_view> kCollectors = {"cgroup", "cpu", "meminfo"};

// Parses `args` (and the file, when `yaml` is not empty) into *cfg.
absl::Status Load(const std::string& yaml, std::vector<std::string> args, AgentConfig* cfg) {
  FlagSet flags("vigil-agent", "test");
  RegisterAgentFlags(&flags, cfg, kCollectors);
  if (!yaml.empty()) args.push_back("--config.file=" + WriteFile("agent.yaml", yaml));
  std::vector<const char*> argv = {"vigil-agent"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  if (absl::Status s = flags.Parse(static_cast<int>(argv.size()), argv.data()); !s.ok()) return s;
  return FinishAgentConfig(flags, cfg);
}

TEST(AgentConfigTest, DefaultsWithoutFileOrFlags) {
  AgentConfig cfg;
  ASSERT_TRUE(Load("", {}, &cfg).ok());
  EXPECT_EQ(cfg.listen_address, "0.0.0.0:9102");
  EXPECT_EQ(cfg.interval, absl::Seconds(15));
  EXPECT_EQ(cfg.procfs, "/proc");
  EXPECT_THAT(EnabledCollectors(cfg), ElementsAre("cgroup", "cpu", "meminfo"));
  EXPECT_TRUE(cfg.remote_write.empty());
}

TEST(AgentConfigTest, FileSetsValuesAndFlagsOverrideThem) {
  AgentConfig cfg;
  absl::Status s = Load(
      R"(
web:
  listen_address: 127.0.0.1:1234
paths:
  procfs: /host/root/proc
  sysfs: /host/sys
collection:
  interval: 30s
collectors:
  cpu: false
  meminfo: false
cgroup:
  exclude: ["^/system\\.slice/"]
remote_write:
  - url: http://store:9201/api/v1/write
    timeout: 5s
external_labels:
  cluster: prod
  node: from-file
queue:
  dir: /var/lib/q
  max_size: 64MB
)",
      {"--collection.interval=1s", "--collector.meminfo", "--external-label=node=n1,zone=a", "--path.sysfs", "/sys2"},
      &cfg);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(cfg.listen_address, "127.0.0.1:1234");
  EXPECT_EQ(cfg.procfs, "/host/root/proc");
  EXPECT_EQ(cfg.sysfs, "/sys2");                                          // the flag wins
  EXPECT_EQ(cfg.interval, absl::Seconds(1));                              // the flag wins
  EXPECT_THAT(EnabledCollectors(cfg), ElementsAre("cgroup", "meminfo"));  // cpu off by file, meminfo on by flag
  EXPECT_THAT(cfg.cgroup_exclude, ElementsAre("^/system\\.slice/"));
  ASSERT_EQ(cfg.remote_write.size(), 1u);
  EXPECT_EQ(cfg.remote_write[0].url, "http://store:9201/api/v1/write");
  EXPECT_EQ(cfg.remote_write[0].timeout, absl::Seconds(5));
  EXPECT_THAT(cfg.external_labels, ElementsAre(Pair("cluster", "prod"), Pair("node", "n1"), Pair("zone", "a")));
  EXPECT_EQ(cfg.queue_dir, "/var/lib/q");
  EXPECT_EQ(cfg.queue_max_bytes, int64_t{64} << 20);
  EXPECT_THAT(cfg.config_text, HasSubstr("listen_address: 127.0.0.1:1234"));
}

TEST(AgentConfigTest, RemoteWriteFlagsReplaceTheFilesList) {
  AgentConfig cfg;
  absl::Status s = Load(
      "remote_write:\n  - url: http://a/api/v1/write\n",
      {"--remote-write.url=http://b/api/v1/write", "--remote-write.url", "https://c/w", "--no-collector.cgroup"}, &cfg);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(cfg.remote_write.size(), 2u);
  EXPECT_EQ(cfg.remote_write[0].url, "http://b/api/v1/write");
  EXPECT_EQ(cfg.remote_write[1].url, "https://c/w");
  EXPECT_THAT(EnabledCollectors(cfg), ElementsAre("cpu", "meminfo"));
}

TEST(AgentConfigTest, TracesFromFileAndFlags) {
  AgentConfig cfg;
  absl::Status s =
      Load("node_name: n1\ntraces:\n  urls: [http://store:9201/v1/traces]\n  listen_addresses: ['0.0.0.0:4318']\n",
           {"--receivers.listen-address=127.0.0.1:9411"}, &cfg);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_THAT(cfg.traces_urls, ElementsAre("http://store:9201/v1/traces"));
  EXPECT_THAT(cfg.receiver_listen_addresses, ElementsAre("127.0.0.1:9411"));  // The flag replaces the list.
  EXPECT_EQ(cfg.node_name, "n1");
  AgentConfig bad;
  s = Load("", {"--traces.url=ftp://x"}, &bad);
  EXPECT_THAT(s.message(), HasSubstr("traces url \"ftp://x\": want an http:// URL"));
  AgentConfig orphan;
  s = Load("", {"--receivers.listen-address=0.0.0.0:4318"}, &orphan);
  EXPECT_THAT(s.message(), HasSubstr("needs a traces.url"));
}

TEST(AgentConfigTest, FileErrorsNameFileLineAndKey) {
  AgentConfig cfg;
  absl::Status s = Load(R"(collection:
  interval: 10x
collectors:
  cpus: true
remote_write:
  - timeout: 1s
external_labels:
  __bad: x
)",
                        {}, &cfg);
  ASSERT_FALSE(s.ok());
  const std::string msg(s.message());
  EXPECT_THAT(msg, HasSubstr("agent.yaml:2:13: collection.interval: invalid duration"));
  EXPECT_THAT(msg, HasSubstr("agent.yaml:4:3: collectors: unknown key \"cpus\" (did you mean \"cpu\"?)"));
  EXPECT_THAT(msg, HasSubstr("agent.yaml:6:5: remote_write[0]: missing required key \"url\""));
  EXPECT_THAT(msg, HasSubstr("agent.yaml:8:3: external_labels: label __bad:"));
}

TEST(AgentConfigTest, MissingFileIsAnError) {
  AgentConfig cfg;
  absl::Status s = Load("", {"--config.file=/nonexistent/agent.yaml"}, &cfg);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/agent.yaml"));
}

TEST(AgentConfigTest, ValidationRejectsBadValues) {
  AgentConfig cfg;
  EXPECT_THAT(std::string(Load("", {"--collection.interval=10ms"}, &cfg).message()), HasSubstr("too short"));
  cfg = AgentConfig{};
  EXPECT_THAT(std::string(Load("", {"--remote-write.url=store:9201"}, &cfg).message()),
              HasSubstr("want an http:// or https:// URL"));
  cfg = AgentConfig{};
  EXPECT_THAT(std::string(Load("", {"--cgroup.include=(unclosed"}, &cfg).message()),
              HasSubstr("cgroup.include: invalid regular expression \"(unclosed\""));
  cfg = AgentConfig{};
  EXPECT_THAT(std::string(Load("", {"--external-label=node"}, &cfg).message()), HasSubstr("want name=value"));
  cfg = AgentConfig{};
  EXPECT_FALSE(Load("", {"--log.level=chatty"}, &cfg).ok());
  cfg = AgentConfig{};
  EXPECT_THAT(std::string(Load("", {"--collector.gpu"}, &cfg).message()), HasSubstr("unknown flag --collector.gpu"));
}

TEST(AgentConfigTest, ParseExternalLabels) {
  std::map<std::string, std::string> labels;
  ASSERT_TRUE(ParseExternalLabels("node=a, cluster=b,node=c", &labels).ok());
  EXPECT_THAT(labels, ElementsAre(Pair("cluster", "b"), Pair("node", "c")));
  EXPECT_FALSE(ParseExternalLabels("node=", &labels).ok());
  EXPECT_FALSE(ParseExternalLabels("1x=y", &labels).ok());
  EXPECT_FALSE(ParseExternalLabels("__name__=y", &labels).ok());
}

}  // namespace
}  // namespace vigil::agent
