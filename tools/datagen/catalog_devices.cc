// Filesystems, block devices and network interfaces of a generated host.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "tools/datagen/catalog.h"

namespace vigil::datagen {
namespace {

using exposition::MetricType;

struct Mount {
  std::string device;
  std::string fstype;
  std::string mountpoint;
  double size;
};

void AddFilesystems(FleetBuilder& b, Rng& rng) {
  const HostInfo& h = b.host();
  const std::string disk = h.bare_metal ? (rng.Chance(0.5) ? "/dev/nvme0n1p" : "/dev/sda") : "/dev/vda";
  const double root = std::round(rng.Uniform(30, 500)) * kGiB;
  std::vector<Mount> mounts = {
      {disk + "2", rng.Chance(0.7) ? "ext4" : "xfs", "/", root},
      {"tmpfs", "tmpfs", "/run", std::round(rng.Uniform(0.5, 12)) * 256 * 1024 * kKiB},
      {"tmpfs", "tmpfs", "/run/lock", 5 * 1024 * kKiB},
      {disk + "1", "vfat", "/boot/efi", 511 * 1024 * kKiB},
  };
  const int extra = static_cast<int>(rng.Int(0, 3));
  const Mount optional[] = {
      {"tmpfs", "tmpfs", "/dev/shm", std::round(rng.Uniform(1, 32)) * kGiB},
      {"/dev/mapper/vg0-data", "xfs", "/var/lib/docker", std::round(rng.Uniform(100, 2000)) * kGiB},
      {"tmpfs", "tmpfs", "/run/user/1000", std::round(rng.Uniform(0.5, 6)) * 256 * 1024 * kKiB},
  };
  for (int i = 0; i < extra; ++i) mounts.push_back(optional[i]);

  const uint32_t size = b.Family("node_filesystem_size_bytes", MetricType::kGauge, "Filesystem size in bytes.");
  const uint32_t free = b.Family("node_filesystem_free_bytes", MetricType::kGauge, "Filesystem free space in bytes.");
  const uint32_t avail = b.Family("node_filesystem_avail_bytes", MetricType::kGauge,
                                  "Filesystem space available to non-root users in bytes.");
  const uint32_t files = b.Family("node_filesystem_files", MetricType::kGauge, "Filesystem total file nodes.");
  const uint32_t files_free =
      b.Family("node_filesystem_files_free", MetricType::kGauge, "Filesystem total free file nodes.");
  const uint32_t readonly = b.Family("node_filesystem_readonly", MetricType::kGauge, "Filesystem read-only status.");
  const uint32_t device_error = b.Family("node_filesystem_device_error", MetricType::kGauge,
                                         "Whether an error occurred while getting statistics for the given device.");
  for (size_t i = 0; i < mounts.size(); ++i) {
    const Mount& m = mounts[i];
    const std::initializer_list<LabelPair> labels = {
        {"device", m.device}, {"fstype", m.fstype}, {"mountpoint", m.mountpoint}};
    const bool tmpfs = m.fstype == "tmpfs";
    // Free and avail share a random stream, so they move together; avail is free minus root's 5 % on ext4.
    ValueModel drain;
    drain.kind = ModelKind::kDrain;
    drain.v0 = m.size;
    drain.e = tmpfs ? rng.Uniform(0.9, 1.0) : rng.Uniform(0.2, 0.9);  // free fraction at the start
    drain.a = tmpfs ? 0 : rng.Uniform(0, 2e-8) * m.size;              // bytes per second
    drain.b = tmpfs ? 0 : 0.002;                                      // cleanups per scrape
    drain.resolution = 4096;
    drain.stream = HashPair(h.seed, 1000 + i);
    b.Add(size, "node_filesystem_size_bytes", labels, Const(m.size));
    b.Add(free, "node_filesystem_free_bytes", labels, drain);
    drain.d = m.fstype == "ext4" ? std::round(m.size * 0.05 / 4096) * 4096 : 0;
    b.Add(avail, "node_filesystem_avail_bytes", labels, drain);
    const double inodes = std::round(m.size / 16384);
    b.Add(files, "node_filesystem_files", labels, Const(inodes));
    b.Add(files_free, "node_filesystem_files_free", labels,
          Walk(inodes * rng.Uniform(0.6, 0.99), inodes * 1e-5, 0, inodes, 1, 0.02));
    b.Add(readonly, "node_filesystem_readonly", labels, Const(0));
    b.Add(device_error, "node_filesystem_device_error", labels, Const(0));
  }
}

void AddDisks(FleetBuilder& b, Rng& rng, double uptime_s) {
  const HostInfo& h = b.host();
  const int n = static_cast<int>(rng.Int(1, 3));
  const char* const kBare[] = {"nvme0n1", "sda", "sdb"};
  const char* const kVirtual[] = {"vda", "vdb", "vdc"};
  struct DiskFamily {
    const char* name;
    const char* help;
  };
  const DiskFamily families[] = {
      {"node_disk_reads_completed_total", "The total number of reads completed successfully."},
      {"node_disk_reads_merged_total", "The total number of reads merged."},
      {"node_disk_read_bytes_total", "The total number of bytes read successfully."},
      {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads."},
      {"node_disk_writes_completed_total", "The total number of writes completed successfully."},
      {"node_disk_writes_merged_total", "The number of writes merged."},
      {"node_disk_written_bytes_total", "The total number of bytes written successfully."},
      {"node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes."},
      {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os."},
      {"node_disk_io_time_weighted_seconds_total", "The weighted number of seconds spent doing I/Os."},
      {"node_disk_discards_completed_total", "The total number of discards completed successfully."},
      {"node_disk_discards_merged_total", "The total number of discards merged."},
      {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully."},
      {"node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards."},
      {"node_disk_flush_requests_total", "The total number of flush requests completed successfully"},
      {"node_disk_flush_requests_time_seconds_total",
       "This is the total number of seconds spent by all flush requests."},
  };
  const uint32_t io_now = b.Family("node_disk_io_now", MetricType::kGauge, "The number of I/Os currently in progress.");
  const uint32_t info = b.Family("node_disk_info", MetricType::kGauge, "Info of /sys/block/<block_device>.");
  for (int d = 0; d < n; ++d) {
    const std::string device = h.bare_metal ? kBare[d] : kVirtual[d];
    const double reads = rng.Uniform(1, 60);    // per second
    const double writes = rng.Uniform(5, 120);  // per second
    const double read_size = 4096 * rng.Int(4, 32);
    const double write_size = 4096 * rng.Int(2, 16);
    const double ms_per_io = h.bare_metal ? rng.Uniform(0.1, 0.5) : rng.Uniform(0.5, 4);
    const ValueModel models[] = {
        Counter(uptime_s * reads, reads, 1, 0.5, 0.4, 0.01, 10),
        Counter(uptime_s * reads * 0.1, reads * 0.1, 1, 0.5, 0.6, 0.01, 6),
        Counter(uptime_s * reads * read_size, reads * read_size, 512, 0.5, 0.5, 0.01, 15),
        Counter(uptime_s * reads * ms_per_io / 1000, reads * ms_per_io / 1000, 0.001, 0.5, 0.4, 0.01, 10),
        Counter(uptime_s * writes, writes, 1, 0.6, 0.3, 0.01, 8),
        Counter(uptime_s * writes * 0.4, writes * 0.4, 1, 0.6, 0.4, 0.01, 6),
        Counter(uptime_s * writes * write_size, writes * write_size, 512, 0.6, 0.4, 0.01, 12),
        Counter(uptime_s * writes * ms_per_io / 1000, writes * ms_per_io / 1000, 0.001, 0.6, 0.5, 0.01, 10),
        Counter(uptime_s * (reads + writes) * ms_per_io / 1000 * 0.8, (reads + writes) * ms_per_io / 1000 * 0.8, 0.001,
                0.6, 0.3, 0.01, 8),
        Counter(uptime_s * (reads + writes) * ms_per_io / 1000 * 1.3, (reads + writes) * ms_per_io / 1000 * 1.3, 0.001,
                0.6, 0.5, 0.01, 12),
        Sparse(std::round(uptime_s / 3600), 0.004, 20),
        Const(0),
        Sparse(std::round(uptime_s / 3600) * 2048, 0.004, 200000),
        Counter(uptime_s * 1e-5, 1e-5, 0.001, 0, 1, 0.001, 10),
        Counter(uptime_s * writes * 0.05, writes * 0.05, 1, 0.6, 0.4, 0.01, 5),
        Counter(uptime_s * writes * 0.05 * 0.002, writes * 0.05 * 0.002, 0.001, 0.6, 0.5, 0.01, 5),
    };
    for (size_t f = 0; f < std::size(families); ++f) {
      b.Add(b.Family(families[f].name, MetricType::kCounter, families[f].help), families[f].name, {{"device", device}},
            models[f]);
    }
    b.Add(io_now, "node_disk_io_now", {{"device", device}}, UtilGauge(0, 0.05, 0.4));
    b.Add(info, "node_disk_info",
          {{"device", device}, {"major", h.bare_metal ? "259" : "254"}, {"minor", std::to_string(d * 16)}}, Const(1));
  }
}

void AddNetwork(FleetBuilder& b, Rng& rng, double uptime_s) {
  const HostInfo& h = b.host();
  std::vector<std::string> devices = {"lo", h.bare_metal ? "eno1" : "eth0"};
  const int extra = static_cast<int>(rng.Int(0, 2));
  if (extra >= 1) devices.push_back(h.bare_metal ? "eno2" : "eth1");
  if (extra >= 2) devices.push_back("docker0");
  struct NetFamily {
    const char* name;
    const char* help;
  };
  const NetFamily counters[] = {
      {"node_network_receive_bytes_total", "Network device statistic receive_bytes."},
      {"node_network_receive_packets_total", "Network device statistic receive_packets."},
      {"node_network_receive_errs_total", "Network device statistic receive_errs."},
      {"node_network_receive_drop_total", "Network device statistic receive_drop."},
      {"node_network_receive_fifo_total", "Network device statistic receive_fifo."},
      {"node_network_receive_frame_total", "Network device statistic receive_frame."},
      {"node_network_receive_compressed_total", "Network device statistic receive_compressed."},
      {"node_network_receive_multicast_total", "Network device statistic receive_multicast."},
      {"node_network_receive_nohandler_total", "Network device statistic receive_nohandler."},
      {"node_network_transmit_bytes_total", "Network device statistic transmit_bytes."},
      {"node_network_transmit_packets_total", "Network device statistic transmit_packets."},
      {"node_network_transmit_errs_total", "Network device statistic transmit_errs."},
      {"node_network_transmit_drop_total", "Network device statistic transmit_drop."},
      {"node_network_transmit_fifo_total", "Network device statistic transmit_fifo."},
      {"node_network_transmit_colls_total", "Network device statistic transmit_colls."},
      {"node_network_transmit_carrier_total", "Network device statistic transmit_carrier."},
      {"node_network_transmit_compressed_total", "Network device statistic transmit_compressed."},
  };
  const uint32_t up = b.Family("node_network_up", MetricType::kGauge, "Value is 1 if operstate is 'up', 0 otherwise.");
  const uint32_t mtu = b.Family("node_network_mtu_bytes", MetricType::kGauge, "Network device property: mtu_bytes");
  const uint32_t carrier = b.Family("node_network_carrier", MetricType::kGauge, "Network device property: carrier");
  const uint32_t queue = b.Family("node_network_transmit_queue_length", MetricType::kGauge,
                                  "Network device property: transmit_queue_length");
  const uint32_t info =
      b.Family("node_network_info", MetricType::kGauge, "Non-numeric data from /sys/class/net/<iface>.");
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string& dev = devices[i];
    const bool lo = dev == "lo";
    const double rx = lo ? rng.Uniform(1e3, 5e4) : dev == "docker0" ? rng.Uniform(1e3, 1e5) : rng.Uniform(2e4, 2e7);
    const double tx = rx * rng.Uniform(0.3, 3);
    const double rx_pkt = rx / rng.Uniform(200, 1400);
    const double tx_pkt = tx / rng.Uniform(200, 1400);
    const ValueModel models[] = {
        Counter(uptime_s * rx, rx, 1, 0.6, 0.5, 0.02, 15),
        Counter(uptime_s * rx_pkt, rx_pkt, 1, 0.6, 0.4, 0.02, 10),
        lo ? Const(0) : Sparse(0, 0.0002, 2),
        lo ? Const(0) : Sparse(rng.Int(0, 5000), 0.01, 3),
        Const(0),
        Const(0),
        Const(0),
        lo ? Const(0) : Counter(uptime_s * 0.05, 0.05, 1, 0, 1, 0, 0),
        lo ? Const(0) : Sparse(0, 0.001, 1),
        Counter(uptime_s * tx, tx, 1, 0.6, 0.5, 0.02, 15),
        Counter(uptime_s * tx_pkt, tx_pkt, 1, 0.6, 0.4, 0.02, 10),
        Const(0),
        Const(0),
        Const(0),
        Const(0),
        Const(0),
        Const(0),
    };
    for (size_t f = 0; f < std::size(counters); ++f) {
      b.Add(b.Family(counters[f].name, MetricType::kCounter, counters[f].help), counters[f].name, {{"device", dev}},
            models[f]);
    }
    b.Add(up, "node_network_up", {{"device", dev}}, Const(lo ? 0 : 1));
    b.Add(mtu, "node_network_mtu_bytes", {{"device", dev}}, Const(lo ? 65536 : 1500));
    b.Add(carrier, "node_network_carrier", {{"device", dev}}, Const(1));
    b.Add(queue, "node_network_transmit_queue_length", {{"device", dev}}, Const(lo ? 1000 : 1000));
    const std::string mac =
        lo ? "00:00:00:00:00:00" : absl::StrFormat("52:54:00:%02x:%02x:%02x", h.index >> 8 & 255, h.index & 255, i);
    b.Add(info, "node_network_info",
          {{"address", mac},
           {"broadcast", lo ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff"},
           {"device", dev},
           {"duplex", lo || !h.bare_metal ? "" : "full"},
           {"operstate", lo ? "unknown" : "up"}},
          Const(1));
    if (h.bare_metal && !lo && dev != "docker0") {
      b.Add(b.Family("node_network_speed_bytes", MetricType::kGauge, "Network device property: speed_bytes"),
            "node_network_speed_bytes", {{"device", dev}}, Const(1.25e8 * (rng.Chance(0.5) ? 10 : 1)));
    }
  }
}

}  // namespace

void AddFilesystemsDisksNetwork(FleetBuilder& b, Rng& rng, double uptime_s) {
  AddFilesystems(b, rng);
  AddDisks(b, rng, uptime_s);
  AddNetwork(b, rng, uptime_s);
}

}  // namespace vigil::datagen
