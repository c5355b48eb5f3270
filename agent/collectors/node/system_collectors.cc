// The collectors over system calls and configuration files: uname, time, os.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
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

// ---- uname: node_uname_info.

class UnameCollector : public NamedCollector {
 public:
  explicit UnameCollector(const NodeOptions& o) : NamedCollector("uname"), system_(SystemOf(o)) {}

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(system_->Uname(&uname_));
    sink->Family("node_uname_info", MetricType::kGauge,
                 "Labeled system information as provided by the uname system call.");
    const Label labels[] = {{"sysname", uname_.sysname},   {"release", uname_.release},
                            {"version", uname_.version},   {"machine", uname_.machine},
                            {"nodename", uname_.nodename}, {"domainname", uname_.domainname}};
    sink->Sample(labels, 1);
    return absl::OkStatus();
  }

 private:
  NodeSystem* const system_;
  UnameResult uname_;
};

// ---- time: node_time_seconds, node_time_zone_offset_seconds, node_time_clocksource_*_info.

class TimeCollector : public NamedCollector {
 public:
  explicit TimeCollector(const NodeOptions& o)
      : NamedCollector("time"),
        clock_(ClockOf(o)),
        system_(SystemOf(o)),
        clocksource_dir_(JoinPath(o.sysfs, "devices/system/clocksource")) {}

  absl::Status Collect(MetricSink* sink) override {
    const absl::Time now = clock_->Now();
    EmitSingle(sink, "node_time_seconds", MetricType::kGauge, "System time in seconds since epoch (1970).",
               absl::ToDoubleSeconds(now - absl::UnixEpoch()));
    int64_t offset = 0;
    system_->TimeZone(now, &zone_, &offset);
    sink->Family("node_time_zone_offset_seconds", MetricType::kGauge, "System time zone offset in seconds.");
    const Label zone[] = {{"time_zone", zone_}};
    sink->Sample(zone, static_cast<double>(offset));
    CollectClocksources(sink);
    return absl::OkStatus();
  }

 private:
  // Clock sources are optional (absent in some containers and on old kernels): no sysfs entry, no metric.
  void CollectClocksources(MetricSink* sink) {
    devices_.clear();
    if (DIR* dir = ::opendir(clocksource_dir_.c_str())) {
      while (const dirent* e = ::readdir(dir)) {
        std::string_view name = e->d_name;
        if (name.substr(0, 11) != "clocksource") continue;
        uint64_t id = 0;
        if (ParseUint(name.substr(11), &id)) devices_.push_back(id);
      }
      ::closedir(dir);
    }
    std::sort(devices_.begin(), devices_.end());
    if (devices_.empty()) return;
    std::string_view text;
    sink->Family("node_time_clocksource_available_info", MetricType::kGauge,
                 "Available clocksources read from '/sys/devices/system/clocksource'.");
    for (uint64_t id : devices_) {
      if (!Read(id, "available_clocksource", &text)) continue;
      const std::string device = std::to_string(id);
      for (std::string_view source = NextField(&text); !source.empty(); source = NextField(&text)) {
        const Label labels[] = {{"device", device}, {"clocksource", Trim(source)}};
        if (!labels[1].value.empty()) sink->Sample(labels, 1);
      }
    }
    sink->Family("node_time_clocksource_current_info", MetricType::kGauge,
                 "Current clocksource read from '/sys/devices/system/clocksource'.");
    for (uint64_t id : devices_) {
      if (!Read(id, "current_clocksource", &text)) continue;
      const std::string device = std::to_string(id);
      const Label labels[] = {{"device", device}, {"clocksource", Trim(text)}};
      sink->Sample(labels, 1);
    }
  }

  bool Read(uint64_t id, std::string_view file, std::string_view* text) {
    path_.assign(clocksource_dir_).append("/clocksource").append(std::to_string(id)).append("/").append(file);
    return reader_.Read(path_, text).ok();
  }

  Clock* const clock_;
  NodeSystem* const system_;
  const std::string clocksource_dir_;
  std::string zone_, path_;
  std::vector<uint64_t> devices_;
  FileReader reader_;
};

// ---- os: node_os_info, node_os_version from os-release(5).

// The os-release keys node_os_info carries, in its label order.
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kOsKeys = {{
    {"build_id", "BUILD_ID"},
    {"id", "ID"},
    {"id_like", "ID_LIKE"},
    {"image_id", "IMAGE_ID"},
    {"image_version", "IMAGE_VERSION"},
    {"name", "NAME"},
    {"pretty_name", "PRETTY_NAME"},
    {"variant", "VARIANT"},
    {"variant_id", "VARIANT_ID"},
    {"version", "VERSION"},
    {"version_codename", "VERSION_CODENAME"},
    {"version_id", "VERSION_ID"},
}};

// Parses one os-release value: unquoted, or in single or double quotes with backslash escapes (as a shell
// assignment without expansion).
void UnquoteOsValue(std::string_view v, std::string* out) {
  out->clear();
  v = Trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    const char quote = v.front();
    v = v.substr(1, v.size() - 2);
    for (size_t i = 0; i < v.size(); ++i) {
      if (quote == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out->push_back(v[i]);
    }
    return;
  }
  out->assign(v);
}

class OsCollector : public NamedCollector {
 public:
  explicit OsCollector(const NodeOptions& o)
      : NamedCollector("os"), paths_{JoinPath(o.rootfs, "etc/os-release"), JoinPath(o.rootfs, "usr/lib/os-release")} {}

  absl::Status Collect(MetricSink* sink) override {
    // The file is parsed again only when it (or which of the two exists) changes.
    const std::string* path = nullptr;
    struct stat st;
    for (const std::string& p : paths_) {
      if (::stat(p.c_str(), &st) == 0) {
        path = &p;
        break;
      }
    }
    if (path == nullptr) return absl::OkStatus();  // no os-release: nothing to report, as node_exporter
    const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (path != cached_path_ || mtime_ns != cached_mtime_ns_) {
      VIGIL_RETURN_IF_ERROR(Parse(*path));
      cached_path_ = path;
      cached_mtime_ns_ = mtime_ns;
    }
    sink->Family("node_os_info", MetricType::kGauge,
                 "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, "
                 "name, pretty_name, variant, variant_id, version, version_codename, version_id.");
    std::array<Label, kOsKeys.size()> labels;
    for (size_t i = 0; i < kOsKeys.size(); ++i) labels[i] = {kOsKeys[i].first, values_[i]};
    sink->Sample(labels, 1);
    if (version_ > 0) {
      sink->Family("node_os_version", MetricType::kGauge, "Metric containing the major.minor part of the OS version.");
      const Label version_labels[] = {{"id", values_[1]}, {"id_like", values_[2]}, {"name", values_[5]}};
      sink->Sample(version_labels, version_);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Parse(const std::string& path) {
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path, &text));
    for (std::string& v : values_) v.clear();
    for (std::string_view line; NextLine(&text, &line);) {
      line = Trim(line);
      if (line.empty() || line.front() == '#') continue;
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = Trim(line.substr(0, eq));
      for (size_t i = 0; i < kOsKeys.size(); ++i) {
        if (kOsKeys[i].second == key) UnquoteOsValue(line.substr(eq + 1), &values_[i]);
      }
    }
    // The leading "major[.minor]" of VERSION_ID ("12", "22.04", "8.6.2" -> 8.6).
    const std::string& id = values_[11];
    size_t end = 0;
    while (end < id.size() && id[end] >= '0' && id[end] <= '9') ++end;
    if (end > 0 && end < id.size() && id[end] == '.') {
      ++end;
      while (end < id.size() && id[end] >= '0' && id[end] <= '9') ++end;
    }
    version_ = 0;
    if (end > 0) ParseDouble(std::string_view(id).substr(0, end), &version_);
    return absl::OkStatus();
  }

  const std::array<std::string, 2> paths_;
  const std::string* cached_path_ = nullptr;
  int64_t cached_mtime_ns_ = 0;
  std::array<std::string, kOsKeys.size()> values_;
  double version_ = 0;
  FileReader reader_;
};

}  // namespace

std::unique_ptr<Collector> NewUnameCollector(const NodeOptions& o) { return std::make_unique<UnameCollector>(o); }
std::unique_ptr<Collector> NewTimeCollector(const NodeOptions& o) { return std::make_unique<TimeCollector>(o); }
std::unique_ptr<Collector> NewOsCollector(const NodeOptions& o) { return std::make_unique<OsCollector>(o); }

}  // namespace vigil::agent::node
