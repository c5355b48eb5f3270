#include "agent/collectors/cgroup/cgroup_collector.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/collectors/cgroup/metric_specs.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::cgroup {
namespace {

// The kernel's getdents64 record; glibc only declares it with _GNU_SOURCE on recent versions.
struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

constexpr size_t kMaxDepth = 32;
constexpr size_t kDirentBufferSize = 16 * 1024;
// Block device names of devices unknown at their last lookup are retried this often (in cycles).
constexpr uint64_t kDeviceRefreshCycles = 60;

absl::StatusOr<std::unique_ptr<RE2>> CompileAlternation(const std::vector<std::string>& patterns,
                                                        std::string_view what) {
  if (patterns.empty()) return std::unique_ptr<RE2>();
  for (const std::string& p : patterns) {
    RE2 re(p, RE2::Quiet);
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cgroup collector: invalid ", std::string(what), " pattern \"", p, "\": ", re.error()));
    }
  }
  auto re = std::make_unique<RE2>(absl::StrCat("(?:", absl::StrJoin(patterns, ")|(?:"), ")"), RE2::Quiet);
  if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat("cgroup collector: ", re->error()));
  return re;
}

std::string SanitizeLabelName(std::string_view key) {
  std::string out = "container_label_";
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace

struct CgroupCollector::Entry {
  std::string path;
  uint64_t seen = 0;
  bool included = false;
  bool ok = false;  // stats read this cycle
  std::shared_ptr<const discovery::ContainerInfo> info;
  std::vector<Label> labels;  // views into `path`, `info` and the collector's allow-list names
  bool labels_built = false;
  CgroupStats stats;
};

absl::StatusOr<std::unique_ptr<CgroupCollector>> CgroupCollector::Create(CgroupCollectorOptions options) {
  absl::StatusOr<CgroupLayout> layout = DetectCgroupLayout(options.cgroup_root);
  if (!layout.ok()) return layout.status();
  absl::StatusOr<std::unique_ptr<RE2>> include = CompileAlternation(options.include, "include");
  if (!include.ok()) return include.status();
  absl::StatusOr<std::unique_ptr<RE2>> exclude = CompileAlternation(options.exclude, "exclude");
  if (!exclude.ok()) return exclude.status();
  std::unique_ptr<CgroupCollector> c(new CgroupCollector(std::move(options), *std::move(layout)));
  c->include_ = *std::move(include);
  c->exclude_ = *std::move(exclude);
  return c;
}

CgroupCollector::CgroupCollector(CgroupCollectorOptions options, CgroupLayout layout)
    : options_(std::move(options)),
      layout_(std::move(layout)),
      reader_(layout_),
      devices_(options_.sysfs, options_.procfs) {
  for (const std::string& key : options_.label_allowlist) allowlist_names_.push_back(SanitizeLabelName(key));
}

CgroupCollector::~CgroupCollector() = default;

bool CgroupCollector::Included(std::string_view path) const {
  if (include_ != nullptr && !RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *include_)) return false;
  if (exclude_ != nullptr && RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *exclude_)) return false;
  return true;
}

void CgroupCollector::Visit() {
  std::string_view path = walk_path_.empty() ? std::string_view("/") : std::string_view(walk_path_);
  auto it = entries_.find(AV(path));
  if (it == entries_.end()) {
    auto e = std::make_unique<Entry>();
    e->path = std::string(path);
    e->included = Included(path);
    if (e->included) order_dirty_ = true;
    it = entries_.emplace(e->path, std::move(e)).first;
  }
  it->second->seen = generation_;
}

void CgroupCollector::WalkDir(int dir_fd, size_t depth) {
  if (depth >= kMaxDepth) return;
  // Sized once for every depth: a reference into it must survive the recursion below.
  if (dirent_buffers_.size() < kMaxDepth) dirent_buffers_.resize(kMaxDepth);
  std::vector<char>& buf = dirent_buffers_[depth];
  if (buf.size() < kDirentBufferSize) buf.resize(kDirentBufferSize);
  while (true) {
    long n = ::syscall(SYS_getdents64, dir_fd, buf.data(), buf.size());
    if (n <= 0) return;  // end, or the directory vanished
    for (long off = 0; off < n;) {
      const auto* d = reinterpret_cast<const LinuxDirent64*>(buf.data() + off);
      off += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      bool is_dir = d->d_type == DT_DIR;
      if (d->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
      }
      if (!is_dir) continue;
      int child = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (child < 0) continue;  // removed since the listing
      const size_t old = walk_path_.size();
      walk_path_.push_back('/');
      walk_path_.append(name);
      Visit();
      WalkDir(child, depth + 1);
      ::close(child);
      walk_path_.resize(old);
    }
  }
}

absl::Status CgroupCollector::Walk() {
  ++generation_;
  int opened = 0;
  int last_errno = 0;
  for (const std::string& root : layout_.WalkRoots()) {
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    ++opened;
    walk_path_.clear();
    Visit();
    WalkDir(fd, 0);
    ::close(fd);
  }
  if (opened == 0) {
    return absl::UnavailableError(absl::StrCat("cgroup collector: cannot open the cgroup hierarchies under ",
                                               options_.cgroup_root, ": ", strerror(last_errno)));
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second->seen != generation_) {
      if (options_.discovery != nullptr) options_.discovery->Forget(it->first);
      if (it->second->included) order_dirty_ = true;
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
  if (order_dirty_) {
    order_.clear();
    for (auto& [path, e] : entries_) {
      if (e->included) order_.push_back(e.get());
    }
    std::sort(order_.begin(), order_.end(), [](const Entry* a, const Entry* b) { return a->path < b->path; });
    order_dirty_ = false;
  }
  return absl::OkStatus();
}

void CgroupCollector::BuildLabels(Entry* e) {
  e->labels.clear();
  e->labels.push_back({"id", e->path});
  const discovery::ContainerInfo* info = e->info.get();
  if (info != nullptr) {
    e->labels.push_back({"name", info->name});
    e->labels.push_back({"image", info->image});
    e->labels.push_back({"container", info->container});
    e->labels.push_back({"pod", info->pod});
    e->labels.push_back({"namespace", info->namespace_name});
    for (size_t i = 0; i < options_.label_allowlist.size(); ++i) {
      for (const auto& [k, v] : info->runtime_labels) {
        if (k == options_.label_allowlist[i]) e->labels.push_back({allowlist_names_[i], v});
      }
    }
  }
  e->labels_built = true;
}

absl::Status CgroupCollector::Collect(MetricSink* sink) {
  if (absl::Status s = Walk(); !s.ok()) return s;
  if (++cycles_ % kDeviceRefreshCycles == 0) devices_.Refresh();
  for (Entry* e : order_) {
    e->ok = reader_.Read(e->path, &e->stats);
    if (!e->ok) continue;  // vanished mid-read: dropped by the next walk
    if (options_.discovery != nullptr) {
      std::shared_ptr<const discovery::ContainerInfo> info = options_.discovery->Lookup(e->path);
      if (info != e->info) {
        e->info = std::move(info);
        e->labels_built = false;
      }
    }
    if (!e->labels_built) BuildLabels(e);
    if (e->info != nullptr && e->info->own_network && e->stats.first_pid > 0) {
      if (!reader_.ReadNetwork(options_.procfs, e->stats.first_pid, &e->stats)) e->stats.net_count = 0;
    }
  }
  Emit(sink);
  return absl::OkStatus();
}

void CgroupCollector::Emit(MetricSink* sink) {
  auto with = [this](const Entry* e, Label extra) -> std::span<const Label> {
    label_buf_.assign(e->labels.begin(), e->labels.end());
    label_buf_.push_back(extra);
    return label_buf_;
  };
  for (const ScalarMetricSpec& spec : kScalarMetrics) {
    bool started = false;
    for (const Entry* e : order_) {
      if (!e->ok || !e->stats.has(spec.field)) continue;
      if (!started) {
        sink->Family(spec.name, spec.type, spec.help, spec.unit);
        started = true;
      }
      const double v = e->stats.value[spec.field];
      if (spec.cpu_total) {
        sink->Sample(with(e, {"cpu", "total"}), v);
      } else {
        sink->Sample(e->labels, v);
      }
    }
  }
  for (const DeviceMetricSpec& spec : kDeviceMetrics) {
    bool started = false;
    for (const Entry* e : order_) {
      if (!e->ok) continue;
      for (const DeviceIo& io : e->stats.io) {
        if (!started) {
          sink->Family(spec.name, exposition::MetricType::kCounter, spec.help, spec.unit);
          started = true;
        }
        sink->Sample(with(e, {"device", devices_.Name(io.major, io.minor)}), static_cast<double>(io.*spec.value));
      }
    }
  }
  for (const NetworkMetricSpec& spec : kNetworkMetrics) {
    bool started = false;
    for (const Entry* e : order_) {
      if (!e->ok) continue;
      for (size_t i = 0; i < e->stats.net_count; ++i) {
        const InterfaceStats& s = e->stats.net[i];
        if (!started) {
          sink->Family(spec.name, exposition::MetricType::kCounter, spec.help, spec.unit);
          started = true;
        }
        sink->Sample(with(e, {"interface", s.name}), static_cast<double>(s.counters.*spec.value));
      }
    }
  }
}

}  // namespace vigil::agent::cgroup
