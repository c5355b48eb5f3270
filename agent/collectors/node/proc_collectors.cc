// The collectors over single procfs files: cpu, stat (/proc/stat), meminfo, loadavg, pressure, vmstat, filefd.
#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/collectors/node/collector_util.h"
#include "agent/collectors/node/node_collectors.h"
#include "agent/collectors/node/proc_text.h"
#include "base/fs/file_system.h"
#include "base/status/status_macros.h"

namespace vigil::agent::node {
namespace {

using exposition::MetricType;

// USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture node_exporter supports.
constexpr double kUserHz = 100.0;

// ---- cpu: node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total{cpu,mode}.

// The /proc/stat cpuN columns, in file order.
constexpr int kCpuFields = 10;
constexpr std::array<std::string_view, 8> kCpuModes = {"user",   "nice", "system",  "idle",
                                                       "iowait", "irq",  "softirq", "steal"};
constexpr int kIdle = 3, kGuest = 8, kGuestNice = 9;
// An idle counter going back by this much means a CPU was unplugged and replugged: start it over (as
// node_exporter does); smaller jumps back are kernel accounting noise and are held at the previous value.
constexpr double kJumpBackSeconds = 3.0;

class CpuCollector : public NamedCollector {
 public:
  explicit CpuCollector(const NodeOptions& o) : NamedCollector("cpu"), path_(JoinPath(o.procfs, "stat")) {}

  absl::Status Collect(MetricSink* sink) override {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    size_t n = 0;
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view key = NextField(&line);
      if (key.size() <= 3 || key.substr(0, 3) != "cpu") continue;  // "cpu" alone is the sum
      std::string_view id = key.substr(3);
      double now[kCpuFields] = {};
      for (int i = 0; i < kCpuFields; ++i) {
        std::string_view f = NextField(&line);
        if (f.empty()) break;  // old kernels have fewer columns
        uint64_t ticks = 0;
        if (!ParseUint(f, &ticks)) {
          return absl::InvalidArgumentError(
              absl::StrCat(path_, ": bad value \"", std::string(f), "\" for cpu", std::string(id)));
        }
        now[i] = static_cast<double>(ticks) / kUserHz;
      }
      if (n == cpus_.size()) cpus_.emplace_back();
      Cpu& cpu = cpus_[n++];
      if (cpu.id != id) {
        cpu.id.assign(id);
        cpu.seconds.fill(0);
      }
      if (cpu.seconds[kIdle] - now[kIdle] >= kJumpBackSeconds) cpu.seconds.fill(0);
      for (int i = 0; i < kCpuFields; ++i) {
        if (now[i] >= cpu.seconds[i]) cpu.seconds[i] = now[i];
      }
    }
    cpus_.resize(n);
    sink->Family("node_cpu_seconds_total", MetricType::kCounter, "Seconds the CPUs spent in each mode.");
    for (const Cpu& cpu : cpus_) {
      for (size_t m = 0; m < kCpuModes.size(); ++m) {
        const Label labels[] = {{"cpu", cpu.id}, {"mode", kCpuModes[m]}};
        sink->Sample(labels, cpu.seconds[m]);
      }
    }
    sink->Family("node_cpu_guest_seconds_total", MetricType::kCounter,
                 "Seconds the CPUs spent in guests (VMs) for each mode.");
    for (const Cpu& cpu : cpus_) {
      const Label user[] = {{"cpu", cpu.id}, {"mode", "user"}};
      sink->Sample(user, cpu.seconds[kGuest]);
      const Label nice[] = {{"cpu", cpu.id}, {"mode", "nice"}};
      sink->Sample(nice, cpu.seconds[kGuestNice]);
    }
    return absl::OkStatus();
  }

 private:
  struct Cpu {
    std::string id;                            // "0", the label value
    std::array<double, kCpuFields> seconds{};  // last exported values, never decreasing
  };
  const std::string path_;
  FileReader reader_;
  std::vector<Cpu> cpus_;
};

// ---- stat: boot time, context switches, forks, interrupts, running and blocked processes.

class StatCollector : public NamedCollector {
 public:
  explicit StatCollector(const NodeOptions& o) : NamedCollector("stat"), path_(JoinPath(o.procfs, "stat")) {}

  absl::Status Collect(MetricSink* sink) override {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    uint64_t btime = 0, ctxt = 0, forks = 0, intr = 0, running = 0, blocked = 0;
    bool have_btime = false;
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view key = NextField(&line);
      std::string_view value = NextField(&line);  // intr: the first number is the total
      if (key == "btime") {
        have_btime = ParseUint(value, &btime);
      } else if (key == "ctxt") {
        ParseUint(value, &ctxt);
      } else if (key == "processes") {
        ParseUint(value, &forks);
      } else if (key == "intr") {
        ParseUint(value, &intr);
      } else if (key == "procs_running") {
        ParseUint(value, &running);
      } else if (key == "procs_blocked") {
        ParseUint(value, &blocked);
      }
    }
    if (!have_btime) return absl::InvalidArgumentError(absl::StrCat(path_, ": no btime line"));
    EmitSingle(sink, "node_intr_total", MetricType::kCounter, "Total number of interrupts serviced.",
               static_cast<double>(intr));
    EmitSingle(sink, "node_context_switches_total", MetricType::kCounter, "Total number of context switches.",
               static_cast<double>(ctxt));
    EmitSingle(sink, "node_forks_total", MetricType::kCounter, "Total number of forks.", static_cast<double>(forks));
    EmitSingle(sink, "node_boot_time_seconds", MetricType::kGauge, "Node boot time, in unixtime.",
               static_cast<double>(btime));
    EmitSingle(sink, "node_procs_running", MetricType::kGauge, "Number of processes in runnable state.",
               static_cast<double>(running));
    EmitSingle(sink, "node_procs_blocked", MetricType::kGauge,
               "Number of processes blocked waiting for I/O to complete.", static_cast<double>(blocked));
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  FileReader reader_;
};

// ---- meminfo: node_memory_<Field>[_bytes] for every /proc/meminfo line.

class MeminfoCollector : public NamedCollector {
 public:
  explicit MeminfoCollector(const NodeOptions& o) : NamedCollector("meminfo"), path_(JoinPath(o.procfs, "meminfo")) {}

  absl::Status Collect(MetricSink* sink) override {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view key = NextField(&line);
      if (key.empty()) continue;  // some kernels have blank lines
      if (key.back() != ':') return Malformed(key);
      key.remove_suffix(1);
      double value = 0;
      if (!ParseDouble(NextField(&line), &value)) return Malformed(key);
      std::string_view unit = NextField(&line);
      if (!NextField(&line).empty()) return Malformed(key);
      // "Active(anon)" is exported as "Active_anon", as node_exporter does.
      name_.assign("node_memory_");
      const size_t open = key.find('(');
      const size_t close = key.rfind(')');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        name_.append(key.substr(0, open)).append("_").append(key.substr(open + 1, close - open - 1));
        name_.append(key.substr(close + 1));
      } else {
        name_.append(key);
      }
      if (!unit.empty()) {  // always kB
        value *= 1024;
        name_.append("_bytes");
      }
      help_.assign("Memory information field ").append(std::string_view(name_).substr(12)).append(".");
      EmitSingle(sink, name_, MetricType::kGauge, help_, value);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Malformed(std::string_view key) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": malformed line for \"", std::string(key), "\""));
  }
  const std::string path_;
  FileReader reader_;
  std::string name_, help_;
};

// ---- loadavg: node_load1, node_load5, node_load15.

class LoadavgCollector : public NamedCollector {
 public:
  explicit LoadavgCollector(const NodeOptions& o) : NamedCollector("loadavg"), path_(JoinPath(o.procfs, "loadavg")) {}

  absl::Status Collect(MetricSink* sink) override {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    double load[3] = {};
    for (double& l : load) {
      std::string_view f = NextField(&text);
      if (!ParseDouble(Trim(f), &l)) {
        return absl::InvalidArgumentError(absl::StrCat(path_, ": bad load average \"", std::string(f), "\""));
      }
    }
    EmitSingle(sink, "node_load1", MetricType::kGauge, "1m load average.", load[0]);
    EmitSingle(sink, "node_load5", MetricType::kGauge, "5m load average.", load[1]);
    EmitSingle(sink, "node_load15", MetricType::kGauge, "15m load average.", load[2]);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  FileReader reader_;
};

// ---- pressure: node_pressure_{cpu,io,memory}_*_seconds_total from /proc/pressure (PSI).

class PressureCollector : public NamedCollector {
 public:
  explicit PressureCollector(const NodeOptions& o)
      : NamedCollector("pressure"),
        cpu_path_(JoinPath(o.procfs, "pressure/cpu")),
        io_path_(JoinPath(o.procfs, "pressure/io")),
        memory_path_(JoinPath(o.procfs, "pressure/memory")) {}

  absl::Status Collect(MetricSink* sink) override {
    double some = 0, full = 0;
    bool has_full = false;
    // A kernel without PSI (or booted with psi=0) has no such files: nothing to report, not an error.
    absl::Status s = Read(cpu_path_, &some, &full, &has_full);
    if (absl::IsNotFound(s)) return absl::OkStatus();
    if (!s.ok()) return s;
    EmitSingle(sink, "node_pressure_cpu_waiting_seconds_total", MetricType::kCounter,
               "Total time in seconds that processes have waited for CPU time", some);
    VIGIL_RETURN_IF_ERROR(Read(io_path_, &some, &full, &has_full));
    EmitSingle(sink, "node_pressure_io_waiting_seconds_total", MetricType::kCounter,
               "Total time in seconds that processes have waited due to IO congestion", some);
    if (has_full) {
      EmitSingle(sink, "node_pressure_io_stalled_seconds_total", MetricType::kCounter,
                 "Total time in seconds no process could make progress due to IO congestion", full);
    }
    VIGIL_RETURN_IF_ERROR(Read(memory_path_, &some, &full, &has_full));
    EmitSingle(sink, "node_pressure_memory_waiting_seconds_total", MetricType::kCounter,
               "Total time in seconds that processes have waited for memory", some);
    if (has_full) {
      EmitSingle(sink, "node_pressure_memory_stalled_seconds_total", MetricType::kCounter,
                 "Total time in seconds no process could make progress due to memory congestion", full);
    }
    return absl::OkStatus();
  }

 private:
  // Reads the "some" and "full" totals (microseconds) of one PSI file, in seconds.
  absl::Status Read(const std::string& path, double* some, double* full, bool* has_full) {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path, &text));
    bool has_some = false;
    *has_full = false;
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view kind = NextField(&line);
      for (std::string_view f = NextField(&line); !f.empty(); f = NextField(&line)) {
        if (f.substr(0, 6) != "total=") continue;
        uint64_t us = 0;
        if (!ParseUint(f.substr(6), &us)) {
          return absl::InvalidArgumentError(absl::StrCat(path, ": bad total \"", std::string(f), "\""));
        }
        const double seconds = static_cast<double>(us) / 1000.0 / 1000.0;
        if (kind == "some") {
          *some = seconds;
          has_some = true;
        } else if (kind == "full") {
          *full = seconds;
          *has_full = true;
        }
      }
    }
    if (!has_some) return absl::InvalidArgumentError(absl::StrCat(path, ": no \"some\" line with a total"));
    return absl::OkStatus();
  }

  const std::string cpu_path_, io_path_, memory_path_;
  FileReader reader_;
};

// ---- vmstat: node_vmstat_<field> for the /proc/vmstat fields the include pattern selects.

class VmstatCollector : public NamedCollector {
 public:
  explicit VmstatCollector(const NodeOptions& o)
      : NamedCollector("vmstat"), path_(JoinPath(o.procfs, "vmstat")), fields_("vmstat_fields", o.vmstat_fields) {}

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(fields_.status());
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    size_t i = 0;
    for (std::string_view line; NextLine(&text, &line); ++i) {
      std::string_view key = NextField(&line);
      if (key.empty()) continue;
      // The pattern's verdict per line is cached: the field list does not change while the kernel runs.
      if (i >= keys_.size()) {
        keys_.resize(i + 1);
        selected_.resize(i + 1);
      }
      if (keys_[i] != key) {
        keys_[i].assign(key);
        selected_[i] = fields_.Matches(key);
      }
      if (!selected_[i]) continue;
      double value = 0;
      std::string_view f = NextField(&line);
      if (!ParseDouble(f, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path_, ": bad value \"", std::string(f), "\" for ", std::string(key)));
      }
      name_.assign("node_vmstat_").append(key);
      help_.assign("/proc/vmstat information field ").append(key).append(".");
      EmitSingle(sink, name_, MetricType::kUnknown, help_, value);
    }
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const Pattern fields_;
  FileReader reader_;
  std::vector<std::string> keys_;
  std::vector<bool> selected_;
  std::string name_, help_;
};

// ---- filefd: node_filefd_allocated, node_filefd_maximum from /proc/sys/fs/file-nr.

class FilefdCollector : public NamedCollector {
 public:
  explicit FilefdCollector(const NodeOptions& o)
      : NamedCollector("filefd"), path_(JoinPath(o.procfs, "sys/fs/file-nr")) {}

  absl::Status Collect(MetricSink* sink) override {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    uint64_t allocated = 0, unused = 0, maximum = 0;
    if (!ParseUint(NextField(&text), &allocated) || !ParseUint(NextField(&text), &unused) ||
        !ParseUint(Trim(NextField(&text)), &maximum)) {
      return absl::InvalidArgumentError(absl::StrCat(path_, ": expected three numbers"));
    }
    EmitSingle(sink, "node_filefd_allocated", MetricType::kGauge, "File descriptor statistics: allocated.",
               static_cast<double>(allocated));
    EmitSingle(sink, "node_filefd_maximum", MetricType::kGauge, "File descriptor statistics: maximum.",
               static_cast<double>(maximum));
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  FileReader reader_;
};

}  // namespace

std::unique_ptr<Collector> NewCpuCollector(const NodeOptions& o) { return std::make_unique<CpuCollector>(o); }
std::unique_ptr<Collector> NewStatCollector(const NodeOptions& o) { return std::make_unique<StatCollector>(o); }
std::unique_ptr<Collector> NewMeminfoCollector(const NodeOptions& o) { return std::make_unique<MeminfoCollector>(o); }
std::unique_ptr<Collector> NewLoadavgCollector(const NodeOptions& o) { return std::make_unique<LoadavgCollector>(o); }
std::unique_ptr<Collector> NewPressureCollector(const NodeOptions& o) { return std::make_unique<PressureCollector>(o); }
std::unique_ptr<Collector> NewVmstatCollector(const NodeOptions& o) { return std::make_unique<VmstatCollector>(o); }
std::unique_ptr<Collector> NewFilefdCollector(const NodeOptions& o) { return std::make_unique<FilefdCollector>(o); }

}  // namespace vigil::agent::node
