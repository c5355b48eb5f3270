// Allocation-free parsers for the text files of cgroupfs and procfs the cgroup collector reads. Each takes the
// file's contents as a view and never throws or crashes on malformed input: what does not parse is skipped.
#ifndef VIGIL_AGENT_COLLECTORS_CGROUP_STAT_PARSE_H_
#define VIGIL_AGENT_COLLECTORS_CGROUP_STAT_PARSE_H_

#include <cstdint>
#include <string_view>

namespace vigil::agent::cgroup {

// Parses a decimal unsigned integer, surrounding whitespace allowed. False on anything else or overflow.
bool ParseUint64(std::string_view s, uint64_t* out);

// Like ParseUint64, but also accepts a leading '-' (v1's cpu.cfs_quota_us is -1 when unlimited).
bool ParseInt64(std::string_view s, int64_t* out);

// Calls f(key, value_text) for each "key value" line ("cpu.stat", "memory.stat", "memory.events").
template <typename F>
void ForEachKeyValue(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    f(line.substr(0, sp), line.substr(sp + 1));
  }
}

// The `total=` field (microseconds) of the "some" and "full" lines of a PSI file ("cpu.pressure").
struct PressureTotals {
  bool has_some = false;
  bool has_full = false;
  uint64_t some_usec = 0;
  uint64_t full_usec = 0;
};
PressureTotals ParsePressure(std::string_view text);

// One block device's counters from v2 io.stat or v1 blkio files.
struct DeviceIo {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t reads = 0;
  uint64_t writes = 0;
};

// Parses "<major>:<minor>" at the start of `s`; returns the rest after it, or false.
bool ParseMajorMinor(std::string_view s, uint32_t* major, uint32_t* minor, std::string_view* rest);

// Calls f(DeviceIo) for each line of v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0").
template <typename F>
void ForEachIoStat(std::string_view text, F&& f);

// One interface's counters from /proc/<pid>/net/dev.
struct NetDevCounters {
  std::string_view interface;  // points into the parsed text
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

// Calls f(NetDevCounters) for each interface line of /proc/<pid>/net/dev (the two header lines are skipped).
template <typename F>
void ForEachNetDev(std::string_view text, F&& f);

// cAdvisor leaves out loopback and the host ends of container links: "lo", "veth*", "docker*", "nerdctl*".
bool IsIgnoredInterface(std::string_view name);

// ---- implementation of the templates ----

namespace internal {
// Splits off the next whitespace-separated field of `s`.
std::string_view NextField(std::string_view* s);
}  // namespace internal

template <typename F>
void ForEachIoStat(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    DeviceIo io;
    std::string_view rest;
    if (!ParseMajorMinor(line, &io.major, &io.minor, &rest)) continue;
    for (std::string_view field = internal::NextField(&rest); !field.empty(); field = internal::NextField(&rest)) {
      size_t eq = field.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = field.substr(0, eq);
      uint64_t v = 0;
      if (!ParseUint64(field.substr(eq + 1), &v)) continue;
      if (k == "rbytes") {
        io.read_bytes = v;
      } else if (k == "wbytes") {
        io.write_bytes = v;
      } else if (k == "rios") {
        io.reads = v;
      } else if (k == "wios") {
        io.writes = v;
      }
    }
    f(io);
  }
}

template <typename F>
void ForEachNetDev(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (name.empty()) continue;
    std::string_view rest = line.substr(colon + 1);
    uint64_t v[16] = {};
    int n = 0;
    for (std::string_view field = internal::NextField(&rest); !field.empty() && n < 16;
         field = internal::NextField(&rest)) {
      if (!ParseUint64(field, &v[n])) break;
      ++n;
    }
    if (n < 16) continue;  // header or malformed line
    NetDevCounters c;
    c.interface = name;
    c.rx_bytes = v[0];
    c.rx_packets = v[1];
    c.rx_errors = v[2];
    c.rx_dropped = v[3];
    c.tx_bytes = v[8];
    c.tx_packets = v[9];
    c.tx_errors = v[10];
    c.tx_dropped = v[11];
    f(c);
  }
}

}  // namespace vigil::agent::cgroup

#endif  // VIGIL_AGENT_COLLECTORS_CGROUP_STAT_PARSE_H_
