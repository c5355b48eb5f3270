#include "agent/discovery/container_discovery.h"

#include <fstream>
#include <sstream>
#include <string>

#include "base/clock/clock.h"
#include "base/fs/in_memory_file_system.h"
#include "gtest/gtest.h"

namespace vigil::agent::discovery {
namespace {

std::string Testdata(const std::string& name) {
  std::ifstream in("agent/discovery/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kV2App = "aaaaaaaaaaaa0123456789abcdef0123456789abcdef0123456789abcdef0123";
const std::string kV2Pod =
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8695_a4b3c2d1e0f9.slice";
const std::string kV2Uid = "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";
const std::string kCrioApp = std::string(64, 'e');

class DiscoveryTest : public ::testing::Test {
 protected:
  DiscoveryTest() {
    options_.procfs = "/proc";
    options_.pod_logs_dir = "/var/log/pods";
    options_.container_logs_dir = "/var/log/containers";
    options_.docker_containers_dir = "/var/lib/docker/containers";
    options_.containerd_task_dirs = {"/run/containerd/k8s.io"};
    options_.crio_container_dirs = {"/run/containers/storage/overlay-containers"};
    options_.clock = &clock_;
    options_.fs = &fs_;
    EXPECT_TRUE(fs_.CreateDirs("/var/log/containers").ok());
  }
  void Write(const std::string& path, const std::string& contents) {
    ASSERT_TRUE(fs_.CreateDirs(std::string(DirName(path))).ok());
    ASSERT_TRUE(fs_.WriteFileAtomic(path, contents, false).ok());
  }

  InMemoryFileSystem fs_;
  FakeClock clock_;
  ContainerDiscovery::Options options_;
};

TEST_F(DiscoveryTest, ContainerdFromOciSpec) {
  Write("/run/containerd/k8s.io/" + kV2App + "/config.json", Testdata("containerd_config.json"));
  ContainerDiscovery d(options_);
  auto info = d.Lookup(kV2Pod + "/cri-containerd-" + kV2App + ".scope");
  EXPECT_EQ(info->name, kV2App);
  EXPECT_EQ(info->image, "registry.example/shop/web:1.4.2");
  EXPECT_EQ(info->container, "app");
  EXPECT_EQ(info->pod, "web-0");
  EXPECT_EQ(info->namespace_name, "shop");
  EXPECT_EQ(info->pod_uid, kV2Uid);
  EXPECT_FALSE(info->sandbox);
  EXPECT_FALSE(info->own_network);
  EXPECT_TRUE(info->complete);
  // Cached: the same object comes back.
  EXPECT_EQ(d.Lookup(kV2Pod + "/cri-containerd-" + kV2App + ".scope"), info);
}

TEST_F(DiscoveryTest, LogDirectoriesOnlyWithSandboxHeuristicAndRetry) {
  const std::string sandbox_id = std::string(64, 'b');
  Write("/var/log/pods/shop_web-0_" + kV2Uid + "/app/0.log", "");
  Write("/var/log/containers/web-0_shop_app-" + kV2App + ".log", "");
  ContainerDiscovery d(options_);

  auto pod = d.Lookup(kV2Pod);
  EXPECT_EQ(pod->kind, CgroupKind::kPod);
  EXPECT_EQ(pod->pod, "web-0");
  EXPECT_EQ(pod->namespace_name, "shop");
  EXPECT_EQ(pod->container, "");
  EXPECT_TRUE(pod->complete);

  auto app = d.Lookup(kV2Pod + "/cri-containerd-" + kV2App + ".scope");
  EXPECT_EQ(app->container, "app");
  EXPECT_EQ(app->pod, "web-0");
  EXPECT_FALSE(app->sandbox);

  // A container of a known pod without a log link: the sandbox, re-checked later.
  const std::string other = kV2Pod + "/cri-containerd-" + sandbox_id + ".scope";
  auto sb = d.Lookup(other);
  EXPECT_TRUE(sb->sandbox);
  EXPECT_TRUE(sb->own_network);
  EXPECT_EQ(sb->container, "");
  EXPECT_FALSE(sb->complete);

  // It was in fact a container whose log link appeared late: after the retry interval it is relabelled.
  Write("/var/log/containers/web-0_shop_sidecar-" + sandbox_id + ".log", "");
  EXPECT_EQ(d.Lookup(other), sb);  // within the retry interval: cached
  clock_.Advance(options_.retry_interval);
  auto again = d.Lookup(other);
  EXPECT_EQ(again->container, "sidecar");
  EXPECT_FALSE(again->sandbox);
  EXPECT_TRUE(again->complete);
}

TEST_F(DiscoveryTest, UnknownPodIsResolvedOnceItsLogDirectoryAppears) {
  ContainerDiscovery d(options_);
  auto pod = d.Lookup(kV2Pod);
  EXPECT_EQ(pod->pod, "");
  EXPECT_FALSE(pod->complete);
  Write("/var/log/pods/shop_web-0_" + kV2Uid + "/app/0.log", "");
  clock_.Advance(options_.retry_interval);
  EXPECT_EQ(d.Lookup(kV2Pod)->pod, "web-0");
}

TEST_F(DiscoveryTest, DockerCgroupfsAndStandalone) {
  const std::string id = std::string(64, 'c');
  Write("/var/lib/docker/containers/" + id + "/config.v2.json", Testdata("docker_config.v2.json"));
  Write("/var/lib/docker/containers/" + id + "/hostconfig.json", Testdata("docker_hostconfig.json"));
  ContainerDiscovery d(options_);
  auto info = d.Lookup("/kubepods/burstable/pod5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b/" + id);
  EXPECT_EQ(info->runtime, Runtime::kDocker);
  EXPECT_EQ(info->container, "api");
  EXPECT_EQ(info->namespace_name, "payments");
  EXPECT_EQ(info->name, "k8s_api_api-7d9c_payments_5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b_0");
  EXPECT_FALSE(info->own_network);

  const std::string nginx = std::string(64, 'f');
  Write("/var/lib/docker/containers/" + nginx + "/config.v2.json",
        R"({"Name":"/nginx","Config":{"Image":"nginx:1.25","Labels":{}}})");
  auto standalone = d.Lookup("/docker/" + nginx);
  EXPECT_EQ(standalone->name, "nginx");
  EXPECT_EQ(standalone->image, "nginx:1.25");
  EXPECT_EQ(standalone->pod, "");
  EXPECT_TRUE(standalone->own_network);  // no hostconfig.json: not known to share
}

TEST_F(DiscoveryTest, ServicesRootAndForget) {
  ContainerDiscovery d(options_);
  EXPECT_EQ(d.Lookup("/system.slice/ssh.service")->name, "ssh.service");
  auto root = d.Lookup("/");
  EXPECT_EQ(root->kind, CgroupKind::kRoot);
  EXPECT_TRUE(root->own_network);
  EXPECT_EQ(d.Lookup("")->kind, CgroupKind::kRoot);
  EXPECT_EQ(d.size(), 2u);
  d.Forget("/system.slice/ssh.service");
  EXPECT_EQ(d.size(), 1u);
}

TEST_F(DiscoveryTest, LookupPid) {
  Write("/run/containers/storage/overlay-containers/" + kCrioApp + "/userdata/config.json",
        Testdata("crio_config.json"));
  Write("/proc/3001/cgroup", Testdata("proc_cgroup_hybrid.txt"));
  Write("/proc/700/cgroup", Testdata("proc_cgroup_service.txt"));
  Write("/proc/9/cgroup", "garbage\n");
  ContainerDiscovery d(options_);
  // Hybrid: the v2 line says "/", the controller lines name the container.
  auto owner = d.LookupPid(3001);
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ((*owner)->pod, "batch-x1");
  EXPECT_EQ((*owner)->container, "worker");
  EXPECT_EQ((*owner)->runtime, Runtime::kCrio);
  auto svc = d.LookupPid(700);
  ASSERT_TRUE(svc.ok());
  EXPECT_EQ((*svc)->name, "ssh.service");
  EXPECT_EQ(d.LookupPid(12345).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(d.LookupPid(9).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::agent::discovery
