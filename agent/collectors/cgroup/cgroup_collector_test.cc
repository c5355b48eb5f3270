#include "agent/collectors/cgroup/cgroup_collector.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "agent/collector/testing/recording_sink.h"
#include "agent/discovery/container_discovery.h"
#include "base/clock/clock.h"
#include "gtest/gtest.h"

namespace vigil::agent::cgroup {
namespace {

using Labels = std::map<std::string, std::string>;

// Identities from testdata/generate.py.
const std::string kV2App = std::string(12, 'a') + "0123456789abcdef0123456789abcdef0123456789abcdef0123";
const std::string kV2Sandbox = std::string(12, 'b') + "fedcba9876543210fedcba9876543210fedcba98765432103210";
const std::string kV2Pod =
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8695_a4b3c2d1e0f9.slice";
const std::string kV2AppId = kV2Pod + "/cri-containerd-" + kV2App + ".scope";
const std::string kV2SandboxId = kV2Pod + "/cri-containerd-" + kV2Sandbox + ".scope";

const std::string kV1PodUid = "5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b";
const std::string kV1Pod = "/kubepods/burstable/pod" + kV1PodUid;
const std::string kV1AppId = kV1Pod + "/" + std::string(64, 'c');
const std::string kV1SandboxId = kV1Pod + "/" + std::string(64, 'd');

const std::string kHyPod =
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice";
const std::string kHyAppId = kHyPod + "/crio-" + std::string(64, 'e') + ".scope";
const std::string kHyConmonId = kHyPod + "/crio-conmon-" + std::string(64, 'e') + ".scope";
const std::string kHyDockerId = "/system.slice/docker-" + std::string(64, 'f') + ".scope";

std::string Fixture(const std::string& name) { return "agent/collectors/cgroup/testdata/" + name; }

discovery::ContainerDiscovery::Options DiscoveryOptions(const std::string& root, Clock* clock) {
  discovery::ContainerDiscovery::Options o;
  o.procfs = root + "/proc";
  o.pod_logs_dir = root + "/var/log/pods";
  o.container_logs_dir = root + "/var/log/containers";
  o.docker_containers_dir = root + "/var/lib/docker/containers";
  o.containerd_task_dirs = {root + "/run/containerd/io.containerd.runtime.v2.task/k8s.io"};
  o.crio_container_dirs = {root + "/run/containers/storage/overlay-containers"};
  o.clock = clock;
  return o;
}

class CollectorTest : public ::testing::Test {
 protected:
  // Collects once from fixture host root `root` into sink_.
  void CollectFrom(const std::string& root, CgroupCollectorOptions options = {}) {
    discovery_ = std::make_unique<discovery::ContainerDiscovery>(DiscoveryOptions(root, &clock_));
    options.cgroup_root = root + "/sys/fs/cgroup";
    options.procfs = root + "/proc";
    options.sysfs = root + "/sys";
    options.discovery = discovery_.get();
    auto c = CgroupCollector::Create(options);
    ASSERT_TRUE(c.ok()) << c.status();
    collector_ = *std::move(c);
    ASSERT_TRUE(collector_->Collect(&sink_).ok());
  }

  double Value(const std::string& family, Labels match) {
    std::optional<double> v = sink_.Find(family, match);
    EXPECT_TRUE(v.has_value()) << family << " with " << match.begin()->second << ": " << sink_.Count(family, match)
                               << " matches";
    return v.value_or(-1);
  }

  FakeClock clock_;
  std::unique_ptr<discovery::ContainerDiscovery> discovery_;
  std::unique_ptr<CgroupCollector> collector_;
  RecordingSink sink_;
};

TEST_F(CollectorTest, V2ContainerdSystemdDriver) {
  CollectFrom(Fixture("v2"));
  EXPECT_EQ(collector_->layout().mode, CgroupMode::kV2);
  const Labels app = {{"id", kV2AppId}};

  EXPECT_EQ(sink_.LabelsOf("container_memory_working_set_bytes", kV2AppId),
            (Labels{{"id", kV2AppId},
                    {"name", kV2App},
                    {"image", "registry.example/shop/web:1.4.2"},
                    {"container", "app"},
                    {"pod", "web-0"},
                    {"namespace", "shop"}}));
  EXPECT_DOUBLE_EQ(Value("container_cpu_usage_seconds_total", {{"id", kV2AppId}, {"cpu", "total"}}), 5.0);
  EXPECT_DOUBLE_EQ(Value("container_cpu_user_seconds_total", app), 3.0);
  EXPECT_DOUBLE_EQ(Value("container_cpu_system_seconds_total", app), 2.0);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_periods_total", app), 100);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_throttled_periods_total", app), 7);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_throttled_seconds_total", app), 0.25);
  EXPECT_DOUBLE_EQ(Value("container_memory_usage_bytes", app), 104857600);
  EXPECT_DOUBLE_EQ(Value("container_memory_working_set_bytes", app), 104857600 - 31457280);
  EXPECT_DOUBLE_EQ(Value("container_memory_rss", app), 62914560);
  EXPECT_DOUBLE_EQ(Value("container_memory_cache", app), 41943040);
  EXPECT_DOUBLE_EQ(Value("container_memory_swap", app), 1048576);
  EXPECT_DOUBLE_EQ(Value("container_memory_mapped_file", app), 4194304);
  EXPECT_DOUBLE_EQ(Value("container_memory_failcnt", app), 0);
  EXPECT_DOUBLE_EQ(Value("container_memory_max_usage_bytes", app), 157286400);
  EXPECT_DOUBLE_EQ(Value("container_spec_memory_limit_bytes", app), 268435456);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_quota", app), 50000);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_period", app), 100000);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_shares", app), 998);  // weight 39 back to shares, as cAdvisor
  EXPECT_DOUBLE_EQ(Value("container_oom_events_total", app), 1);
  EXPECT_DOUBLE_EQ(Value("container_processes", app), 2);
  EXPECT_DOUBLE_EQ(Value("container_threads", app), 12);
  EXPECT_DOUBLE_EQ(Value("container_pressure_cpu_waiting_seconds_total", app), 1.5);
  EXPECT_DOUBLE_EQ(Value("container_pressure_cpu_stalled_seconds_total", app), 0.5);
  EXPECT_DOUBLE_EQ(Value("container_pressure_memory_waiting_seconds_total", app), 0.25);
  EXPECT_DOUBLE_EQ(Value("container_pressure_memory_stalled_seconds_total", app), 0.125);
  EXPECT_DOUBLE_EQ(Value("container_pressure_io_waiting_seconds_total", app), 3);
  EXPECT_DOUBLE_EQ(Value("container_pressure_io_stalled_seconds_total", app), 2);
  EXPECT_DOUBLE_EQ(Value("container_fs_reads_bytes_total", {{"id", kV2AppId}, {"device", "/dev/sda"}}), 1048576);
  EXPECT_DOUBLE_EQ(Value("container_fs_writes_bytes_total", {{"id", kV2AppId}, {"device", "/dev/sda"}}), 2097152);
  EXPECT_DOUBLE_EQ(Value("container_fs_reads_total", {{"id", kV2AppId}, {"device", "/dev/sda"}}), 10);
  EXPECT_DOUBLE_EQ(Value("container_fs_writes_total", {{"id", kV2AppId}, {"device", "/dev/sda"}}), 20);
  EXPECT_DOUBLE_EQ(Value("container_fs_reads_bytes_total", {{"id", kV2AppId}, {"device", "/dev/dm-0"}}), 4096);
  // App containers share the sandbox's network namespace: no network rows of their own.
  EXPECT_EQ(sink_.Count("container_network_receive_bytes_total", app), 0);

  // The sandbox: container="" (absent), the pod's network from /proc/4242/net/dev, loopback left out.
  const Labels sandbox = {{"id", kV2SandboxId}};
  EXPECT_EQ(sink_.LabelsOf("container_memory_usage_bytes", kV2SandboxId),
            (Labels{{"id", kV2SandboxId}, {"name", kV2Sandbox}, {"pod", "web-0"}, {"namespace", "shop"}}));
  EXPECT_DOUBLE_EQ(Value("container_memory_working_set_bytes", sandbox), 0);  // inactive_file > usage: floored
  EXPECT_EQ(sink_.Count("container_network_receive_bytes_total", sandbox), 1);
  const Labels eth0 = {{"id", kV2SandboxId}, {"interface", "eth0"}};
  EXPECT_DOUBLE_EQ(Value("container_network_receive_bytes_total", eth0), 123456);
  EXPECT_DOUBLE_EQ(Value("container_network_receive_packets_total", eth0), 789);
  EXPECT_DOUBLE_EQ(Value("container_network_receive_errors_total", eth0), 1);
  EXPECT_DOUBLE_EQ(Value("container_network_receive_packets_dropped_total", eth0), 2);
  EXPECT_DOUBLE_EQ(Value("container_network_transmit_bytes_total", eth0), 654321);
  EXPECT_DOUBLE_EQ(Value("container_network_transmit_packets_total", eth0), 987);
  EXPECT_DOUBLE_EQ(Value("container_network_transmit_errors_total", eth0), 3);
  EXPECT_DOUBLE_EQ(Value("container_network_transmit_packets_dropped_total", eth0), 4);
  EXPECT_EQ(sink_.Count("container_spec_cpu_quota", sandbox), 0);  // "max": no quota

  // The pod cgroup: pod and namespace, no container, no image (as the kubelet labels it).
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kV2Pod),
            (Labels{{"id", kV2Pod}, {"cpu", "total"}, {"pod", "web-0"}, {"namespace", "shop"}}));

  // The machine: usage = anon + file of the root memory.stat; host network without lo and veth*.
  EXPECT_DOUBLE_EQ(Value("container_memory_usage_bytes", {{"id", "/"}}), 3221225472.0);
  EXPECT_DOUBLE_EQ(Value("container_memory_working_set_bytes", {{"id", "/"}}), 2147483648.0);
  EXPECT_DOUBLE_EQ(Value("container_cpu_usage_seconds_total", {{"id", "/"}}), 900);
  EXPECT_EQ(sink_.Count("container_network_receive_bytes_total", {{"id", "/"}}), 1);
  EXPECT_DOUBLE_EQ(Value("container_network_receive_bytes_total", {{"id", "/"}, {"interface", "ens3"}}), 999999);
  EXPECT_EQ(sink_.Count("container_spec_memory_limit_bytes", {{"id", "/"}}), 0);

  // Aggregates and services.
  EXPECT_DOUBLE_EQ(Value("container_spec_memory_limit_bytes", {{"id", "/kubepods.slice"}}), 0);  // "max"
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", "/system.slice/containerd.service")["name"],
            "containerd.service");

  // Types and units; each family started once per cycle.
  const auto& f = sink_.families();
  EXPECT_EQ(f.at("container_cpu_usage_seconds_total").type, exposition::MetricType::kCounter);
  EXPECT_EQ(f.at("container_cpu_usage_seconds_total").unit, "seconds");
  EXPECT_EQ(f.at("container_memory_working_set_bytes").type, exposition::MetricType::kGauge);
  EXPECT_EQ(f.at("container_fs_reads_bytes_total").type, exposition::MetricType::kCounter);
  EXPECT_EQ(f.at("container_network_transmit_packets_dropped_total").type, exposition::MetricType::kCounter);
  for (const auto& [name, info] : f) EXPECT_EQ(info.starts, 1) << name;
  // 7 cgroups: root, kubepods, burstable, pod, app, sandbox, system.slice, containerd.service.
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total"), 8);
}

TEST_F(CollectorTest, V1DockerCgroupfsDriver) {
  CgroupCollectorOptions options;
  options.label_allowlist = {"team", "absent.label"};
  CollectFrom(Fixture("v1"), options);
  const CgroupLayout& layout = collector_->layout();
  EXPECT_EQ(layout.mode, CgroupMode::kV1);
  EXPECT_EQ(layout.cpu, layout.cpuacct);  // co-mounted "cpu,cpuacct"
  const Labels app = {{"id", kV1AppId}};

  EXPECT_EQ(sink_.LabelsOf("container_memory_rss", kV1AppId),
            (Labels{{"id", kV1AppId},
                    {"name", "k8s_api_api-7d9c_payments_" + kV1PodUid + "_0"},
                    {"image", "registry.example/payments/api:2.0"},
                    {"container", "api"},
                    {"pod", "api-7d9c"},
                    {"namespace", "payments"},
                    {"container_label_team", "payments-core"}}));
  EXPECT_DOUBLE_EQ(Value("container_cpu_usage_seconds_total", app), 7.5);
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(Value("container_cpu_user_seconds_total", app), 450 / hz);
  EXPECT_DOUBLE_EQ(Value("container_cpu_system_seconds_total", app), 250 / hz);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_periods_total", app), 300);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_throttled_periods_total", app), 12);
  EXPECT_DOUBLE_EQ(Value("container_cpu_cfs_throttled_seconds_total", app), 1.5);
  EXPECT_DOUBLE_EQ(Value("container_memory_usage_bytes", app), 146800640);
  EXPECT_DOUBLE_EQ(Value("container_memory_working_set_bytes", app), 146800640 - 20971520);  // total_inactive_file
  EXPECT_DOUBLE_EQ(Value("container_memory_rss", app), 94371840);                            // total_rss
  EXPECT_DOUBLE_EQ(Value("container_memory_cache", app), 52428800);
  EXPECT_DOUBLE_EQ(Value("container_memory_mapped_file", app), 8388608);
  EXPECT_DOUBLE_EQ(Value("container_memory_swap", app), 0);
  EXPECT_DOUBLE_EQ(Value("container_memory_failcnt", app), 5);
  EXPECT_DOUBLE_EQ(Value("container_memory_max_usage_bytes", app), 188743680);
  EXPECT_DOUBLE_EQ(Value("container_spec_memory_limit_bytes", app), 268435456);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_quota", app), 50000);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_period", app), 100000);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_shares", app), 256);
  EXPECT_DOUBLE_EQ(Value("container_oom_events_total", app), 2);
  EXPECT_DOUBLE_EQ(Value("container_threads", app), 8);
  EXPECT_DOUBLE_EQ(Value("container_processes", app), 3);
  // CFQ files hold only "Total 0"; the throttle layer's counts are used.
  EXPECT_DOUBLE_EQ(Value("container_fs_reads_bytes_total", {{"id", kV1AppId}, {"device", "/dev/sda"}}), 4096000);
  EXPECT_DOUBLE_EQ(Value("container_fs_writes_bytes_total", {{"id", kV1AppId}, {"device", "/dev/sda"}}), 8192000);
  EXPECT_DOUBLE_EQ(Value("container_fs_reads_total", {{"id", kV1AppId}, {"device", "/dev/sda"}}), 250);
  EXPECT_DOUBLE_EQ(Value("container_fs_writes_total", {{"id", kV1AppId}, {"device", "/dev/sda"}}), 500);
  EXPECT_EQ(sink_.Count("container_network_receive_bytes_total", app), 0);    // NetworkMode container:<sandbox>
  EXPECT_EQ(sink_.Count("container_pressure_cpu_waiting_seconds_total"), 0);  // no PSI on plain v1

  // The sandbox ("POD" in Docker's labels) gets container="" and the pod's network.
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kV1SandboxId)["container"], "");
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kV1SandboxId)["image"], "registry.k8s.io/pause:3.9");
  EXPECT_DOUBLE_EQ(Value("container_network_receive_bytes_total", {{"id", kV1SandboxId}, {"interface", "eth0"}}), 5000);

  // The pod row takes its names from /var/log/pods.
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kV1Pod)["pod"], "api-7d9c");
  // Root: quota -1 is not exported; an unlimited memory limit is 0.
  EXPECT_EQ(sink_.Count("container_spec_cpu_quota", {{"id", "/"}}), 0);
  EXPECT_DOUBLE_EQ(Value("container_spec_memory_limit_bytes", {{"id", "/"}}), 0);
}

TEST_F(CollectorTest, HybridCrioDockerAndServices) {
  CollectFrom(Fixture("hybrid"));
  const CgroupLayout& layout = collector_->layout();
  EXPECT_EQ(layout.mode, CgroupMode::kHybrid);
  EXPECT_NE(layout.cpu, layout.cpuacct);  // mounted apart, as on the development host

  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kHyAppId),
            (Labels{{"id", kHyAppId},
                    {"cpu", "total"},
                    {"name", std::string(64, 'e')},
                    {"image", "quay.io/example/worker:7"},
                    {"container", "worker"},
                    {"pod", "batch-x1"},
                    {"namespace", "jobs"}}));
  EXPECT_DOUBLE_EQ(Value("container_cpu_usage_seconds_total", {{"id", kHyAppId}}), 2.5);
  // PSI comes from the unified tree.
  EXPECT_DOUBLE_EQ(Value("container_pressure_cpu_waiting_seconds_total", {{"id", kHyAppId}}), 2.5);
  EXPECT_DOUBLE_EQ(Value("container_pressure_cpu_stalled_seconds_total", {{"id", kHyAppId}}), 1.25);
  EXPECT_DOUBLE_EQ(Value("container_pressure_io_stalled_seconds_total", {{"id", kHyAppId}}), 0.03);
  EXPECT_DOUBLE_EQ(Value("container_pressure_cpu_waiting_seconds_total", {{"id", "/"}}), 7);
  EXPECT_EQ(sink_.Count("container_pressure_cpu_waiting_seconds_total", {{"id", "/system.slice"}}), 0);

  // conmon is exported as a plain cgroup without pod labels.
  EXPECT_EQ(sink_.LabelsOf("container_cpu_usage_seconds_total", kHyConmonId),
            (Labels{{"id", kHyConmonId}, {"cpu", "total"}}));

  // Standalone Docker container: Docker's name and image, its own network namespace.
  EXPECT_EQ(sink_.LabelsOf("container_memory_usage_bytes", kHyDockerId),
            (Labels{{"id", kHyDockerId}, {"name", "nginx"}, {"image", "nginx:1.25"}}));
  EXPECT_DOUBLE_EQ(Value("container_network_receive_bytes_total", {{"id", kHyDockerId}}), 42);
  EXPECT_DOUBLE_EQ(Value("container_spec_cpu_quota", {{"id", kHyDockerId}}), 200000);

  EXPECT_EQ(sink_.LabelsOf("container_memory_usage_bytes", "/system.slice/ssh.service")["name"], "ssh.service");
}

TEST_F(CollectorTest, IncludeAndExcludePatterns) {
  CgroupCollectorOptions options;
  options.include = {"/kubepods.*", "/system\\.slice/docker-.*"};
  options.exclude = {".*crio-conmon-.*"};
  CollectFrom(Fixture("hybrid"), options);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total", {{"id", "/"}}), 0);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total", {{"id", kHyConmonId}}), 0);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total", {{"id", "/system.slice/ssh.service"}}), 0);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total", {{"id", kHyAppId}}), 1);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total", {{"id", kHyDockerId}}), 1);
  EXPECT_EQ(sink_.Count("container_cpu_usage_seconds_total"), 5);  // kubepods, besteffort, pod, app, docker
}

TEST(CgroupCollectorCreateTest, RejectsBadPatternsAndMissingRoot) {
  CgroupCollectorOptions options;
  options.cgroup_root = Fixture("v2") + "/sys/fs/cgroup";
  options.include = {"/kubepods(.*"};
  auto c = CgroupCollector::Create(options);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("invalid include pattern \"/kubepods(.*\""), std::string_view::npos)
      << c.status();

  options.include.clear();
  options.cgroup_root = Fixture("does-not-exist");
  c = CgroupCollector::Create(options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
}

TEST(CgroupCollectorVanishTest, RemovedCgroupIsDroppedAndUnlabeledWithoutDiscovery) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::path(::testing::TempDir()) / "cgroup_vanish";
  fs::remove_all(tmp);
  fs::copy(Fixture("v2"), tmp, fs::copy_options::recursive);
  CgroupCollectorOptions options;
  options.cgroup_root = (tmp / "sys/fs/cgroup").string();
  options.procfs = (tmp / "proc").string();
  auto c = CgroupCollector::Create(options);
  ASSERT_TRUE(c.ok()) << c.status();
  RecordingSink sink;
  ASSERT_TRUE((*c)->Collect(&sink).ok());
  EXPECT_EQ(sink.Count("container_cpu_usage_seconds_total"), 8);
  // No discovery: only `id` (and metric-specific labels); no network rows since nothing is known to own one.
  EXPECT_EQ(sink.LabelsOf("container_memory_rss", kV2AppId), (Labels{{"id", kV2AppId}}));
  EXPECT_EQ(sink.Count("container_network_receive_bytes_total"), 0);

  fs::remove_all(tmp / ("sys/fs/cgroup" + kV2AppId));
  sink.Clear();
  ASSERT_TRUE((*c)->Collect(&sink).ok());
  EXPECT_EQ(sink.Count("container_cpu_usage_seconds_total"), 7);
  EXPECT_EQ(sink.Count("container_memory_rss", {{"id", kV2AppId}}), 0);
  EXPECT_EQ((*c)->cgroup_count(), 7u);
  fs::remove_all(tmp);
}

TEST(BlockDeviceNamesTest, UeventThenPartitionsThenNumbers) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::path(::testing::TempDir()) / "blockdev";
  fs::remove_all(tmp);
  fs::create_directories(tmp / "sys/dev/block/8:16");
  std::ofstream(tmp / "sys/dev/block/8:16/uevent") << "MAJOR=8\nMINOR=16\nDEVNAME=sdb\nDEVTYPE=disk\n";
  fs::create_directories(tmp / "proc");
  std::ofstream(tmp / "proc/partitions") << "major minor  #blocks  name\n\n 259        0  500107608 nvme0n1\n";
  BlockDeviceNames names((tmp / "sys").string(), (tmp / "proc").string());
  EXPECT_EQ(names.Name(8, 16), "/dev/sdb");
  EXPECT_EQ(names.Name(259, 0), "/dev/nvme0n1");
  EXPECT_EQ(names.Name(9, 9), "9:9");
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace vigil::agent::cgroup
