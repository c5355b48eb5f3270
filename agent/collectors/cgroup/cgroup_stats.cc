#include "agent/collectors/cgroup/cgroup_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace vigil::agent::cgroup {
namespace {

constexpr double kMicro = 1e-6;
constexpr double kNano = 1e-9;
// cAdvisor's specMemoryValue: limits above 2^62 mean "unlimited" and are exported as 0.
constexpr uint64_t kUnlimitedMemory = uint64_t{1} << 62;

double MemoryLimit(uint64_t v) { return v > kUnlimitedMemory ? 0.0 : static_cast<double>(v); }

}  // namespace

CgroupStatsReader::CgroupStatsReader(const CgroupLayout& layout)
    : layout_(layout), clk_tck_(static_cast<double>(::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100)) {}

DirFd CgroupStatsReader::OpenDir(const std::string& hierarchy, std::string_view path) {
  if (hierarchy.empty()) return DirFd();
  path_.assign(hierarchy);
  if (path != "/") path_.append(path);
  return DirFd(path_.c_str());
}

void CgroupStatsReader::ReadUint(int dir, const char* file, Field f, double scale, CgroupStats* out) {
  std::string_view text;
  uint64_t v = 0;
  if (reader_.Read(dir, file, &text)) {
    if (ParseUint64(text, &v)) out->Set(f, static_cast<double>(v) * scale);
  } else if (reader_.vanished()) {
    vanished_ = true;
  }
}

bool CgroupStatsReader::Read(std::string_view path, CgroupStats* out) {
  out->Clear();
  vanished_ = false;
  const bool is_root = path == "/";
  if (layout_.mode == CgroupMode::kV2) {
    DirFd dir = OpenDir(layout_.unified, path);
    if (!dir.valid()) return false;
    return ReadV2(dir.fd(), is_root, out) && !vanished_;
  }
  DirFd cpu = OpenDir(layout_.cpu, path);
  DirFd cpuacct = layout_.cpuacct == layout_.cpu ? DirFd() : OpenDir(layout_.cpuacct, path);
  DirFd memory = OpenDir(layout_.memory, path);
  DirFd blkio = OpenDir(layout_.blkio, path);
  DirFd pids = OpenDir(layout_.pids, path);
  if (!cpu.valid() && !cpuacct.valid() && !memory.valid() && !blkio.valid() && !pids.valid()) return false;
  const int cpuacct_fd = layout_.cpuacct == layout_.cpu ? cpu.fd() : cpuacct.fd();
  ReadV1Cpu(cpu.fd(), cpuacct_fd, out);
  if (memory.valid()) ReadV1Memory(memory.fd(), out);
  if (blkio.valid()) ReadV1Blkio(blkio.fd(), out);
  if (pids.valid()) ReadUint(pids.fd(), "pids.current", kThreads, 1, out);
  // cgroup.procs from the first hierarchy that has this cgroup.
  for (const DirFd* d : {&pids, &memory, &cpu, &cpuacct, &blkio}) {
    if (d->valid()) {
      ReadProcs(d->fd(), out);
      break;
    }
  }
  if (layout_.mode == CgroupMode::kHybrid) {
    DirFd unified = OpenDir(layout_.unified, path);
    if (unified.valid()) ReadPressure(unified.fd(), out);
  }
  return !vanished_;
}

bool CgroupStatsReader::ReadV2(int dir, bool is_root, CgroupStats* out) {
  std::string_view text;
  if (reader_.Read(dir, "cpu.stat", &text)) {
    ForEachKeyValue(text, [out](std::string_view k, std::string_view v) {
      uint64_t n = 0;
      if (!ParseUint64(v, &n)) return;
      const double d = static_cast<double>(n);
      if (k == "usage_usec") {
        out->Set(kCpuUsageSeconds, d * kMicro);
      } else if (k == "user_usec") {
        out->Set(kCpuUserSeconds, d * kMicro);
      } else if (k == "system_usec") {
        out->Set(kCpuSystemSeconds, d * kMicro);
      } else if (k == "nr_periods") {
        out->Set(kCfsPeriods, d);
      } else if (k == "nr_throttled") {
        out->Set(kCfsThrottledPeriods, d);
      } else if (k == "throttled_usec") {
        out->Set(kCfsThrottledSeconds, d * kMicro);
      }
    });
  } else if (reader_.vanished() || ::faccessat(dir, "cgroup.procs", F_OK, 0) != 0) {
    // Every v2 cgroup has cpu.stat: without it the directory is gone.
    return false;
  }

  // memory.stat first: the root has no memory.current and its usage is anon + file.
  uint64_t anon = 0, file = 0, file_mapped = 0, inactive_file = 0;
  bool has_memory_stat = false;
  if (reader_.Read(dir, "memory.stat", &text)) {
    has_memory_stat = true;
    ForEachKeyValue(text, [&](std::string_view k, std::string_view v) {
      if (k == "anon") {
        ParseUint64(v, &anon);
      } else if (k == "file") {
        ParseUint64(v, &file);
      } else if (k == "file_mapped") {
        ParseUint64(v, &file_mapped);
      } else if (k == "inactive_file") {
        ParseUint64(v, &inactive_file);
      }
    });
  }
  if (has_memory_stat) {
    uint64_t usage = anon + file;
    if (!is_root && reader_.Read(dir, "memory.current", &text)) ParseUint64(text, &usage);
    out->Set(kMemoryUsage, static_cast<double>(usage));
    out->Set(kMemoryWorkingSet, usage > inactive_file ? static_cast<double>(usage - inactive_file) : 0.0);
    out->Set(kMemoryRss, static_cast<double>(anon));
    out->Set(kMemoryCache, static_cast<double>(file));
    out->Set(kMemoryMappedFile, static_cast<double>(file_mapped));
    // cgroup v2 has no failcnt; cAdvisor reports 0 (contract §5.2).
    out->Set(kMemoryFailcnt, 0);
    ReadUint(dir, "memory.swap.current", kMemorySwap, 1, out);
    ReadUint(dir, "memory.peak", kMemoryMaxUsage, 1, out);
    if (reader_.Read(dir, "memory.max", &text)) {
      uint64_t v = 0;
      if (ParseUint64(text, &v)) {
        out->Set(kSpecMemoryLimit, MemoryLimit(v));
      } else if (text.substr(0, 3) == "max") {
        out->Set(kSpecMemoryLimit, 0);
      }
    }
    if (reader_.Read(dir, "memory.events", &text)) {
      ForEachKeyValue(text, [out](std::string_view k, std::string_view v) {
        uint64_t n = 0;
        if (k == "oom_kill" && ParseUint64(v, &n)) out->Set(kOomEvents, static_cast<double>(n));
      });
    }
  }

  // cpu.max "<quota|max> <period>"; cpu.weight back to v1 shares as cAdvisor converts it.
  if (reader_.Read(dir, "cpu.max", &text)) {
    std::string_view rest = text;
    std::string_view quota = internal::NextField(&rest);
    std::string_view period = internal::NextField(&rest);
    uint64_t v = 0;
    if (ParseUint64(quota, &v) && v > 0) out->Set(kSpecCpuQuota, static_cast<double>(v));
    if (ParseUint64(period, &v) && v > 0) out->Set(kSpecCpuPeriod, static_cast<double>(v));
  }
  if (reader_.Read(dir, "cpu.weight", &text)) {
    uint64_t w = 0;
    if (ParseUint64(text, &w) && w >= 1 && w <= 10000) {
      out->Set(kSpecCpuShares, static_cast<double>(2 + ((w - 1) * 262142) / 9999));
    }
  }

  if (reader_.Read(dir, "io.stat", &text)) {
    ForEachIoStat(text, [out](const DeviceIo& io) { out->io.push_back(io); });
  }
  ReadUint(dir, "pids.current", kThreads, 1, out);
  ReadProcs(dir, out);
  ReadPressure(dir, out);
  return true;
}

void CgroupStatsReader::ReadV1Cpu(int cpu_dir, int cpuacct_dir, CgroupStats* out) {
  std::string_view text;
  if (cpuacct_dir >= 0) {
    ReadUint(cpuacct_dir, "cpuacct.usage", kCpuUsageSeconds, kNano, out);
    // cpuacct.stat counts USER_HZ ticks.
    if (reader_.Read(cpuacct_dir, "cpuacct.stat", &text)) {
      const double tick = 1.0 / clk_tck_;
      ForEachKeyValue(text, [&](std::string_view k, std::string_view v) {
        uint64_t n = 0;
        if (!ParseUint64(v, &n)) return;
        if (k == "user") {
          out->Set(kCpuUserSeconds, static_cast<double>(n) * tick);
        } else if (k == "system") {
          out->Set(kCpuSystemSeconds, static_cast<double>(n) * tick);
        }
      });
    }
  }
  if (cpu_dir < 0) return;
  if (reader_.Read(cpu_dir, "cpu.stat", &text)) {
    ForEachKeyValue(text, [out](std::string_view k, std::string_view v) {
      uint64_t n = 0;
      if (!ParseUint64(v, &n)) return;
      if (k == "nr_periods") {
        out->Set(kCfsPeriods, static_cast<double>(n));
      } else if (k == "nr_throttled") {
        out->Set(kCfsThrottledPeriods, static_cast<double>(n));
      } else if (k == "throttled_time") {
        out->Set(kCfsThrottledSeconds, static_cast<double>(n) * kNano);
      }
    });
  }
  int64_t v = 0;
  // -1 (no quota) is not exported, as cAdvisor leaves a zero quota out.
  if (reader_.Read(cpu_dir, "cpu.cfs_quota_us", &text) && ParseInt64(text, &v) && v > 0) {
    out->Set(kSpecCpuQuota, static_cast<double>(v));
  }
  if (reader_.Read(cpu_dir, "cpu.cfs_period_us", &text) && ParseInt64(text, &v) && v > 0) {
    out->Set(kSpecCpuPeriod, static_cast<double>(v));
  }
  ReadUint(cpu_dir, "cpu.shares", kSpecCpuShares, 1, out);
}

void CgroupStatsReader::ReadV1Memory(int dir, CgroupStats* out) {
  std::string_view text;
  uint64_t usage = 0;
  if (!reader_.Read(dir, "memory.usage_in_bytes", &text) || !ParseUint64(text, &usage)) {
    if (reader_.vanished()) vanished_ = true;
    return;
  }
  out->Set(kMemoryUsage, static_cast<double>(usage));
  ReadUint(dir, "memory.max_usage_in_bytes", kMemoryMaxUsage, 1, out);
  ReadUint(dir, "memory.failcnt", kMemoryFailcnt, 1, out);
  if (reader_.Read(dir, "memory.limit_in_bytes", &text)) {
    uint64_t v = 0;
    if (ParseUint64(text, &v)) out->Set(kSpecMemoryLimit, MemoryLimit(v));
  }
  // Hierarchical totals ("total_*") when the kernel writes them, the cgroup's own figures otherwise.
  struct Pick {
    uint64_t total = 0, local = 0;
    bool has_total = false, has_local = false;
    uint64_t get() const { return has_total ? total : local; }
    bool has() const { return has_total || has_local; }
  };
  Pick rss, cache, mapped, swap, inactive_file;
  if (reader_.Read(dir, "memory.stat", &text)) {
    ForEachKeyValue(text, [&](std::string_view k, std::string_view v) {
      bool total = k.substr(0, 6) == "total_";
      if (total) k.remove_prefix(6);
      Pick* p = nullptr;
      if (k == "rss") {
        p = &rss;
      } else if (k == "cache") {
        p = &cache;
      } else if (k == "mapped_file") {
        p = &mapped;
      } else if (k == "swap") {
        p = &swap;
      } else if (k == "inactive_file") {
        p = &inactive_file;
      }
      if (p == nullptr) return;
      uint64_t n = 0;
      if (!ParseUint64(v, &n)) return;
      if (total) {
        p->total = n;
        p->has_total = true;
      } else {
        p->local = n;
        p->has_local = true;
      }
    });
  }
  const uint64_t inactive = inactive_file.get();
  out->Set(kMemoryWorkingSet, usage > inactive ? static_cast<double>(usage - inactive) : 0.0);
  if (rss.has()) out->Set(kMemoryRss, static_cast<double>(rss.get()));
  if (cache.has()) out->Set(kMemoryCache, static_cast<double>(cache.get()));
  if (mapped.has()) out->Set(kMemoryMappedFile, static_cast<double>(mapped.get()));
  out->Set(kMemorySwap, static_cast<double>(swap.get()));
  // memory.oom_control: "oom_kill N" since Linux 4.13.
  if (reader_.Read(dir, "memory.oom_control", &text)) {
    ForEachKeyValue(text, [out](std::string_view k, std::string_view v) {
      uint64_t n = 0;
      if (k == "oom_kill" && ParseUint64(v, &n)) out->Set(kOomEvents, static_cast<double>(n));
    });
  }
}

void CgroupStatsReader::ReadV1Blkio(int dir, CgroupStats* out) {
  // The first family of files with any device line: CFQ, then BFQ, then the throttle layer (always counts).
  static constexpr const char* kFiles[][2] = {
      {"blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive"},
      {"blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive"},
      {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive"},
      {"blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced"},
  };
  std::string_view text;
  for (const auto& pair : kFiles) {
    for (int which = 0; which < 2; ++which) {
      if (!reader_.Read(dir, pair[which], &text)) break;
      while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        DeviceIo key;
        std::string_view rest;
        if (!ParseMajorMinor(line, &key.major, &key.minor, &rest)) continue;  // "Total N"
        std::string_view op = internal::NextField(&rest);
        uint64_t v = 0;
        if (!ParseUint64(internal::NextField(&rest), &v)) continue;
        DeviceIo* io = nullptr;
        for (DeviceIo& d : out->io) {
          if (d.major == key.major && d.minor == key.minor) io = &d;
        }
        if (io == nullptr) {
          out->io.push_back(key);
          io = &out->io.back();
        }
        if (op == "Read") {
          (which == 0 ? io->read_bytes : io->reads) = v;
        } else if (op == "Write") {
          (which == 0 ? io->write_bytes : io->writes) = v;
        }
      }
    }
    if (!out->io.empty()) return;
  }
}

void CgroupStatsReader::ReadPressure(int dir, CgroupStats* out) {
  std::string_view text;
  static constexpr struct {
    const char* file;
    Field waiting;
    Field stalled;
  } kFiles[] = {
      {"cpu.pressure", kPressureCpuWaiting, kPressureCpuStalled},
      {"memory.pressure", kPressureMemoryWaiting, kPressureMemoryStalled},
      {"io.pressure", kPressureIoWaiting, kPressureIoStalled},
  };
  for (const auto& f : kFiles) {
    if (!reader_.Read(dir, f.file, &text)) continue;
    PressureTotals t = ParsePressure(text);
    if (t.has_some) out->Set(f.waiting, static_cast<double>(t.some_usec) * kMicro);
    if (t.has_full) out->Set(f.stalled, static_cast<double>(t.full_usec) * kMicro);
  }
}

void CgroupStatsReader::ReadProcs(int dir, CgroupStats* out) {
  std::string_view text;
  if (!reader_.Read(dir, "cgroup.procs", &text)) {
    if (reader_.vanished()) vanished_ = true;
    return;
  }
  uint64_t count = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    uint64_t pid = 0;
    if (!ParseUint64(line, &pid)) continue;
    if (count == 0) out->first_pid = static_cast<int64_t>(pid);
    ++count;
  }
  out->Set(kProcesses, static_cast<double>(count));
}

bool CgroupStatsReader::ReadNetwork(std::string_view procfs, int64_t pid, CgroupStats* out) {
  path_.assign(procfs);
  absl::StrAppend(&path_, "/", pid, "/net/dev");
  std::string_view text;
  if (!reader_.Read(AT_FDCWD, path_.c_str(), &text)) return false;
  out->net_count = 0;
  ForEachNetDev(text, [out](const NetDevCounters& c) {
    if (IsIgnoredInterface(c.interface)) return;
    if (out->net_count == out->net.size()) out->net.emplace_back();
    InterfaceStats& s = out->net[out->net_count++];
    s.name.assign(c.interface.data(), c.interface.size());
    s.counters = c;
    s.counters.interface = {};
  });
  return true;
}

}  // namespace vigil::agent::cgroup
