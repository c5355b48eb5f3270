// Kernel-wide families of a generated host (load, processes, vmstat, sockets, time, pressure, identity), the
// exporter's own families, and the series a Prometheus scrape adds.
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "tools/datagen/catalog.h"

namespace vigil::datagen {
namespace {

using exposition::MetricType;

// A family with one series without labels.
void One(FleetBuilder& b, const char* name, MetricType type, const char* help, const ValueModel& model) {
  b.Add(b.Family(name, type, help), name, {}, model);
}

ValueModel Load(double window_s) {
  ValueModel m;
  m.kind = ModelKind::kLoad;
  m.a = window_s;
  return m;
}

void AddLoadAndProcesses(FleetBuilder& b, Rng& rng, double uptime_s) {
  const HostInfo& h = b.host();
  One(b, "node_load1", MetricType::kGauge, "1m load average.", Load(60));
  One(b, "node_load5", MetricType::kGauge, "5m load average.", Load(300));
  One(b, "node_load15", MetricType::kGauge, "15m load average.", Load(900));
  One(b, "node_procs_running", MetricType::kGauge, "Number of processes in runnable state.", UtilGauge(1, 1, 0.7));
  One(b, "node_procs_blocked", MetricType::kGauge, "Number of processes blocked waiting for I/O to complete.",
      UtilGauge(0, 0.02, 0.3));
  One(b, "node_context_switches_total", MetricType::kCounter, "Total number of context switches.",
      Counter(uptime_s * 400 * h.cpus, 400 * h.cpus, 1, 0.8, 0.2, 0.01, 5));
  One(b, "node_intr_total", MetricType::kCounter, "Total number of interrupts serviced.",
      Counter(uptime_s * 250 * h.cpus, 250 * h.cpus, 1, 0.7, 0.2, 0.01, 5));
  One(b, "node_forks_total", MetricType::kCounter, "Total number of forks.",
      Counter(uptime_s * rng.Uniform(1, 20), rng.Uniform(1, 20), 1, 0.3, 0.6, 0.02, 10));
  ValueModel boot;
  boot.kind = ModelKind::kBootTime;
  boot.v0 = std::floor(static_cast<double>(b.options().end_ms - b.options().duration_ms) / 1000 - uptime_s);
  One(b, "node_boot_time_seconds", MetricType::kGauge, "Node boot time, in unixtime.", boot);
  ValueModel now;
  now.kind = ModelKind::kTimeNow;
  now.a = rng.Uniform(0.0005, 0.004);
  now.b = 0.0005;
  now.resolution = 1e-9;
  One(b, "node_time_seconds", MetricType::kGauge, "System time in seconds since epoch (1970).", now);
  One(b, "node_entropy_available_bits", MetricType::kGauge, "Bits of available entropy.", Const(256));
  One(b, "node_entropy_pool_size_bits", MetricType::kGauge, "Bits of entropy pool.", Const(256));
  One(b, "node_filefd_allocated", MetricType::kGauge, "File descriptor statistics: allocated.",
      Walk(rng.Uniform(600, 20000), 20, 100, 1e7, 1, 0.05));
  One(b, "node_filefd_maximum", MetricType::kGauge, "File descriptor statistics: maximum.",
      Const(9223372036854775807.0));
  for (const char* resource : {"cpu", "io", "memory"}) {
    const double rate = resource[0] == 'c' ? 0.02 : resource[0] == 'i' ? 0.01 : 0.0005;
    const std::string waiting = absl::StrFormat("node_pressure_%s_waiting_seconds_total", resource);
    b.Add(b.Family(waiting, MetricType::kCounter,
                   absl::StrFormat("Total time in seconds that processes have waited for %s.", resource)),
          waiting, {}, Counter(uptime_s * rate, rate, 1e-6, 0.9, 0.5, 0.02, 20));
    if (resource[0] == 'c') continue;
    const std::string stalled = absl::StrFormat("node_pressure_%s_stalled_seconds_total", resource);
    b.Add(b.Family(
              stalled, MetricType::kCounter,
              absl::StrFormat("Total time in seconds no process could make progress due to %s congestion.", resource)),
          stalled, {}, Counter(uptime_s * rate * 0.6, rate * 0.6, 1e-6, 0.9, 0.5, 0.02, 20));
  }
}

void AddVmstatAndNetstat(FleetBuilder& b, Rng& rng, double uptime_s) {
  const HostInfo& h = b.host();
  // node_exporter exposes /proc/vmstat and /proc/net/{netstat,snmp} as untyped.
  struct Untyped {
    const char* name;
    ValueModel model;
  };
  const double conn = rng.Uniform(0.01, 5);  // new TCP connections per second
  const double segs = rng.Uniform(10, 5000);
  const double dgrams = rng.Uniform(1, 200);
  const Untyped series[] = {
      {"node_vmstat_pgfault", Counter(uptime_s * 3000 * h.cpus, 3000 * h.cpus, 1, 0.7, 0.3, 0.02, 8)},
      {"node_vmstat_pgmajfault", Counter(uptime_s * 0.5, 0.5, 1, 0.3, 1, 0.01, 20)},
      {"node_vmstat_pgpgin", Counter(uptime_s * 200, 200, 1, 0.5, 0.5, 0.01, 15)},
      {"node_vmstat_pgpgout", Counter(uptime_s * 600, 600, 1, 0.5, 0.4, 0.01, 10)},
      {"node_vmstat_pswpin", Sparse(rng.Int(0, 1000), 0.002, 50)},
      {"node_vmstat_pswpout", Sparse(rng.Int(0, 3000), 0.002, 100)},
      {"node_vmstat_oom_kill", Sparse(rng.Int(0, 2), 0.0001, 1)},
      {"node_netstat_Tcp_ActiveOpens", Counter(uptime_s * conn, conn, 1, 0.5, 0.6, 0.02, 10)},
      {"node_netstat_Tcp_PassiveOpens", Counter(uptime_s * conn * 2, conn * 2, 1, 0.5, 0.6, 0.02, 10)},
      {"node_netstat_Tcp_CurrEstab", Walk(rng.Uniform(5, 500), 3, 0, 1e5, 1, 0.05)},
      {"node_netstat_Tcp_InSegs", Counter(uptime_s * segs, segs, 1, 0.6, 0.4, 0.02, 10)},
      {"node_netstat_Tcp_OutSegs", Counter(uptime_s * segs * 1.1, segs * 1.1, 1, 0.6, 0.4, 0.02, 10)},
      {"node_netstat_Tcp_RetransSegs", Counter(uptime_s * segs * 0.001, segs * 0.001, 1, 0.5, 1, 0.02, 30)},
      {"node_netstat_Tcp_InErrs", Sparse(rng.Int(0, 100), 0.001, 2)},
      {"node_netstat_Tcp_OutRsts", Counter(uptime_s * conn * 0.2, conn * 0.2, 1, 0.3, 1, 0.01, 10)},
      {"node_netstat_TcpExt_ListenDrops", Sparse(0, 0.0005, 5)},
      {"node_netstat_TcpExt_ListenOverflows", Sparse(0, 0.0005, 5)},
      {"node_netstat_TcpExt_SyncookiesFailed", Const(0)},
      {"node_netstat_TcpExt_SyncookiesRecv", Const(0)},
      {"node_netstat_TcpExt_SyncookiesSent", Const(0)},
      {"node_netstat_TcpExt_TCPSynRetrans", Sparse(rng.Int(0, 500), 0.01, 3)},
      {"node_netstat_TcpExt_TCPTimeouts", Sparse(rng.Int(0, 500), 0.01, 3)},
      {"node_netstat_Udp_InDatagrams", Counter(uptime_s * dgrams, dgrams, 1, 0.3, 0.4, 0.01, 10)},
      {"node_netstat_Udp_OutDatagrams", Counter(uptime_s * dgrams, dgrams, 1, 0.3, 0.4, 0.01, 10)},
      {"node_netstat_Udp_InErrors", Const(0)},
      {"node_netstat_Udp_NoPorts", Sparse(rng.Int(0, 100), 0.005, 2)},
      {"node_netstat_Udp_RcvbufErrors", Const(0)},
      {"node_netstat_Udp_SndbufErrors", Const(0)},
      {"node_netstat_Udp6_InDatagrams", Counter(uptime_s * 0.1, 0.1, 1, 0, 1, 0, 0)},
      {"node_netstat_Udp6_OutDatagrams", Counter(uptime_s * 0.1, 0.1, 1, 0, 1, 0, 0)},
      {"node_netstat_Icmp_InMsgs", Sparse(rng.Int(0, 1000), 0.05, 2)},
      {"node_netstat_Icmp_OutMsgs", Sparse(rng.Int(0, 1000), 0.05, 2)},
      {"node_netstat_Icmp_InErrors", Const(0)},
      {"node_netstat_IpExt_InOctets", Counter(uptime_s * segs * 900, segs * 900, 1, 0.6, 0.5, 0.02, 15)},
      {"node_netstat_IpExt_OutOctets", Counter(uptime_s * segs * 700, segs * 700, 1, 0.6, 0.5, 0.02, 15)},
      {"node_netstat_Ip_Forwarding", Const(1)},
      {"node_netstat_Ip6_InOctets", Counter(uptime_s * 20, 20, 1, 0.2, 0.8, 0.01, 5)},
      {"node_netstat_Ip6_OutOctets", Counter(uptime_s * 20, 20, 1, 0.2, 0.8, 0.01, 5)},
  };
  for (const Untyped& u : series) {
    const std::string help =
        absl::StrFormat("Statistic %s.", std::string_view(u.name).substr(std::string_view(u.name).find('_', 5) + 1));
    One(b, u.name, MetricType::kUnknown, help.c_str(), u.model);
  }
  const double sockets = rng.Uniform(50, 2000);
  One(b, "node_sockstat_sockets_used", MetricType::kGauge, "Number of IPv4 sockets in use.",
      Walk(sockets, 4, 10, 1e6, 1));
  One(b, "node_sockstat_TCP_alloc", MetricType::kGauge, "Number of TCP sockets in state alloc.",
      Walk(sockets * 0.4, 3, 0, 1e6, 1));
  One(b, "node_sockstat_TCP_inuse", MetricType::kGauge, "Number of TCP sockets in state inuse.",
      Walk(sockets * 0.3, 3, 0, 1e6, 1));
  One(b, "node_sockstat_TCP_orphan", MetricType::kGauge, "Number of TCP sockets in state orphan.",
      Walk(0, 0.5, 0, 100, 1, 0.5));
  One(b, "node_sockstat_TCP_tw", MetricType::kGauge, "Number of TCP sockets in state tw.",
      Walk(sockets * 0.1, 5, 0, 1e6, 1, 0.2));
  One(b, "node_sockstat_TCP_mem", MetricType::kGauge, "Number of TCP sockets in state mem.",
      Walk(sockets * 0.05, 2, 0, 1e6, 1, 0.2));
  One(b, "node_sockstat_TCP_mem_bytes", MetricType::kGauge, "Number of TCP sockets in state mem_bytes.",
      Walk(sockets * 0.05 * 4096, 8192, 0, 1e9, 4096, 0.2));
  One(b, "node_sockstat_UDP_inuse", MetricType::kGauge, "Number of UDP sockets in state inuse.",
      Walk(rng.Uniform(2, 30), 0.3, 0, 1e4, 1));
  One(b, "node_sockstat_UDP_mem", MetricType::kGauge, "Number of UDP sockets in state mem.",
      Walk(rng.Uniform(0, 20), 1, 0, 1e4, 1, 0.3));
  One(b, "node_sockstat_UDP_mem_bytes", MetricType::kGauge, "Number of UDP sockets in state mem_bytes.",
      Walk(rng.Uniform(0, 20) * 4096, 4096, 0, 1e8, 4096, 0.3));
  One(b, "node_sockstat_TCP6_inuse", MetricType::kGauge, "Number of TCP6 sockets in state inuse.",
      Walk(rng.Uniform(2, 50), 0.5, 0, 1e5, 1));
  One(b, "node_sockstat_UDP6_inuse", MetricType::kGauge, "Number of UDP6 sockets in state inuse.",
      Walk(rng.Uniform(1, 10), 0.2, 0, 1e4, 1));
  One(b, "node_nf_conntrack_entries", MetricType::kGauge,
      "Number of currently allocated flow entries for connection tracking.",
      Walk(rng.Uniform(50, 5000), 20, 0, 262144, 1, 0.1));
  One(b, "node_nf_conntrack_entries_limit", MetricType::kGauge, "Maximum size of connection tracking table.",
      Const(262144));
  const uint32_t udp_queues = b.Family("node_udp_queues", MetricType::kGauge,
                                       "Number of allocated memory in the kernel for UDP datagrams in bytes.");
  for (const char* ip : {"v4", "v6"}) {
    for (const char* q : {"rx", "tx"}) b.Add(udp_queues, "node_udp_queues", {{"ip", ip}, {"queue", q}}, Const(0));
  }
  const uint32_t arp = b.Family("node_arp_entries", MetricType::kGauge, "ARP entries by device");
  b.Add(arp, "node_arp_entries", {{"device", h.bare_metal ? "eno1" : "eth0"}},
        Walk(rng.Uniform(2, 30), 0.3, 1, 1000, 1, 0.2));
}

void AddTimeAndIdentity(FleetBuilder& b, Rng& rng) {
  const HostInfo& h = b.host();
  One(b, "node_timex_offset_seconds", MetricType::kGauge, "Time offset in between local system and reference clock.",
      Walk(0, 2e-5, -5e-3, 5e-3, 1e-9, 0.2));
  One(b, "node_timex_sync_status", MetricType::kGauge, "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
      Const(1));
  One(b, "node_timex_maxerror_seconds", MetricType::kGauge, "Maximum error in seconds.",
      Walk(0.01, 0.002, 0, 16, 1e-6, 0.3));
  One(b, "node_timex_estimated_error_seconds", MetricType::kGauge, "Estimated error in seconds.",
      Walk(1e-4, 2e-5, 0, 1, 1e-6, 0.3));
  One(b, "node_timex_frequency_adjustment_ratio", MetricType::kGauge, "Local clock frequency adjustment.",
      Walk(1 + rng.Uniform(-2e-5, 2e-5), 1e-8, 0.999, 1.001, 0, 0.1, 0));
  One(b, "node_timex_tick_seconds", MetricType::kGauge, "Seconds between clock ticks.", Const(0.01));
  const std::string nodename = h.instance.substr(0, h.instance.find('.'));
  const std::string release = rng.Chance(0.6) ? "6.1.0-18-amd64" : "5.10.0-28-amd64";
  b.Add(b.Family("node_uname_info", MetricType::kGauge,
                 "Labeled system information as provided by the uname system call."),
        "node_uname_info",
        {{"domainname", "(none)"},
         {"machine", "x86_64"},
         {"nodename", nodename},
         {"release", release},
         {"sysname", "Linux"},
         {"version",
          release[0] == '6' ? "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)" : "#1 SMP Debian 5.10.209-2"}},
        Const(1));
  const bool bookworm = release[0] == '6';
  b.Add(b.Family("node_os_info", MetricType::kGauge,
                 "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, "
                 "pretty_name, variant, variant_id, version, version_codename, version_id."),
        "node_os_info",
        {{"id", "debian"},
         {"name", "Debian GNU/Linux"},
         {"pretty_name", bookworm ? "Debian GNU/Linux 12 (bookworm)" : "Debian GNU/Linux 11 (bullseye)"},
         {"version", bookworm ? "12 (bookworm)" : "11 (bullseye)"},
         {"version_codename", bookworm ? "bookworm" : "bullseye"},
         {"version_id", bookworm ? "12" : "11"}},
        Const(1));
  b.Add(b.Family("node_os_version", MetricType::kGauge, "Metric containing the major.minor part of the OS version."),
        "node_os_version", {{"id", "debian"}, {"name", "Debian GNU/Linux"}}, Const(bookworm ? 12 : 11));
  One(b, "node_textfile_scrape_error", MetricType::kGauge,
      "1 if there was an error opening or reading a file, 0 otherwise", Const(0));
}

}  // namespace

void AddKernel(FleetBuilder& b, Rng& rng, double uptime_s) {
  AddLoadAndProcesses(b, rng, uptime_s);
  AddVmstatAndNetstat(b, rng, uptime_s);
  AddTimeAndIdentity(b, rng);
}

void AddExporterAndScrape(FleetBuilder& b, Rng& rng, double uptime_s) {
  static constexpr const char* kCollectors[] = {
      "arp",       "bcache",     "bonding",      "btrfs",   "conntrack",    "cpu",        "cpufreq",
      "diskstats", "dmi",        "edac",         "entropy", "fibrechannel", "filefd",     "filesystem",
      "hwmon",     "infiniband", "ipvs",         "loadavg", "mdadm",        "meminfo",    "netclass",
      "netdev",    "netstat",    "nfs",          "nfsd",    "nvme",         "os",         "powersupplyclass",
      "pressure",  "rapl",       "schedstat",    "selinux", "sockstat",     "softnet",    "stat",
      "tapestats", "textfile",   "thermal_zone", "time",    "timex",        "udp_queues", "uname",
      "vmstat",    "xfs",        "zfs"};
  const uint32_t duration = b.Family("node_scrape_collector_duration_seconds", MetricType::kGauge,
                                     "node_exporter: Duration of a collector scrape.");
  const uint32_t success =
      b.Family("node_scrape_collector_success", MetricType::kGauge, "node_exporter: Whether a collector succeeded.");
  for (const char* c : kCollectors) {
    // Each collector has its own typical cost, from microseconds (dmi) to milliseconds (conntrack).
    const double mean = std::exp(rng.Uniform(std::log(5e-6), std::log(8e-3)));
    b.Add(duration, "node_scrape_collector_duration_seconds", {{"collector", c}}, Noise(mean, rng.Uniform(0.1, 0.6)));
    b.Add(success, "node_scrape_collector_success", {{"collector", c}}, Const(rng.Chance(0.92) ? 1 : 0));
  }
  const double interval_s = static_cast<double>(b.options().interval_ms) / 1000;
  const uint32_t gc = b.Family("go_gc_duration_seconds", MetricType::kSummary,
                               "A summary of the pause duration of garbage collection cycles.");
  const double pause = rng.Uniform(2e-5, 1.5e-4);
  const double gcs_per_s = 1.0 / rng.Uniform(60, 300);
  for (const auto& [q, f] : {std::pair{"0", 0.3}, {"0.25", 0.6}, {"0.5", 1.0}, {"0.75", 1.5}, {"1", 4.0}}) {
    b.Add(gc, "go_gc_duration_seconds", {{"quantile", q}}, Noise(pause * f, 0.25));
  }
  b.Add(gc, "go_gc_duration_seconds_sum", {},
        Counter(uptime_s * gcs_per_s * pause, gcs_per_s * pause, 1e-9, 0, 0.8, 0.01, 5));
  b.Add(gc, "go_gc_duration_seconds_count", {},
        Sparse(std::round(uptime_s * gcs_per_s), std::min(1.0, gcs_per_s * interval_s), 1));
  One(b, "go_goroutines", MetricType::kGauge, "Number of goroutines that currently exist.", Step(8, 0.05, 0.25, 1));
  One(b, "go_threads", MetricType::kGauge, "Number of OS threads created.", Const(static_cast<double>(rng.Int(6, 14))));
  b.Add(b.Family("go_info", MetricType::kGauge, "Information about the Go environment."), "go_info",
        {{"version", "go1.19.8"}}, Const(1));
  One(b, "go_memstats_alloc_bytes", MetricType::kGauge, "Number of bytes allocated and still in use.",
      Walk(2.5e6, 3e5, 5e5, 5e7, 8, 0.2));
  One(b, "go_memstats_heap_objects", MetricType::kGauge, "Number of allocated objects.",
      Walk(9000, 1500, 1000, 1e6, 1, 0.2));
  One(b, "go_memstats_sys_bytes", MetricType::kGauge, "Number of bytes obtained from system.",
      Step(1.3e7, 0.005, 0.1, 4096));
  One(b, "go_memstats_mallocs_total", MetricType::kCounter, "Total number of mallocs.",
      Counter(uptime_s * 300, 300, 1, 0, 0.2, 0, 0));
  One(b, "go_memstats_frees_total", MetricType::kCounter, "Total number of frees.",
      Counter(uptime_s * 295, 295, 1, 0, 0.2, 0, 0));
  One(b, "process_cpu_seconds_total", MetricType::kCounter, "Total user and system CPU time spent in seconds.",
      Counter(uptime_s * 0.003, 0.003, 0.01, 0, 0.5, 0.01, 5));
  One(b, "process_open_fds", MetricType::kGauge, "Number of open file descriptors.", Step(11, 0.02, 0.2, 1));
  One(b, "process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.", Const(1048576));
  One(b, "process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.",
      Walk(1.8e7, 3e5, 8e6, 1e9, 4096, 0.1));
  One(b, "process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.",
      Step(1.05e9, 0.003, 0.02, 4096));
  One(b, "process_virtual_memory_max_bytes", MetricType::kGauge, "Maximum amount of virtual memory available in bytes.",
      Const(18446744073709551615.0));
  One(b, "process_start_time_seconds", MetricType::kGauge, "Start time of the process since unix epoch in seconds.",
      Const(
          std::round((static_cast<double>(b.options().end_ms - b.options().duration_ms) / 1000 - uptime_s + 20) * 100) /
          100));
  const uint32_t requests = b.Family("promhttp_metric_handler_requests_total", MetricType::kCounter,
                                     "Total number of scrapes by HTTP status code.");
  // One scrape per interval: exactly +1 per step.
  b.Add(requests, "promhttp_metric_handler_requests_total", {{"code", "200"}},
        Counter(std::round(uptime_s / interval_s), 1 / interval_s, 1, 0, 0, 0, 0));
  b.Add(requests, "promhttp_metric_handler_requests_total", {{"code", "500"}}, Const(0));
  b.Add(requests, "promhttp_metric_handler_requests_total", {{"code", "503"}}, Const(0));
  One(b, "promhttp_metric_handler_requests_in_flight", MetricType::kGauge, "Current number of scrapes being served.",
      Const(1));
  b.Add(b.Family("node_exporter_build_info", MetricType::kGauge,
                 "A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
                 "node_exporter was built, and the goos and goarch for the build."),
        "node_exporter_build_info",
        {{"branch", "debian/sid"},
         {"goarch", "amd64"},
         {"goos", "linux"},
         {"goversion", "go1.19.8"},
         {"revision", "1.5.0-1+b6"},
         {"version", "1.5.0"}},
        Const(1));

  // What the Prometheus scrape adds.
  const double scraped = static_cast<double>(b.host_series());
  One(b, "up", MetricType::kGauge, "1 if the target was scraped successfully.", Const(1));
  One(b, "scrape_duration_seconds", MetricType::kGauge, "Duration of the scrape in seconds.",
      Noise(rng.Uniform(0.008, 0.06), 0.3));
  One(b, "scrape_samples_scraped", MetricType::kGauge, "Samples the target exposed.", Const(scraped));
  One(b, "scrape_samples_post_metric_relabeling", MetricType::kGauge, "Samples left after metric relabeling.",
      Const(scraped));
  One(b, "scrape_series_added", MetricType::kGauge, "Series added by the scrape.", Const(0));
}

}  // namespace vigil::datagen
