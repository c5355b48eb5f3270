#include "agent/collectors/node/node_collectors.h"

#include <errno.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agent/collectors/node/collector_util.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::node {
namespace {

using Factory = std::unique_ptr<Collector> (*)(const NodeOptions&);

struct Entry {
  std::string_view name;
  Factory factory;
};

constexpr Entry kCollectors[] = {
    {"cpu", NewCpuCollector},
    {"meminfo", NewMeminfoCollector},
    {"loadavg", NewLoadavgCollector},
    {"pressure", NewPressureCollector},
    {"stat", NewStatCollector},
    {"vmstat", NewVmstatCollector},
    {"filefd", NewFilefdCollector},
    {"diskstats", NewDiskstatsCollector},
    {"filesystem", NewFilesystemCollector},
    {"netdev", NewNetdevCollector},
    {"netclass", NewNetclassCollector},
    {"uname", NewUnameCollector},
    {"time", NewTimeCollector},
    {"os", NewOsCollector},
};

class RealSystem : public NodeSystem {
 public:
  absl::Status Statfs(const std::string& path, StatfsResult* out) override {
    struct statfs buf;
    if (::statfs(path.c_str(), &buf) != 0) {
      return absl::UnavailableError(absl::StrCat("statfs ", path, ": ", strerror(errno)));
    }
    out->block_size = static_cast<uint64_t>(buf.f_bsize);
    out->blocks = buf.f_blocks;
    out->blocks_free = buf.f_bfree;
    out->blocks_available = buf.f_bavail;
    out->files = buf.f_files;
    out->files_free = buf.f_ffree;
    return absl::OkStatus();
  }

  absl::Status Uname(UnameResult* out) override {
    struct utsname u;
    if (::uname(&u) != 0) return absl::UnavailableError(absl::StrCat("uname: ", strerror(errno)));
    out->sysname.assign(u.sysname);
    out->nodename.assign(u.nodename);
    out->release.assign(u.release);
    out->version.assign(u.version);
    out->machine.assign(u.machine);
    out->domainname.assign(u.domainname);
    return absl::OkStatus();
  }

  void TimeZone(absl::Time t, std::string* name, int64_t* offset_seconds) override {
    const time_t secs = absl::ToTimeT(t);
    struct tm tm;
    if (::localtime_r(&secs, &tm) == nullptr) {
      name->assign("UTC");
      *offset_seconds = 0;
      return;
    }
    name->assign(tm.tm_zone != nullptr ? tm.tm_zone : "");
    *offset_seconds = tm.tm_gmtoff;
  }
};

}  // namespace

NodeSystem* RealNodeSystem() {
  static RealSystem* const system = new RealSystem();
  return system;
}

const std::vector<std::string_view>& NodeCollectorNames() {
  static const std::vector<std::string_view>* const names = [] {
    auto* v = new std::vector<std::string_view>();
    for (const Entry& e : kCollectors) v->push_back(e.name);
    return v;
  }();
  return *names;
}

absl::Status ValidateNodeOptions(const NodeOptions& options) {
  for (const std::string& name : options.enabled) {
    const auto& names = NodeCollectorNames();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return absl::InvalidArgumentError(absl::StrCat("node collectors: unknown collector \"", name, "\""));
    }
  }
  const std::pair<std::string_view, const std::string*> patterns[] = {
      {"filesystem_mount_points_exclude", &options.filesystem_mount_points_exclude},
      {"filesystem_fs_types_exclude", &options.filesystem_fs_types_exclude},
      {"diskstats_device_exclude", &options.diskstats_device_exclude},
      {"netdev_device_exclude", &options.netdev_device_exclude},
      {"netclass_device_exclude", &options.netclass_device_exclude},
      {"vmstat_fields", &options.vmstat_fields},
  };
  for (const auto& [option, pattern] : patterns) {
    Pattern p(option, *pattern);
    if (!p.status().ok()) return p.status();
  }
  return absl::OkStatus();
}

std::vector<std::unique_ptr<Collector>> NewNodeCollectors(const NodeOptions& options) {
  std::vector<std::unique_ptr<Collector>> out;
  for (const Entry& e : kCollectors) {
    if (!options.enabled.empty() &&
        std::find(options.enabled.begin(), options.enabled.end(), e.name) == options.enabled.end()) {
      continue;
    }
    out.push_back(e.factory(options));
  }
  return out;
}

}  // namespace vigil::agent::node
