#include "agent/discovery/peer_resolver.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/clock/clock.h"
#include "base/fs/file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent::discovery {
namespace {

using ::testing::ElementsAre;

std::string Testdata(const std::string& name) {
  std::ifstream in("agent/discovery/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// proc_cgroup_hybrid.txt names this CRI-O container of pod batch-x1 (crio_config.json).
const std::string kCrioApp = std::string(64, 'e');

constexpr char kFibTrie[] = R"(Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 10.244.1.0/24 2 0 2
        +-- 10.244.1.0/28 2 0 2
           |-- 10.244.1.0
              /24 link UNICAST
           |-- 10.244.1.7
              /32 host LOCAL
        |-- 10.244.1.255
           /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        |-- 127.0.0.1
           /32 host LOCAL
Local:
  +-- 0.0.0.0/0 3 0 5
     |-- 10.244.1.7
        /32 host LOCAL
)";

TEST(ProcNetAddressTest, MatchesTheKernelsHex) {
  EXPECT_EQ(ProcNetAddress("127.0.0.1:8080"), "0100007F:1F90");
  EXPECT_EQ(ProcNetAddress("10.244.1.7:443"), "0701F40A:01BB");
  EXPECT_EQ(ProcNetAddress("[::ffff:127.0.0.1]:8080"), "0100007F:1F90");
  EXPECT_EQ(ProcNetAddress("[::1]:80"), "00000000000000000000000001000000:0050");
  EXPECT_EQ(ProcNetAddress("127.0.0.1"), "");
  EXPECT_EQ(ProcNetAddress("nonsense:80"), "");
  EXPECT_EQ(ProcNetAddress("1.2.3.4:99999"), "");
  EXPECT_EQ(ProcNetAddress("[::1:80"), "");
}

TEST(LocalAddressesTest, HostEntriesWithoutLoopbackOnce) {
  EXPECT_THAT(LocalAddressesFromFibTrie(kFibTrie), ElementsAre("10.244.1.7"));
  EXPECT_TRUE(LocalAddressesFromFibTrie("").empty());
}

class PeerResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::string(std::getenv("TEST_TMPDIR")) + "/peer";
    Write("/run/crio/" + kCrioApp + "/userdata/config.json", Testdata("crio_config.json"));
    options_.procfs = root_ + "/proc";
    options_.pod_logs_dir = root_ + "/var/log/pods";
    options_.container_logs_dir = root_ + "/var/log/containers";
    options_.containerd_task_dirs = {};
    options_.crio_container_dirs = {root_ + "/run/crio"};
    ASSERT_TRUE(RealFileSystem()->CreateDirs(options_.container_logs_dir).ok());
    Link("net:[1]", "/proc/self/ns/net");
  }
  void Write(const std::string& path, const std::string& contents) {
    const std::string full = root_ + path;
    ASSERT_TRUE(RealFileSystem()->CreateDirs(full.substr(0, full.rfind('/'))).ok());
    ASSERT_TRUE(RealFileSystem()->WriteFileAtomic(full, contents, false).ok());
  }
  void Link(const std::string& target, const std::string& path) {
    const std::string full = root_ + path;
    ASSERT_TRUE(RealFileSystem()->CreateDirs(full.substr(0, full.rfind('/'))).ok());
    unlink(full.c_str());
    ASSERT_EQ(symlink(target.c_str(), full.c_str()), 0) << full;
  }

  std::string root_;
  FakeClock clock_;
  ContainerDiscovery::Options options_;
};

TEST_F(PeerResolverTest, SocketInTheAgentsNamespaceNamesTheOwningContainer) {
  // Process 3001 (the batch-x1 pod's worker container) owns the client socket 127.0.0.1:40000 -> agent.
  Write("/proc/net/tcp",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0\n"
        "   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0\n");
  Write("/proc/3001/cgroup", Testdata("proc_cgroup_hybrid.txt"));
  Link("socket:[4242]", "/proc/3001/fd/7");
  Link("/dev/null", "/proc/3001/fd/0");
  Write("/proc/700/cgroup", Testdata("proc_cgroup_service.txt"));
  Link("socket:[111]", "/proc/700/fd/3");
  ContainerDiscovery discovery(options_);
  PeerResolver resolver(&discovery, {.procfs = options_.procfs, .clock = &clock_});
  PeerResolution who = resolver.Resolve("127.0.0.1:40000");
  std::shared_ptr<const ContainerInfo> info = who.info;
  ASSERT_NE(info, nullptr);
  EXPECT_FALSE(who.by_pod_ip);
  EXPECT_EQ(info->pod, "batch-x1");
  EXPECT_EQ(info->container, "worker");
  // A socket owned by a plain service, and one nobody has: no container.
  EXPECT_EQ(resolver.Resolve("127.0.0.1:8080").info, nullptr);
  EXPECT_EQ(resolver.Resolve("127.0.0.1:1").info, nullptr);
  EXPECT_EQ(resolver.Resolve("garbage").info, nullptr);
}

TEST_F(PeerResolverTest, PodIpNamesThePodAndIsRescannedOnlyAfterTheInterval) {
  Write("/proc/net/tcp", "  sl  local_address rem_address   st\n");
  ContainerDiscovery discovery(options_);
  PeerResolver resolver(&discovery, {.procfs = options_.procfs,
                                     .cache_ttl = absl::Seconds(1),
                                     .ip_rescan_interval = absl::Seconds(15),
                                     .clock = &clock_});
  EXPECT_EQ(resolver.Resolve("10.244.1.7:5000").info, nullptr);  // No such pod yet; the map is now fresh.
  Write("/proc/3001/cgroup", Testdata("proc_cgroup_hybrid.txt"));
  Write("/proc/3001/net/fib_trie", kFibTrie);
  Link("net:[77]", "/proc/3001/ns/net");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(resolver.Resolve("10.244.1.7:5001").info, nullptr);  // Within the rescan interval.
  clock_.Advance(absl::Seconds(15));
  PeerResolution who = resolver.Resolve("10.244.1.7:5002");
  std::shared_ptr<const ContainerInfo> info = who.info;
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(who.by_pod_ip);
  EXPECT_EQ(info->pod, "batch-x1");
  EXPECT_EQ(resolver.Resolve("[::ffff:10.244.1.7]:5003").info, info);
  // A process in the agent's own namespace is never mapped by IP.
  Write("/proc/800/cgroup", Testdata("proc_cgroup_hybrid.txt"));
  Write("/proc/800/net/fib_trie", "|-- 192.168.1.5\n /32 host LOCAL\n");
  Link("net:[1]", "/proc/800/ns/net");
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(resolver.Resolve("192.168.1.5:5004").info, nullptr);
}

}  // namespace
}  // namespace vigil::agent::discovery
