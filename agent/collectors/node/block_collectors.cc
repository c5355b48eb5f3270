// The storage collectors: diskstats (/proc/diskstats + udev's device database) and filesystem (statfs of every
// mount point in the host's mount table).
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

// ---- diskstats: node_disk_*{device}.

// /proc/diskstats counts sectors of 512 bytes whatever the device's block size, and times in milliseconds.
constexpr double kSectorBytes = 512.0;
constexpr double kSecondsPerTick = 1.0 / 1000.0;

struct DiskStatDesc {
  std::string_view name;
  MetricType type;
  std::string_view help;
  double scale;
};

// The statistics columns after major, minor and name, in file order (kernel Documentation/admin-guide/iostats):
// 11 columns before 4.18, 15 with discards, 17 with flushes (5.5).
constexpr std::array<DiskStatDesc, 17> kDiskStats = {{
    {"node_disk_reads_completed_total", MetricType::kCounter, "The total number of reads completed successfully.", 1},
    {"node_disk_reads_merged_total", MetricType::kCounter, "The total number of reads merged.", 1},
    {"node_disk_read_bytes_total", MetricType::kCounter, "The total number of bytes read successfully.", kSectorBytes},
    {"node_disk_read_time_seconds_total", MetricType::kCounter, "The total number of seconds spent by all reads.",
     kSecondsPerTick},
    {"node_disk_writes_completed_total", MetricType::kCounter, "The total number of writes completed successfully.", 1},
    {"node_disk_writes_merged_total", MetricType::kCounter, "The number of writes merged.", 1},
    {"node_disk_written_bytes_total", MetricType::kCounter, "The total number of bytes written successfully.",
     kSectorBytes},
    {"node_disk_write_time_seconds_total", MetricType::kCounter,
     "This is the total number of seconds spent by all writes.", kSecondsPerTick},
    {"node_disk_io_now", MetricType::kGauge, "The number of I/Os currently in progress.", 1},
    {"node_disk_io_time_seconds_total", MetricType::kCounter, "Total seconds spent doing I/Os.", kSecondsPerTick},
    {"node_disk_io_time_weighted_seconds_total", MetricType::kCounter, "The weighted # of seconds spent doing I/Os.",
     kSecondsPerTick},
    {"node_disk_discards_completed_total", MetricType::kCounter, "The total number of discards completed successfully.",
     1},
    {"node_disk_discards_merged_total", MetricType::kCounter, "The total number of discards merged.", 1},
    {"node_disk_discarded_sectors_total", MetricType::kCounter, "The total number of sectors discarded successfully.",
     1},
    {"node_disk_discard_time_seconds_total", MetricType::kCounter,
     "This is the total number of seconds spent by all discards.", kSecondsPerTick},
    {"node_disk_flush_requests_total", MetricType::kCounter,
     "The total number of flush requests completed successfully", 1},
    {"node_disk_flush_requests_time_seconds_total", MetricType::kCounter,
     "This is the total number of seconds spent by all flush requests.", kSecondsPerTick},
}};

// The udev properties (E: lines of /run/udev/data/b<major>:<minor>) the disk info families carry.
enum UdevProp {
  kIdPath,
  kIdWwn,
  kIdModel,
  kIdSerialShort,
  kIdRevision,
  kIdFsType,
  kIdFsUsage,
  kIdFsUuid,
  kIdFsVersion,
  kDmName,
  kDmUuid,
  kDmVgName,
  kDmLvName,
  kDmLvLayer,
  kUdevProps
};
constexpr std::array<std::string_view, kUdevProps> kUdevKeys = {
    "ID_PATH",    "ID_WWN",        "ID_MODEL", "ID_SERIAL_SHORT", "ID_REVISION", "ID_FS_TYPE", "ID_FS_USAGE",
    "ID_FS_UUID", "ID_FS_VERSION", "DM_NAME",  "DM_UUID",         "DM_VG_NAME",  "DM_LV_NAME", "DM_LV_LAYER"};

class DiskstatsCollector : public NamedCollector {
 public:
  explicit DiskstatsCollector(const NodeOptions& o)
      : NamedCollector("diskstats"),
        path_(JoinPath(o.procfs, "diskstats")),
        udev_dir_(o.udev_data),
        exclude_("diskstats_device_exclude", o.diskstats_device_exclude) {}

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(exclude_.status());
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    size_t n = 0;
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view major = NextField(&line), minor = NextField(&line), device = NextField(&line);
      if (device.empty()) continue;
      if (exclude_.Matches(device)) continue;
      if (n == disks_.size()) disks_.emplace_back();
      Disk& d = disks_[n];
      d.columns = 0;
      for (std::string_view f = NextField(&line); !f.empty() && d.columns < kDiskStats.size(); f = NextField(&line)) {
        uint64_t v = 0;
        if (!ParseUint(f, &v)) {
          return absl::InvalidArgumentError(
              absl::StrCat(path_, ": bad value \"", std::string(f), "\" for device ", std::string(device)));
        }
        d.values[d.columns] = static_cast<double>(v) * kDiskStats[d.columns].scale;
        ++d.columns;
      }
      d.device = device;
      d.major = major;
      d.minor = minor;
      ReadUdev(&d);
      ++n;
    }
    disks_.resize(n);

    sink->Family("node_disk_info", MetricType::kGauge, "Info of /sys/block/<block_device>.");
    for (const Disk& d : disks_) {
      const Label labels[] = {{"device", d.device},
                              {"major", d.major},
                              {"minor", d.minor},
                              {"path", d.udev[kIdPath]},
                              {"wwn", d.udev[kIdWwn]},
                              {"model", d.udev[kIdModel]},
                              {"serial", d.udev[kIdSerialShort]},
                              {"revision", d.udev[kIdRevision]}};
      sink->Sample(labels, 1);
    }
    for (size_t i = 0; i < kDiskStats.size(); ++i) {
      bool started = false;
      for (const Disk& d : disks_) {
        if (i >= d.columns) continue;
        if (!started) {
          sink->Family(kDiskStats[i].name, kDiskStats[i].type, kDiskStats[i].help);
          started = true;
        }
        const Label labels[] = {{"device", d.device}};
        sink->Sample(labels, d.values[i]);
      }
    }
    bool started = false;
    for (const Disk& d : disks_) {
      if (d.udev[kIdFsType].empty()) continue;
      if (!started) sink->Family("node_disk_filesystem_info", MetricType::kGauge, "Info about disk filesystem.");
      started = true;
      const Label labels[] = {{"device", d.device},
                              {"type", d.udev[kIdFsType]},
                              {"usage", d.udev[kIdFsUsage]},
                              {"uuid", d.udev[kIdFsUuid]},
                              {"version", d.udev[kIdFsVersion]}};
      sink->Sample(labels, 1);
    }
    started = false;
    for (const Disk& d : disks_) {
      if (d.udev[kDmName].empty()) continue;
      if (!started) sink->Family("node_disk_device_mapper_info", MetricType::kGauge, "Info about disk device mapper.");
      started = true;
      const Label labels[] = {{"device", d.device},           {"name", d.udev[kDmName]},
                              {"uuid", d.udev[kDmUuid]},      {"vg_name", d.udev[kDmVgName]},
                              {"lv_name", d.udev[kDmLvName]}, {"lv_layer", d.udev[kDmLvLayer]}};
      sink->Sample(labels, 1);
    }
    return absl::OkStatus();
  }

 private:
  struct Disk {
    std::string_view device, major, minor;  // views into reader_'s buffer, valid for one cycle
    size_t columns = 0;
    std::array<double, kDiskStats.size()> values{};
    std::array<std::string, kUdevProps> udev;  // empty when udev does not know the property
  };

  // Fills d->udev from udev's database; a missing database or entry leaves the properties empty.
  void ReadUdev(Disk* d) {
    for (std::string& p : d->udev) p.clear();
    if (udev_dir_.empty()) return;
    udev_path_.assign(udev_dir_).append("/b").append(d->major).append(":").append(d->minor);
    std::string_view text;
    if (!udev_reader_.Read(udev_path_, &text).ok()) return;
    for (std::string_view line; NextLine(&text, &line);) {
      if (line.substr(0, 2) != "E:") continue;
      line.remove_prefix(2);
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = line.substr(0, eq);
      for (size_t i = 0; i < kUdevKeys.size(); ++i) {
        if (kUdevKeys[i] == key) d->udev[i].assign(line.substr(eq + 1));
      }
    }
  }

  const std::string path_;
  const std::string udev_dir_;
  const Pattern exclude_;
  FileReader reader_, udev_reader_;
  std::string udev_path_;
  std::vector<Disk> disks_;
};

// ---- filesystem: node_filesystem_*{device,mountpoint,fstype} by statfs over the host's mount table.

// Undoes the octal escapes the kernel writes in mount tables ("\040" for a space).
void UnescapeMountField(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && in.size() - i >= 4 && in[i + 1] >= '0' && in[i + 1] <= '3' && in[i + 2] >= '0' &&
        in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
      out->push_back(static_cast<char>((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 + (in[i + 3] - '0')));
      i += 3;
    } else {
      out->push_back(in[i]);
    }
  }
}

class FilesystemCollector : public NamedCollector {
 public:
  explicit FilesystemCollector(const NodeOptions& o)
      : NamedCollector("filesystem"),
        root_mounts_path_(JoinPath(o.procfs, "1/mounts")),
        mounts_path_(JoinPath(o.procfs, "mounts")),
        rootfs_(o.rootfs),
        system_(SystemOf(o)),
        mount_points_exclude_("filesystem_mount_points_exclude", o.filesystem_mount_points_exclude),
        fs_types_exclude_("filesystem_fs_types_exclude", o.filesystem_fs_types_exclude) {
    while (rootfs_.size() > 1 && rootfs_.back() == '/') rootfs_.pop_back();
  }

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(mount_points_exclude_.status());
    VIGIL_RETURN_IF_ERROR(fs_types_exclude_.status());
    std::string_view text;
    // The host's mount table is init's; /proc/mounts (ours) is the fallback when hidepid hides pid 1.
    absl::Status s = reader_.Read(root_mounts_path_, &text);
    if (absl::IsNotFound(s)) s = reader_.Read(mounts_path_, &text);
    VIGIL_RETURN_IF_ERROR(s);
    size_t n = 0;
    for (std::string_view line; NextLine(&text, &line);) {
      std::string_view device = NextField(&line), mountpoint = NextField(&line), fstype = NextField(&line),
                       options = NextField(&line);
      if (device.empty()) continue;
      if (options.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed mount table line: \"", std::string(device), " ", std::string(mountpoint), "\""));
      }
      UnescapeMountField(mountpoint, &scratch_);
      StripRootfs(&scratch_);
      if (mount_points_exclude_.Matches(scratch_) || fs_types_exclude_.Matches(fstype)) continue;
      // A mount point mounted over several times is reported once (node_exporter does the same).
      bool seen = false;
      for (size_t i = 0; i < n && !seen; ++i) {
        seen = mounts_[i].mountpoint == scratch_ && mounts_[i].device == device && mounts_[i].fstype == fstype;
      }
      if (seen) continue;
      if (n == mounts_.size()) mounts_.emplace_back();
      Mount& m = mounts_[n++];
      m.device.assign(device);
      m.mountpoint.assign(scratch_);
      m.fstype.assign(fstype);
      m.readonly = false;
      for (std::string_view rest = options; !rest.empty();) {
        const size_t comma = rest.find(',');
        const std::string_view opt = rest.substr(0, comma);
        if (opt == "ro") m.readonly = true;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      JoinPathInto(rootfs_, m.mountpoint, &stat_path_);
      if (stat_path_.empty()) stat_path_ = "/";
      m.error = !system_->Statfs(stat_path_, &m.stat).ok();
    }
    mounts_.resize(n);

    Emit(sink, "node_filesystem_size_bytes", "Filesystem size in bytes.",
         [](const StatfsResult& s) { return static_cast<double>(s.blocks) * static_cast<double>(s.block_size); });
    Emit(sink, "node_filesystem_free_bytes", "Filesystem free space in bytes.",
         [](const StatfsResult& s) { return static_cast<double>(s.blocks_free) * static_cast<double>(s.block_size); });
    Emit(sink, "node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
         [](const StatfsResult& s) {
           return static_cast<double>(s.blocks_available) * static_cast<double>(s.block_size);
         });
    Emit(sink, "node_filesystem_files", "Filesystem total file nodes.",
         [](const StatfsResult& s) { return static_cast<double>(s.files); });
    Emit(sink, "node_filesystem_files_free", "Filesystem total free file nodes.",
         [](const StatfsResult& s) { return static_cast<double>(s.files_free); });
    sink->Family("node_filesystem_readonly", MetricType::kGauge, "Filesystem read-only status.");
    for (const Mount& m : mounts_) {
      if (!m.error) sink->Sample(LabelsOf(m), m.readonly ? 1 : 0);
    }
    sink->Family("node_filesystem_device_error", MetricType::kGauge,
                 "Whether an error occurred while getting statistics for the given device.");
    for (const Mount& m : mounts_) sink->Sample(LabelsOf(m), m.error ? 1 : 0);
    return absl::OkStatus();
  }

 private:
  struct Mount {
    std::string device, mountpoint, fstype;
    bool readonly = false;
    bool error = false;
    StatfsResult stat;
  };

  std::span<const Label> LabelsOf(const Mount& m) {
    labels_[0] = {"device", m.device};
    labels_[1] = {"fstype", m.fstype};
    labels_[2] = {"mountpoint", m.mountpoint};
    return labels_;
  }

  template <typename F>
  void Emit(MetricSink* sink, std::string_view name, std::string_view help, F value) {
    sink->Family(name, MetricType::kGauge, help);
    for (const Mount& m : mounts_) {
      if (!m.error) sink->Sample(LabelsOf(m), value(m.stat));
    }
  }

  // Mount points under --path.rootfs are reported as the host sees them ("/host/root/var" -> "/var").
  void StripRootfs(std::string* mountpoint) const {
    if (rootfs_ == "/" || rootfs_.empty()) return;
    if (mountpoint->compare(0, rootfs_.size(), rootfs_) != 0) return;
    if (mountpoint->size() > rootfs_.size() && (*mountpoint)[rootfs_.size()] != '/') return;
    mountpoint->erase(0, rootfs_.size());
    if (mountpoint->empty()) mountpoint->assign("/");
  }

  const std::string root_mounts_path_, mounts_path_;
  std::string rootfs_;
  NodeSystem* const system_;
  const Pattern mount_points_exclude_, fs_types_exclude_;
  FileReader reader_;
  std::string scratch_, stat_path_;
  std::vector<Mount> mounts_;
  Label labels_[3];
};

}  // namespace

std::unique_ptr<Collector> NewDiskstatsCollector(const NodeOptions& o) {
  return std::make_unique<DiskstatsCollector>(o);
}
std::unique_ptr<Collector> NewFilesystemCollector(const NodeOptions& o) {
  return std::make_unique<FilesystemCollector>(o);
}

}  // namespace vigil::agent::node
