// Unit tests of the node collectors on the fixture tree testdata/basic (see testdata/README.md).
#include "agent/collectors/node/node_collectors.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "agent/collector/testing/recording_sink.h"
#include "base/clock/clock.h"
#include "gtest/gtest.h"

namespace vigil::agent::node {
namespace {

using exposition::MetricType;
using ::testing::Test;

constexpr char kBasic[] = "agent/collectors/node/testdata/basic";

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

void WriteFile(const std::string& path, std::string_view contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << contents;
}

// statfs answers for the fixture's mount points (by suffix of the path asked), uname, and a fixed time zone.
class FakeSystem : public NodeSystem {
 public:
  absl::Status Statfs(const std::string& path, StatfsResult* out) override {
    asked.push_back(path);
    for (const auto& [suffix, result] : results) {
      if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
        *out = result;
        return absl::OkStatus();
      }
    }
    return absl::UnavailableError("statfs " + path + ": Stale file handle");
  }
  absl::Status Uname(UnameResult* out) override {
    *out = {"Linux", "node-1", "6.1.0-18-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1", "x86_64", "(none)"};
    return absl::OkStatus();
  }
  void TimeZone(absl::Time, std::string* name, int64_t* offset) override {
    *name = "CET";
    *offset = 3600;
  }
  std::map<std::string, StatfsResult> results;
  std::vector<std::string> asked;
};

class NodeCollectorsTest : public Test {
 protected:
  void SetUp() override {
    const std::string udev = TmpDir() + "/udev";
    std::filesystem::create_directories(udev);
    for (const char* name : {"b259", "b253"}) {
      std::filesystem::copy_file(std::string(kBasic) + "/udev/" + name + "_0", udev + "/" + name + ":0",
                                 std::filesystem::copy_options::overwrite_existing);
    }
    options_.procfs = std::string(kBasic) + "/proc";
    options_.sysfs = std::string(kBasic) + "/sys";
    options_.rootfs = std::string(kBasic) + "/root";
    options_.udev_data = udev;
    options_.clock = &clock_;
    options_.system = &system_;
    system_.results["/root"] = {4096, 1000, 400, 300, 5000, 4000};
    system_.results["/srv/my data"] = {512, 10, 5, 4, 100, 50};
    system_.results["/run"] = {4096, 2, 1, 1, 10, 9};
  }

  // Runs one named collector into sink_ and checks the sink saw no protocol errors.
  void Run(std::string_view name) {
    options_.enabled = {std::string(name)};
    auto collectors = NewNodeCollectors(options_);
    ASSERT_EQ(collectors.size(), 1u);
    EXPECT_EQ(collectors[0]->name(), name);
    absl::Status s = collectors[0]->Collect(&sink_);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(sink_.errors().empty()) << sink_.errors()[0];
  }

  double V(std::string_view name, std::string_view labels = "") {
    std::optional<double> v = sink_.Value(name, labels);
    EXPECT_TRUE(v.has_value()) << name << labels << " missing";
    return v.value_or(NAN);
  }
  bool Has(std::string_view name, std::string_view labels = "") { return sink_.Value(name, labels).has_value(); }
  const RecordingSink::RecordedFamily& F(const std::string& name) {
    static const RecordingSink::RecordedFamily kEmpty;
    auto it = sink_.families().find(name);
    EXPECT_NE(it, sink_.families().end()) << name;
    return it == sink_.families().end() ? kEmpty : it->second;
  }

  FakeClock clock_{absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250)};
  FakeSystem system_;
  NodeOptions options_;
  RecordingSink sink_;
};

TEST_F(NodeCollectorsTest, FactoryAndValidation) {
  EXPECT_EQ(NodeCollectorNames().size(), 14u);
  NodeOptions defaults;
  EXPECT_TRUE(ValidateNodeOptions(defaults).ok());
  EXPECT_EQ(NewNodeCollectors(defaults).size(), 14u);
  defaults.enabled = {"cpu", "os"};
  auto two = NewNodeCollectors(defaults);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0]->name(), "cpu");
  EXPECT_EQ(two[1]->name(), "os");

  defaults.enabled = {"cpu", "ntp"};
  absl::Status s = ValidateNodeOptions(defaults);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_NE(s.message().find("\"ntp\""), std::string_view::npos) << s;

  NodeOptions bad;
  bad.netdev_device_exclude = "^(lo";
  s = ValidateNodeOptions(bad);
  EXPECT_NE(s.message().find("netdev_device_exclude"), std::string_view::npos) << s;
  bad.enabled = {"netdev"};
  auto netdev = NewNodeCollectors(bad);
  ASSERT_EQ(netdev.size(), 1u);
  EXPECT_TRUE(absl::IsInvalidArgument(netdev[0]->Collect(&sink_)));
}

TEST_F(NodeCollectorsTest, Cpu) {
  Run("cpu");
  const RecordingSink::RecordedFamily& cpu = F("node_cpu_seconds_total");
  EXPECT_EQ(cpu.type, MetricType::kCounter);
  EXPECT_EQ(cpu.help, "Seconds the CPUs spent in each mode.");
  EXPECT_EQ(cpu.samples.size(), 16u);  // 2 CPUs x 8 modes; the "cpu" sum line is not exported
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"0\", mode=\"user\"}"), 4721.10);
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"1\", mode=\"idle\"}"), 5402.71);
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"1\", mode=\"steal\"}"), 2.52);
  EXPECT_EQ(F("node_cpu_guest_seconds_total").samples.size(), 4u);
  EXPECT_DOUBLE_EQ(V("node_cpu_guest_seconds_total", "{cpu=\"0\", mode=\"user\"}"), 1.2);
  EXPECT_DOUBLE_EQ(V("node_cpu_guest_seconds_total", "{cpu=\"0\", mode=\"nice\"}"), 0.07);
}

TEST_F(NodeCollectorsTest, CpuCountersNeverGoBackUnlessACpuWasReplugged) {
  const std::string procfs = TmpDir() + "/cpujump";
  options_.procfs = procfs;
  options_.enabled = {"cpu"};
  auto cpu = std::move(NewNodeCollectors(options_)[0]);
  const auto cycle = [&](std::string_view stat) {
    WriteFile(procfs + "/stat", stat);
    sink_.Clear();
    EXPECT_TRUE(cpu->Collect(&sink_).ok());
  };
  cycle("cpu 0 0 0 0\ncpu0 1000 0 500 100000 0 0 0 0 0 0\n");
  // Idle back by 1 s (accounting noise): held. User went up: taken.
  cycle("cpu 0 0 0 0\ncpu0 1100 0 500 99900 0 0 0 0 0 0\n");
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"0\", mode=\"idle\"}"), 1000.0);
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"0\", mode=\"user\"}"), 11.0);
  // Idle back by 5 s: the CPU was replugged, start over from the new values.
  cycle("cpu 0 0 0 0\ncpu0 10 0 5 99400 0 0 0 0 0 0\n");
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"0\", mode=\"idle\"}"), 994.0);
  EXPECT_DOUBLE_EQ(V("node_cpu_seconds_total", "{cpu=\"0\", mode=\"user\"}"), 0.1);
  // A malformed value is an error naming the file and the CPU.
  WriteFile(procfs + "/stat", "cpu0 1x 0 0 0\n");
  absl::Status s = cpu->Collect(&sink_);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_NE(s.message().find("cpu0"), std::string_view::npos) << s;
}

TEST_F(NodeCollectorsTest, Stat) {
  Run("stat");
  EXPECT_EQ(V("node_intr_total"), 7894242);
  EXPECT_EQ(V("node_context_switches_total"), 17283571);
  EXPECT_EQ(V("node_forks_total"), 286469);
  EXPECT_EQ(V("node_boot_time_seconds"), 1795316086);
  EXPECT_EQ(V("node_procs_running"), 7);
  EXPECT_EQ(V("node_procs_blocked"), 1);
  EXPECT_EQ(F("node_boot_time_seconds").type, MetricType::kGauge);
  EXPECT_EQ(F("node_forks_total").type, MetricType::kCounter);
}

TEST_F(NodeCollectorsTest, Meminfo) {
  Run("meminfo");
  EXPECT_EQ(sink_.families().size(), 54u);  // one family per line
  EXPECT_EQ(V("node_memory_MemTotal_bytes"), 24683656.0 * 1024);
  EXPECT_EQ(V("node_memory_Active_anon_bytes"), 1592.0 * 1024);
  EXPECT_EQ(V("node_memory_HugePages_Total"), 0);
  EXPECT_EQ(V("node_memory_Hugepagesize_bytes"), 2048.0 * 1024);
  EXPECT_EQ(F("node_memory_MemTotal_bytes").help, "Memory information field MemTotal_bytes.");
  EXPECT_EQ(F("node_memory_MemTotal_bytes").type, MetricType::kGauge);
  EXPECT_FALSE(Has("node_memory_Active(anon)_bytes"));
}

TEST_F(NodeCollectorsTest, MeminfoMalformed) {
  options_.procfs = TmpDir() + "/badmem";
  WriteFile(options_.procfs + "/meminfo", "MemTotal:  12 kB\nMemFree 7 kB\n");
  options_.enabled = {"meminfo"};
  absl::Status s = NewNodeCollectors(options_)[0]->Collect(&sink_);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_NE(s.message().find("MemFree"), std::string_view::npos) << s;
}

TEST_F(NodeCollectorsTest, LoadavgFilefdPressure) {
  Run("loadavg");
  Run("filefd");
  Run("pressure");
  EXPECT_DOUBLE_EQ(V("node_load1"), 2.40);
  EXPECT_DOUBLE_EQ(V("node_load5"), 1.05);
  EXPECT_DOUBLE_EQ(V("node_load15"), 0.99);
  EXPECT_EQ(F("node_load1").help, "1m load average.");
  EXPECT_EQ(V("node_filefd_allocated"), 1204);
  EXPECT_EQ(V("node_filefd_maximum"), 2466165);
  EXPECT_DOUBLE_EQ(V("node_pressure_cpu_waiting_seconds_total"), 706.726607);
  EXPECT_FALSE(Has("node_pressure_cpu_stalled_seconds_total"));
  EXPECT_DOUBLE_EQ(V("node_pressure_io_waiting_seconds_total"), 46.382286);
  EXPECT_DOUBLE_EQ(V("node_pressure_io_stalled_seconds_total"), 32.810424);
  EXPECT_DOUBLE_EQ(V("node_pressure_memory_waiting_seconds_total"), 0.0015);
  EXPECT_DOUBLE_EQ(V("node_pressure_memory_stalled_seconds_total"), 0.0005);
  EXPECT_EQ(F("node_pressure_io_stalled_seconds_total").help,
            "Total time in seconds no process could make progress due to IO congestion");
}

TEST_F(NodeCollectorsTest, PressureAbsentIsNotAnError) {
  options_.procfs = TmpDir() + "/nopsi";
  std::filesystem::create_directories(options_.procfs);
  Run("pressure");
  EXPECT_TRUE(sink_.families().empty());
}

TEST_F(NodeCollectorsTest, Vmstat) {
  Run("vmstat");
  EXPECT_EQ(sink_.families().size(), 7u);
  EXPECT_EQ(V("node_vmstat_pgfault"), 274303423);
  EXPECT_EQ(V("node_vmstat_pgpgin"), 21911209);
  EXPECT_EQ(V("node_vmstat_oom_kill"), 0);
  EXPECT_FALSE(Has("node_vmstat_nr_free_pages"));
  EXPECT_EQ(F("node_vmstat_pgfault").type, MetricType::kUnknown);
  EXPECT_EQ(F("node_vmstat_pgfault").help, "/proc/vmstat information field pgfault.");
  // A second cycle (cached pattern verdicts) gives the same.
  sink_.Clear();
  Run("vmstat");
  EXPECT_EQ(sink_.families().size(), 7u);
}

TEST_F(NodeCollectorsTest, Diskstats) {
  Run("diskstats");
  const RecordingSink::RecordedFamily& reads = F("node_disk_reads_completed_total");
  ASSERT_EQ(reads.samples.size(), 4u);  // vda, nvme0n1, sda, dm-0; partitions and loop0 excluded
  EXPECT_FALSE(Has("node_disk_reads_completed_total", "{device=\"vda1\"}"));
  EXPECT_FALSE(Has("node_disk_reads_completed_total", "{device=\"loop0\"}"));
  EXPECT_EQ(V("node_disk_reads_completed_total", "{device=\"vda\"}"), 381741);
  EXPECT_EQ(V("node_disk_read_bytes_total", "{device=\"vda\"}"), 41156122.0 * 512);
  EXPECT_DOUBLE_EQ(V("node_disk_read_time_seconds_total", "{device=\"vda\"}"), 398.195);
  EXPECT_EQ(V("node_disk_io_now", "{device=\"sda\"}"), 2);
  EXPECT_DOUBLE_EQ(V("node_disk_io_time_weighted_seconds_total", "{device=\"sda\"}"), 39496.676);
  EXPECT_EQ(V("node_disk_discarded_sectors_total", "{device=\"vda\"}"), 98409696);
  EXPECT_DOUBLE_EQ(V("node_disk_flush_requests_time_seconds_total", "{device=\"vda\"}"), 2.796);
  // Column counts: sda (11) has no discards, nvme0n1 (15) no flushes.
  EXPECT_FALSE(Has("node_disk_discards_completed_total", "{device=\"sda\"}"));
  EXPECT_TRUE(Has("node_disk_discards_completed_total", "{device=\"nvme0n1\"}"));
  EXPECT_FALSE(Has("node_disk_flush_requests_total", "{device=\"nvme0n1\"}"));
  EXPECT_EQ(F("node_disk_io_now").type, MetricType::kGauge);
  EXPECT_EQ(F("node_disk_writes_merged_total").help, "The number of writes merged.");
  EXPECT_EQ(V("node_disk_info",
              "{device=\"nvme0n1\", major=\"259\", minor=\"0\", model=\"Samsung SSD 970 EVO Plus 1TB\", "
              "path=\"pci-0000:01:00.0-nvme-1\", revision=\"2B2QEXM7\", serial=\"S4EWNX0R123456\", "
              "wwn=\"eui.0025385b91b12345\"}"),
            1);
  EXPECT_EQ(V("node_disk_info", "{device=\"vda\", major=\"254\", minor=\"0\"}"), 1);
  EXPECT_EQ(V("node_disk_filesystem_info",
              "{device=\"dm-0\", type=\"ext4\", usage=\"filesystem\", uuid=\"1234-5678\", version=\"1.0\"}"),
            1);
  EXPECT_EQ(V("node_disk_device_mapper_info",
              "{device=\"dm-0\", lv_name=\"root\", name=\"vg0-root\", uuid=\"LVM-abc\", vg_name=\"vg0\"}"),
            1);
}

TEST_F(NodeCollectorsTest, Filesystem) {
  Run("filesystem");
  const RecordingSink::RecordedFamily& err = F("node_filesystem_device_error");
  // "/", "/srv/my data", "/run" (once), "/mnt/stuck"; the rest excluded by mount point or type.
  ASSERT_EQ(err.samples.size(), 4u);
  EXPECT_EQ(V("node_filesystem_device_error", "{device=\"nfs:/export\", fstype=\"nfs4\", mountpoint=\"/mnt/stuck\"}"),
            1);
  EXPECT_FALSE(
      Has("node_filesystem_size_bytes", "{device=\"nfs:/export\", fstype=\"nfs4\", mountpoint=\"/mnt/stuck\"}"));
  const std::string root = "{device=\"/dev/vda\", fstype=\"ext4\", mountpoint=\"/\"}";
  EXPECT_EQ(V("node_filesystem_device_error", root), 0);
  EXPECT_EQ(V("node_filesystem_size_bytes", root), 4096.0 * 1000);
  EXPECT_EQ(V("node_filesystem_free_bytes", root), 4096.0 * 400);
  EXPECT_EQ(V("node_filesystem_avail_bytes", root), 4096.0 * 300);
  EXPECT_EQ(V("node_filesystem_files", root), 5000);
  EXPECT_EQ(V("node_filesystem_files_free", root), 4000);
  EXPECT_EQ(V("node_filesystem_readonly", root), 0);
  EXPECT_EQ(V("node_filesystem_readonly", "{device=\"/dev/vdc\", fstype=\"xfs\", mountpoint=\"/srv/my data\"}"), 1);
  EXPECT_EQ(F("node_filesystem_avail_bytes").help, "Filesystem space available to non-root users in bytes.");
  // statfs ran on the mount points under --path.rootfs.
  EXPECT_EQ(system_.asked[0], std::string(kBasic) + "/root");
}

TEST_F(NodeCollectorsTest, FilesystemStripsRootfsAndFallsBackToProcMounts) {
  options_.procfs = TmpDir() + "/mounts-fallback";
  options_.rootfs = "/host/root";
  WriteFile(options_.procfs + "/mounts",
            "/dev/sda1 /host/root ext4 rw 0 0\n/dev/sda2 /host/root/data ext4 ro 0 0\n"
            "/dev/sda3 /host/rootless ext4 rw 0 0\n");
  system_.results = {{"/host/root", {1, 1, 1, 1, 1, 1}},
                     {"/host/root/data", {1, 2, 2, 2, 2, 2}},
                     {"/host/root/host/rootless", {1, 3, 3, 3, 3, 3}}};
  Run("filesystem");
  EXPECT_EQ(V("node_filesystem_size_bytes", "{device=\"/dev/sda1\", fstype=\"ext4\", mountpoint=\"/\"}"), 1);
  EXPECT_EQ(V("node_filesystem_size_bytes", "{device=\"/dev/sda2\", fstype=\"ext4\", mountpoint=\"/data\"}"), 2);
  EXPECT_EQ(V("node_filesystem_size_bytes", "{device=\"/dev/sda3\", fstype=\"ext4\", mountpoint=\"/host/rootless\"}"),
            3);
}

TEST_F(NodeCollectorsTest, Netdev) {
  Run("netdev");
  EXPECT_EQ(F("node_network_receive_bytes_total").samples.size(), 3u);
  EXPECT_EQ(V("node_network_receive_bytes_total", "{device=\"lo\"}"), 26436990249.0);
  const char* kEth0 = "{device=\"eth0\"}";
  const std::pair<const char*, double> want[] = {
      {"receive_bytes", 80500940}, {"receive_packets", 1803},  {"receive_errs", 2},       {"receive_drop", 3},
      {"receive_fifo", 4},         {"receive_frame", 5},       {"receive_compressed", 6}, {"receive_multicast", 7},
      {"transmit_bytes", 85339},   {"transmit_packets", 1050}, {"transmit_errs", 8},      {"transmit_drop", 9},
      {"transmit_fifo", 10},       {"transmit_colls", 11},     {"transmit_carrier", 12},  {"transmit_compressed", 13},
      {"receive_nohandler", 42}};
  for (const auto& [stat, value] : want) {
    const std::string name = std::string("node_network_") + stat + "_total";
    EXPECT_EQ(V(name, kEth0), value) << name;
    EXPECT_EQ(F(name).type, MetricType::kCounter);
    EXPECT_EQ(F(name).help, std::string("Network device statistic ") + stat + ".");
  }
  EXPECT_FALSE(Has("node_network_receive_nohandler_total", "{device=\"lo\"}"));

  sink_.Clear();
  options_.netdev_device_exclude = "^(lo|veth.+)$";
  Run("netdev");
  EXPECT_EQ(F("node_network_receive_bytes_total").samples.size(), 1u);
}

TEST_F(NodeCollectorsTest, Netclass) {
  Run("netclass");
  EXPECT_EQ(F("node_network_up").samples.size(), 2u);  // bonding_masters is not a device
  EXPECT_EQ(V("node_network_up", "{device=\"eth0\"}"), 1);
  EXPECT_EQ(V("node_network_up", "{device=\"lo\"}"), 0);
  EXPECT_EQ(V("node_network_info",
              "{address=\"02:fc:00:00:00:01\", broadcast=\"ff:ff:ff:ff:ff:ff\", device=\"eth0\", duplex=\"full\", "
              "operstate=\"up\"}"),
            1);
  EXPECT_EQ(V("node_network_flags", "{device=\"eth0\"}"), 4099);
  EXPECT_EQ(V("node_network_flags", "{device=\"lo\"}"), 9);
  EXPECT_EQ(V("node_network_mtu_bytes", "{device=\"lo\"}"), 65536);
  EXPECT_EQ(V("node_network_speed_bytes", "{device=\"eth0\"}"), 1250000000);
  EXPECT_FALSE(Has("node_network_speed_bytes", "{device=\"lo\"}"));
  EXPECT_FALSE(Has("node_network_carrier", "{device=\"lo\"}"));
  EXPECT_EQ(V("node_network_carrier_changes_total", "{device=\"eth0\"}"), 2);
  EXPECT_EQ(F("node_network_carrier_changes_total").type, MetricType::kCounter);
  EXPECT_EQ(V("node_network_protocol_type", "{device=\"lo\"}"), 772);
  EXPECT_EQ(F("node_network_iface_id").help, "Network device property: iface_id");
}

TEST_F(NodeCollectorsTest, UnameTimeOs) {
  Run("uname");
  Run("time");
  Run("os");
  EXPECT_EQ(V("node_uname_info",
              "{domainname=\"(none)\", machine=\"x86_64\", nodename=\"node-1\", release=\"6.1.0-18-amd64\", "
              "sysname=\"Linux\", version=\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1\"}"),
            1);
  EXPECT_DOUBLE_EQ(V("node_time_seconds"), 1700000000.25);
  EXPECT_EQ(V("node_time_zone_offset_seconds", "{time_zone=\"CET\"}"), 3600);
  EXPECT_EQ(F("node_time_clocksource_available_info").samples.size(), 3u);
  EXPECT_EQ(V("node_time_clocksource_available_info", "{clocksource=\"acpi_pm\", device=\"0\"}"), 1);
  EXPECT_EQ(V("node_time_clocksource_current_info", "{clocksource=\"tsc\", device=\"0\"}"), 1);
  EXPECT_EQ(V("node_os_info",
              "{id=\"ubuntu\", id_like=\"debian\", name=\"Ubuntu\", pretty_name=\"Ubuntu 22.04.4 LTS\", "
              "version=\"22.04.4 LTS (Jammy Jellyfish)\", version_codename=\"jammy\", version_id=\"22.04\"}"),
            1);
  EXPECT_DOUBLE_EQ(V("node_os_version", "{id=\"ubuntu\", id_like=\"debian\", name=\"Ubuntu\"}"), 22.04);
}

TEST_F(NodeCollectorsTest, MissingProcfsIsAnErrorNamingThePath) {
  options_.procfs = TmpDir() + "/no-such-proc";
  for (const char* name : {"cpu", "stat", "meminfo", "loadavg", "vmstat", "filefd", "diskstats", "netdev"}) {
    options_.enabled = {name};
    absl::Status s = NewNodeCollectors(options_)[0]->Collect(&sink_);
    EXPECT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("no-such-proc"), std::string_view::npos) << s;
  }
}

TEST_F(NodeCollectorsTest, EveryCollectorOnTheFixtureTogether) {
  options_.enabled.clear();
  for (auto& c : NewNodeCollectors(options_)) {
    absl::Status s = c->Collect(&sink_);
    EXPECT_TRUE(s.ok()) << c->name() << ": " << s;
  }
  EXPECT_TRUE(sink_.errors().empty()) << sink_.errors()[0];
  for (const auto& [name, family] : sink_.families()) {
    EXPECT_EQ(name.rfind("node_", 0), 0u) << name;
    EXPECT_FALSE(family.help.empty()) << name;
  }
}

}  // namespace
}  // namespace vigil::agent::node
