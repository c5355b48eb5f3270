// CPU cost of one full collection cycle over a generated cgroup v2 host with 300 containers (100 pods of a
// sandbox and two app containers, systemd driver, containerd), discovery included. Target: <= 20 ms per cycle.
//
//   bazel run -c opt //agent/collectors/cgroup:cgroup_collector_benchmark
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/collector/testing/counting_sink.h"
#include "agent/collectors/cgroup/cgroup_collector.h"
#include "agent/discovery/container_discovery.h"
#include "benchmark/benchmark.h"

namespace vigil::agent::cgroup {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string MemoryStat(uint64_t anon, uint64_t file) {
  std::string s = absl::StrCat("anon ", anon, "\nfile ", file, "\n");
  for (const char* k : {"kernel", "kernel_stack", "pagetables", "sec_pagetables", "percpu", "sock", "vmalloc", "shmem",
                        "zswap", "zswapped"}) {
    absl::StrAppend(&s, k, " 4096\n");
  }
  absl::StrAppend(&s, "file_mapped 8192\nfile_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\n");
  absl::StrAppend(&s, "inactive_anon ", anon, "\nactive_anon 0\ninactive_file ", file / 2, "\nactive_file ", file / 2,
                  "\nunevictable 0\n");
  for (const char* k : {"slab_reclaimable",
                        "slab_unreclaimable",
                        "slab",
                        "workingset_refault_anon",
                        "workingset_refault_file",
                        "workingset_activate_anon",
                        "workingset_activate_file",
                        "workingset_restore_anon",
                        "workingset_restore_file",
                        "workingset_nodereclaim",
                        "pgscan",
                        "pgsteal",
                        "pgscan_kswapd",
                        "pgscan_direct",
                        "pgsteal_kswapd",
                        "pgsteal_direct",
                        "pgfault",
                        "pgmajfault",
                        "pgrefill",
                        "pgactivate",
                        "pgdeactivate",
                        "pglazyfree",
                        "pglazyfreed",
                        "thp_fault_alloc",
                        "thp_collapse_alloc"}) {
    absl::StrAppend(&s, k, " 123\n");
  }
  return s;
}

const char kPsi[] =
    "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=654\n";

void WriteCgroup(const fs::path& d, int pid, uint64_t seed) {
  Write(d / "cgroup.procs", pid > 0 ? absl::StrCat(pid, "\n") : "");
  Write(d / "cgroup.controllers", "cpuset cpu io memory pids\n");
  Write(d / "cpu.stat",
        absl::StrCat("usage_usec ", seed * 1000, "\nuser_usec ", seed * 600, "\nsystem_usec ", seed * 400,
                     "\nnr_periods 100\nnr_throttled 3\nthrottled_usec 5000\n", "nr_bursts 0\nburst_usec 0\n"));
  Write(d / "memory.current", absl::StrCat(seed * 4096, "\n"));
  Write(d / "memory.stat", MemoryStat(seed * 2048, seed * 2048));
  Write(d / "memory.swap.current", "0\n");
  Write(d / "memory.peak", absl::StrCat(seed * 8192, "\n"));
  Write(d / "memory.max", "268435456\n");
  Write(d / "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
  Write(d / "cpu.max", "50000 100000\n");
  Write(d / "cpu.weight", "39\n");
  Write(d / "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
  Write(d / "pids.current", "3\n");
  Write(d / "cpu.pressure", kPsi);
  Write(d / "memory.pressure", kPsi);
  Write(d / "io.pressure", kPsi);
}

// Builds the host under `root`; returns the number of container cgroups.
int GenerateHost(const fs::path& root) {
  const fs::path cg = root / "sys/fs/cgroup";
  WriteCgroup(cg, 1, 999);
  const fs::path kp = cg / "kubepods.slice";
  WriteCgroup(kp, 0, 500);
  const fs::path bu = kp / "kubepods-burstable.slice";
  WriteCgroup(bu, 0, 400);
  Write(root / "proc/partitions", "major minor  #blocks  name\n\n   8        0  104857600 sda\n");
  int containers = 0;
  for (int p = 0; p < 100; ++p) {
    const std::string uid = absl::StrFormat("%08x-0000-4000-8000-%012x", p, p);
    std::string uid_ = uid;
    for (char& c : uid_) c = c == '-' ? '_' : c;
    const fs::path pod = bu / absl::StrCat("kubepods-burstable-pod", uid_, ".slice");
    WriteCgroup(pod, 0, 300 + p);
    Write(root / "var/log/pods" / absl::StrCat("bench_pod-", p, "_", uid) / "app/0.log", "");
    for (int c = 0; c < 3; ++c) {
      const std::string id = absl::StrFormat("%032x%032x", p, c);
      const int pid = 10000 + p * 10 + c;
      WriteCgroup(pod / absl::StrCat("cri-containerd-", id, ".scope"), pid, 100 + c);
      const bool sandbox = c == 0;
      Write(root / "run/containerd/k8s.io" / id / "config.json",
            absl::StrCat(R"({"ociVersion":"1.1.0","annotations":{"io.kubernetes.cri.container-type":")",
                         sandbox ? "sandbox" : "container", R"(","io.kubernetes.cri.container-name":")",
                         sandbox ? "" : absl::StrCat("c", c), R"(","io.kubernetes.cri.image-name":"img:1",)",
                         R"("io.kubernetes.cri.sandbox-name":"pod-)", p,
                         R"(","io.kubernetes.cri.sandbox-namespace":"bench","io.kubernetes.cri.sandbox-uid":")", uid,
                         R"("}})"));
      if (sandbox) {
        Write(root / "proc" / absl::StrCat(pid) / "net/dev",
              "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n"
              "    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n");
      }
      ++containers;
    }
  }
  return containers;
}

void BM_CollectV2Host300Containers(benchmark::State& state) {
  const fs::path root = fs::temp_directory_path() / absl::StrCat("vigil_cgroup_bench_", ::getpid());
  fs::remove_all(root);
  const int containers = GenerateHost(root);

  discovery::ContainerDiscovery::Options dopts;
  dopts.procfs = (root / "proc").string();
  dopts.pod_logs_dir = (root / "var/log/pods").string();
  dopts.container_logs_dir = (root / "var/log/containers").string();
  dopts.docker_containers_dir = "";
  dopts.containerd_task_dirs = {(root / "run/containerd/k8s.io").string()};
  dopts.crio_container_dirs = {};
  discovery::ContainerDiscovery discovery(dopts);
  CgroupCollectorOptions options;
  options.cgroup_root = (root / "sys/fs/cgroup").string();
  options.procfs = (root / "proc").string();
  options.sysfs = (root / "sys").string();
  options.discovery = &discovery;
  auto collector = CgroupCollector::Create(options);
  if (!collector.ok()) {
    state.SkipWithError(collector.status().ToString().c_str());
    return;
  }
  CountingSink warm;
  (void)(*collector)->Collect(&warm);  // first cycle resolves metadata; steady state is what is measured
  int64_t samples = 0;
  for (auto _ : state) {
    CountingSink sink;
    if (!(*collector)->Collect(&sink).ok()) state.SkipWithError("collect failed");
    samples = sink.samples;
  }
  state.counters["containers"] = containers;
  state.counters["cgroups"] = static_cast<double>((*collector)->cgroup_count());
  state.counters["samples_per_cycle"] = static_cast<double>(samples);
  fs::remove_all(root);
}
BENCHMARK(BM_CollectV2Host300Containers)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::agent::cgroup
