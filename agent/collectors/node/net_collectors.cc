// The network collectors: netdev (/proc/net/dev counters) and netclass (/sys/class/net properties).
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <optional>
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

// ---- netdev: node_network_{receive,transmit}_*_total{device}.

// The /proc/net/dev columns after the device name, in file order, as the statistic names node_exporter uses.
constexpr std::array<std::string_view, 16> kNetDevColumns = {
    "receive_bytes",  "receive_packets",  "receive_errs",       "receive_drop",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errs",      "transmit_drop",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed"};

class NetdevCollector : public NamedCollector {
 public:
  explicit NetdevCollector(const NodeOptions& o)
      : NamedCollector("netdev"),
        path_(JoinPath(o.procfs, "net/dev")),
        class_dir_(JoinPath(o.sysfs, "class/net")),
        exclude_("netdev_device_exclude", o.netdev_device_exclude) {
    for (size_t i = 0; i < kNetDevColumns.size(); ++i) {
      names_[i] = absl::StrCat("node_network_", std::string(kNetDevColumns[i]), "_total");
      helps_[i] = absl::StrCat("Network device statistic ", std::string(kNetDevColumns[i]), ".");
    }
  }

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(exclude_.status());
    std::string_view text;
    VIGIL_RETURN_IF_ERROR(reader_.Read(path_, &text));
    size_t n = 0;
    for (std::string_view line; NextLine(&text, &line);) {
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;  // the two header lines
      const std::string_view device = Trim(line.substr(0, colon));
      line.remove_prefix(colon + 1);
      if (device.empty() || exclude_.Matches(device)) continue;
      if (n == devices_.size()) devices_.emplace_back();
      Device& d = devices_[n];
      d.name = device;
      for (size_t i = 0; i < kNetDevColumns.size(); ++i) {
        std::string_view f = NextField(&line);
        if (!ParseUint(f, &d.values[i])) {
          return absl::InvalidArgumentError(absl::StrCat(path_, ": bad ", std::string(kNetDevColumns[i]), " value \"",
                                                         std::string(f), "\" for ", std::string(device)));
        }
      }
      // Packets dropped for want of a protocol handler are not in /proc/net/dev; sysfs has them.
      path_scratch_.assign(class_dir_).append("/").append(device).append("/statistics/rx_nohandler");
      std::string_view nohandler;
      d.has_nohandler = sysfs_reader_.Read(path_scratch_, &nohandler).ok() && ParseUint(Trim(nohandler), &d.nohandler);
      ++n;
    }
    devices_.resize(n);
    for (size_t i = 0; i < kNetDevColumns.size(); ++i) {
      sink->Family(names_[i], MetricType::kCounter, helps_[i]);
      for (const Device& d : devices_) {
        const Label labels[] = {{"device", d.name}};
        sink->Sample(labels, static_cast<double>(d.values[i]));
      }
    }
    bool started = false;
    for (const Device& d : devices_) {
      if (!d.has_nohandler) continue;
      if (!started) {
        sink->Family("node_network_receive_nohandler_total", MetricType::kCounter,
                     "Network device statistic receive_nohandler.");
        started = true;
      }
      const Label labels[] = {{"device", d.name}};
      sink->Sample(labels, static_cast<double>(d.nohandler));
    }
    return absl::OkStatus();
  }

 private:
  struct Device {
    std::string_view name;  // into reader_'s buffer, valid for one cycle
    std::array<uint64_t, kNetDevColumns.size()> values{};
    bool has_nohandler = false;
    uint64_t nohandler = 0;
  };
  const std::string path_, class_dir_;
  const Pattern exclude_;
  std::array<std::string, kNetDevColumns.size()> names_, helps_;
  FileReader reader_, sysfs_reader_;
  std::string path_scratch_;
  std::vector<Device> devices_;
};

// ---- netclass: node_network_up, node_network_info and the numeric properties of /sys/class/net/<device>.

struct NetProp {
  std::string_view file;    // under /sys/class/net/<device>/
  std::string_view metric;  // node_network_<metric>
  MetricType type;
};

constexpr std::array<NetProp, 17> kNetProps = {{
    {"addr_assign_type", "address_assign_type", MetricType::kGauge},
    {"carrier", "carrier", MetricType::kGauge},
    {"carrier_changes", "carrier_changes_total", MetricType::kCounter},
    {"carrier_up_count", "carrier_up_changes_total", MetricType::kCounter},
    {"carrier_down_count", "carrier_down_changes_total", MetricType::kCounter},
    {"dev_id", "device_id", MetricType::kGauge},
    {"dormant", "dormant", MetricType::kGauge},
    {"flags", "flags", MetricType::kGauge},
    {"ifindex", "iface_id", MetricType::kGauge},
    {"iflink", "iface_link", MetricType::kGauge},
    {"link_mode", "iface_link_mode", MetricType::kGauge},
    {"mtu", "mtu_bytes", MetricType::kGauge},
    {"name_assign_type", "name_assign_type", MetricType::kGauge},
    {"netdev_group", "net_dev_group", MetricType::kGauge},
    {"speed", "speed_bytes", MetricType::kGauge},  // Mbit/s in the file
    {"tx_queue_len", "transmit_queue_length", MetricType::kGauge},
    {"type", "protocol_type", MetricType::kGauge},
}};
constexpr size_t kSpeed = 14;

// The string properties node_network_info carries, in label order after "device".
enum NetInfo { kAddress, kBroadcast, kDuplex, kOperstate, kIfalias, kNetInfos };
constexpr std::array<std::string_view, kNetInfos> kNetInfoFiles = {"address", "broadcast", "duplex", "operstate",
                                                                   "ifalias"};

class NetclassCollector : public NamedCollector {
 public:
  explicit NetclassCollector(const NodeOptions& o)
      : NamedCollector("netclass"),
        class_dir_(JoinPath(o.sysfs, "class/net")),
        exclude_("netclass_device_exclude", o.netclass_device_exclude) {
    for (size_t i = 0; i < kNetProps.size(); ++i) {
      names_[i] = absl::StrCat("node_network_", std::string(kNetProps[i].metric));
      helps_[i] = absl::StrCat("Network device property: ", std::string(kNetProps[i].metric));
    }
  }

  absl::Status Collect(MetricSink* sink) override {
    VIGIL_RETURN_IF_ERROR(exclude_.status());
    VIGIL_RETURN_IF_ERROR(ListDevices());
    for (Iface& iface : ifaces_) ReadIface(&iface);

    sink->Family("node_network_up", MetricType::kGauge, "Value is 1 if operstate is 'up', 0 otherwise.");
    for (const Iface& iface : ifaces_) {
      const Label labels[] = {{"device", iface.name}};
      sink->Sample(labels, iface.info[kOperstate] == "up" ? 1 : 0);
    }
    sink->Family("node_network_info", MetricType::kGauge,
                 "Non-numeric data from /sys/class/net/<iface>, value is always 1.");
    for (const Iface& iface : ifaces_) {
      const Label labels[] = {
          {"device", iface.name},          {"address", iface.info[kAddress]},     {"broadcast", iface.info[kBroadcast]},
          {"duplex", iface.info[kDuplex]}, {"operstate", iface.info[kOperstate]}, {"ifalias", iface.info[kIfalias]}};
      sink->Sample(labels, 1);
    }
    for (size_t i = 0; i < kNetProps.size(); ++i) {
      bool started = false;
      for (const Iface& iface : ifaces_) {
        if (!iface.props[i].has_value()) continue;
        if (!started) {
          sink->Family(names_[i], kNetProps[i].type, helps_[i]);
          started = true;
        }
        double v = static_cast<double>(*iface.props[i]);
        // Mbit/s to bytes/s, truncated to an integer as node_exporter does (-1 "unknown" becomes -125000).
        if (i == kSpeed) v = static_cast<double>(*iface.props[i] * 1000 * 1000 / 8);
        const Label labels[] = {{"device", iface.name}};
        sink->Sample(labels, v);
      }
    }
    return absl::OkStatus();
  }

 private:
  struct Iface {
    std::string name;
    std::array<std::optional<int64_t>, kNetProps.size()> props;
    std::array<std::string, kNetInfos> info;
  };

  // Fills ifaces_ with the device directories of /sys/class/net (not files like bonding_masters), sorted.
  absl::Status ListDevices() {
    DIR* dir = ::opendir(class_dir_.c_str());
    if (dir == nullptr) {
      return absl::UnavailableError(absl::StrCat("opendir ", class_dir_, ": ", strerror(errno)));
    }
    size_t n = 0;
    while (const dirent* e = ::readdir(dir)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      if (exclude_.Matches(name)) continue;
      path_.assign(class_dir_).append("/").append(name);
      struct stat st;
      if (::stat(path_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      if (n == ifaces_.size()) ifaces_.emplace_back();
      ifaces_[n++].name.assign(name);
    }
    ::closedir(dir);
    ifaces_.resize(n);
    std::sort(ifaces_.begin(), ifaces_.end(), [](const Iface& a, const Iface& b) { return a.name < b.name; });
    return absl::OkStatus();
  }

  // Reads one device's properties. Unreadable ones (EINVAL for a link that is down, absent on old kernels)
  // stay unset and are not exported, as in node_exporter.
  void ReadIface(Iface* iface) {
    const size_t base_len = class_dir_.size() + 1 + iface->name.size() + 1;
    path_.assign(class_dir_).append("/").append(iface->name).append("/");
    std::string_view text;
    for (size_t i = 0; i < kNetProps.size(); ++i) {
      path_.resize(base_len);
      path_.append(kNetProps[i].file);
      int64_t v = 0;
      if (reader_.Read(path_, &text).ok() && ParseInt(Trim(text), &v)) {
        iface->props[i] = v;
      } else {
        iface->props[i].reset();
      }
    }
    for (size_t i = 0; i < kNetInfos; ++i) {
      path_.resize(base_len);
      path_.append(kNetInfoFiles[i]);
      if (reader_.Read(path_, &text).ok()) {
        iface->info[i].assign(Trim(text));
      } else {
        iface->info[i].clear();
      }
    }
  }

  const std::string class_dir_;
  const Pattern exclude_;
  std::array<std::string, kNetProps.size()> names_, helps_;
  FileReader reader_;
  std::string path_;
  std::vector<Iface> ifaces_;
};

}  // namespace

std::unique_ptr<Collector> NewNetdevCollector(const NodeOptions& o) { return std::make_unique<NetdevCollector>(o); }
std::unique_ptr<Collector> NewNetclassCollector(const NodeOptions& o) { return std::make_unique<NetclassCollector>(o); }

}  // namespace vigil::agent::node
