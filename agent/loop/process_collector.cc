#include "agent/loop/process_collector.h"

#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/strings/absl_view.h"

namespace vigil::agent {
namespace {

using exposition::MetricType;

// The whitespace-separated fields of /proc/<pid>/stat after the command name, which is parenthesised and may
// itself contain spaces and parentheses: [0] is field 3 (state) of proc(5).
std::vector<absl::string_view> StatFields(const std::string& stat) {
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return {};
  return absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
}

double Field(const std::vector<absl::string_view>& fields, size_t proc5_number) {
  double v = 0;
  const size_t i = proc5_number - 3;
  if (i >= fields.size() || !absl::SimpleAtod(fields[i], &v)) return -1;
  return v;
}

}  // namespace

ProcessCollector::ProcessCollector(FileSystem* fs, std::string proc, long clock_ticks_per_second, long page_size)
    : fs_(fs),
      proc_(std::move(proc)),
      ticks_(static_cast<double>(clock_ticks_per_second > 0 ? clock_ticks_per_second : sysconf(_SC_CLK_TCK))),
      page_size_(static_cast<double>(page_size > 0 ? page_size : sysconf(_SC_PAGESIZE))) {}

absl::Status ProcessCollector::Collect(MetricSink* sink) {
  if (!read_static_) {
    read_static_ = true;
    if (absl::StatusOr<std::string> stat = fs_->ReadFile(proc_ + "/stat"); stat.ok()) {
      for (absl::string_view line : absl::StrSplit(*stat, '\n')) {
        if (absl::ConsumePrefix(&line, "btime ")) {
          double v = 0;
          if (absl::SimpleAtod(line, &v)) boot_time_ = v;
        }
      }
    }
    if (absl::StatusOr<std::string> limits = fs_->ReadFile(proc_ + "/self/limits"); limits.ok()) {
      for (absl::string_view line : absl::StrSplit(*limits, '\n')) {
        if (!absl::ConsumePrefix(&line, "Max open files")) continue;
        std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
        double v = 0;
        if (!words.empty() && absl::SimpleAtod(words[0], &v)) max_fds_ = v;
      }
    }
  }

  absl::StatusOr<std::string> stat = fs_->ReadFile(proc_ + "/self/stat");
  if (!stat.ok()) return stat.status();
  const std::vector<absl::string_view> fields = StatFields(*stat);
  const double utime = Field(fields, 14), stime = Field(fields, 15), start = Field(fields, 22),
               vsize = Field(fields, 23), rss = Field(fields, 24);
  if (utime < 0 || stime < 0 || vsize < 0 || rss < 0) {
    return absl::DataLossError(absl::StrCat(proc_, "/self/stat: unexpected format: ", *stat));
  }
  sink->Family("process_cpu_seconds_total", MetricType::kCounter, "Total user and system CPU time spent in seconds.",
               "seconds");
  sink->Sample({}, (utime + stime) / ticks_);
  sink->Family("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.", "bytes");
  sink->Sample({}, rss * page_size_);
  sink->Family("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.", "bytes");
  sink->Sample({}, vsize);
  if (boot_time_ >= 0 && start >= 0) {
    sink->Family("process_start_time_seconds", MetricType::kGauge,
                 "Start time of the process since unix epoch in seconds.", "seconds");
    sink->Sample({}, boot_time_ + start / ticks_);
  }
  if (absl::StatusOr<std::vector<std::string>> fds = fs_->ListDir(proc_ + "/self/fd"); fds.ok()) {
    sink->Family("process_open_fds", MetricType::kGauge, "Number of open file descriptors.");
    sink->Sample({}, static_cast<double>(fds->size()));
  }
  if (max_fds_ >= 0) {
    sink->Family("process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.");
    sink->Sample({}, max_fds_);
  }
  return absl::OkStatus();
}

}  // namespace vigil::agent
