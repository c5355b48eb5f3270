// One cgroup's figures for one cycle, in the units the metrics are exported in (seconds, bytes, counts), and
// the reader filling them from cgroupfs in any of the three layouts. The collector keeps one CgroupStats per
// cgroup and reuses it every cycle, so a steady-state cycle allocates nothing here.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_STATS_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_STATS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/cgroup/cgroup_layout.h"
#include "agent/collectors/cgroup/file_reader.h"
#include "agent/collectors/cgroup/stat_parse.h"

namespace vigil::agent::cgroup {

// The scalar figures; each is present or not for a given cgroup (a controller not enabled, a kernel too old).
enum Field : int {
  kCpuUsageSeconds,
  kCpuUserSeconds,
  kCpuSystemSeconds,
  kCfsPeriods,
  kCfsThrottledPeriods,
  kCfsThrottledSeconds,
  kMemoryUsage,
  kMemoryWorkingSet,
  kMemoryRss,
  kMemoryCache,
  kMemorySwap,
  kMemoryMappedFile,
  kMemoryFailcnt,
  kMemoryMaxUsage,
  kSpecMemoryLimit,
  kSpecCpuQuota,
  kSpecCpuPeriod,
  kSpecCpuShares,
  kOomEvents,
  kProcesses,
  kThreads,
  kPressureCpuWaiting,
  kPressureCpuStalled,
  kPressureMemoryWaiting,
  kPressureMemoryStalled,
  kPressureIoWaiting,
  kPressureIoStalled,
  kFieldCount,
};

// One interface's counters; `name` keeps its capacity across cycles.
struct InterfaceStats {
  std::string name;
  NetDevCounters counters;  // counters.interface is not used (it points into a read buffer)
};

struct CgroupStats {
  double value[kFieldCount] = {};
  uint64_t present = 0;  // bit i: value[i] is set
  std::vector<DeviceIo> io;
  std::vector<InterfaceStats> net;  // the first `net_count` are this cycle's
  size_t net_count = 0;
  int64_t first_pid = 0;  // a process of the cgroup (0: none), for its network namespace

  bool has(Field f) const { return (present >> f) & 1; }
  void Set(Field f, double v) {
    value[f] = v;
    present |= uint64_t{1} << f;
  }
  void Clear() {
    present = 0;
    io.clear();
    net_count = 0;
    first_pid = 0;
  }
};

// Reads the figures of one cgroup from every hierarchy of `layout`. Not thread-safe; one per collector.
class CgroupStatsReader {
 public:
  explicit CgroupStatsReader(const CgroupLayout& layout);

  // Fills `out` (cleared first) for cgroup `path` ("/" or "/a/b"). False when the cgroup vanished (it exists in
  // no hierarchy any more, or the kernel said so mid-read); `out` is then to be ignored.
  bool Read(std::string_view path, CgroupStats* out);

  // Reads <procfs>/<pid>/net/dev into `out` (interfaces cAdvisor ignores are skipped). False when the process
  // is gone.
  bool ReadNetwork(std::string_view procfs, int64_t pid, CgroupStats* out);

 private:
  DirFd OpenDir(const std::string& hierarchy, std::string_view path);
  bool ReadV2(int dir, bool is_root, CgroupStats* out);
  void ReadV1Cpu(int cpu_dir, int cpuacct_dir, CgroupStats* out);
  void ReadV1Memory(int dir, CgroupStats* out);
  void ReadV1Blkio(int dir, CgroupStats* out);
  void ReadPressure(int dir, CgroupStats* out);
  void ReadProcs(int dir, CgroupStats* out);
  void ReadUint(int dir, const char* file, Field f, double scale, CgroupStats* out);

  const CgroupLayout layout_;
  const double clk_tck_;
  FileReader reader_;
  std::string path_;
  bool vanished_ = false;
};

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_CGROUP_STATS_H_
