#include "agent/discovery/peer_resolver.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/fs/file_system.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::discovery {
namespace {

// The hex the kernel prints for `n` bytes of an address: 32-bit words in host order, "%08X" each.
std::string KernelHex(const unsigned char* bytes, size_t n) {
  std::string out;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    uint32_t word = 0;
    std::memcpy(&word, bytes + i, 4);
    absl::StrAppendFormat(&out, "%08X", word);
  }
  return out;
}

std::string ReadLink(const std::string& path) {
  char buf[256];
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

bool IsPid(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The inode of the socket whose local address is `address` in a /proc/net/tcp{,6} text, or "".
std::string SocketInode(std::string_view table, std::string_view address) {
  for (absl::string_view line : absl::StrSplit(AV(table), '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (f.size() < 10 || f[1] != AV(address)) continue;
    if (f[9] != "0") return std::string(f[9]);
  }
  return "";
}

}  // namespace

std::string ProcNetAddress(std::string_view peer_addr) {
  std::string_view host, port;
  if (!peer_addr.empty() && peer_addr.front() == '[') {
    const size_t close = peer_addr.find(']');
    if (close == std::string_view::npos || close + 1 >= peer_addr.size() || peer_addr[close + 1] != ':') return "";
    host = peer_addr.substr(1, close - 1);
    port = peer_addr.substr(close + 2);
  } else {
    const size_t colon = peer_addr.rfind(':');
    if (colon == std::string_view::npos) return "";
    host = peer_addr.substr(0, colon);
    port = peer_addr.substr(colon + 1);
  }
  uint32_t port_number = 0;
  if (!absl::SimpleAtoi(AV(port), &port_number) || port_number > 65535) return "";
  const std::string h(host);
  unsigned char v4[4];
  unsigned char v6[16];
  std::string hex;
  if (inet_pton(AF_INET, h.c_str(), v4) == 1) {
    hex = KernelHex(v4, 4);
  } else if (inet_pton(AF_INET6, h.c_str(), v6) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    hex = std::memcmp(v6, kMapped, 12) == 0 ? KernelHex(v6 + 12, 4) : KernelHex(v6, 16);
  } else {
    return "";
  }
  return absl::StrFormat("%s:%04X", hex, port_number);
}

std::vector<std::string> LocalAddressesFromFibTrie(std::string_view fib_trie) {
  std::vector<std::string> out;
  std::string_view last_ip;
  for (absl::string_view raw : absl::StrSplit(AV(fib_trie), '\n')) {
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (absl::StartsWith(line, "|-- ")) {
      last_ip = SV(line.substr(4));
    } else if (absl::StartsWith(line, "/32 host LOCAL") && !last_ip.empty()) {
      if (!absl::StartsWith(AV(last_ip), "127.") && std::find(out.begin(), out.end(), last_ip) == out.end()) {
        out.emplace_back(last_ip);
      }
    }
  }
  return out;
}

PeerResolver::PeerResolver(ContainerDiscovery* discovery, Options options)
    : discovery_(discovery),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock()) {}

PeerResolution PeerResolver::Resolve(std::string_view peer_addr) {
  const std::string key(peer_addr);
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.at < options_.cache_ttl) return it->second.who;
  }
  PeerResolution who;
  const std::string address = ProcNetAddress(peer_addr);
  if (!address.empty()) who.info = BySocketOwner(address);
  absl::MutexLock lock(&mu_);
  if (who.info == nullptr && !address.empty()) {
    // Not a socket of this network namespace: a pod with an IP of its own.
    const size_t colon = key.rfind(':');
    std::string ip = key.substr(0, colon);
    if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
    if (absl::StartsWith(ip, "::ffff:")) ip = ip.substr(7);
    who.info = ByPodIp(ip);
    who.by_pod_ip = who.info != nullptr;
  }
  if (cache_.size() > 4096) cache_.clear();  // Bounded: peers come and go with their connections.
  cache_[key] = {who, now};
  return who;
}

std::shared_ptr<const ContainerInfo> PeerResolver::BySocketOwner(const std::string& address) {
  FileSystem* fs = RealFileSystem();
  std::string inode;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    absl::StatusOr<std::string> text = fs->ReadFile(absl::StrCat(options_.procfs, table));
    if (!text.ok()) continue;
    inode = SocketInode(*text, address);
    if (inode.empty() && address.size() == 13 && absl::string_view(table) == "/net/tcp6") {
      // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
      inode = SocketInode(*text, absl::StrCat("0000000000000000FFFF0000", address));
    }
    if (!inode.empty()) break;
  }
  if (inode.empty()) return nullptr;
  const std::string target = absl::StrCat("socket:[", inode, "]");
  absl::StatusOr<std::vector<std::string>> pids = fs->ListDir(options_.procfs);
  if (!pids.ok()) return nullptr;
  for (const std::string& pid : *pids) {
    if (!IsPid(pid)) continue;
    const std::string fd_dir = absl::StrCat(options_.procfs, "/", pid, "/fd");
    absl::StatusOr<std::vector<std::string>> fds = fs->ListDir(fd_dir);
    if (!fds.ok()) continue;
    for (const std::string& fd : *fds) {
      if (ReadLink(absl::StrCat(fd_dir, "/", fd)) != target) continue;
      int pid_number = 0;
      if (!absl::SimpleAtoi(pid, &pid_number)) return nullptr;
      absl::StatusOr<std::shared_ptr<const ContainerInfo>> info = discovery_->LookupPid(pid_number);
      if (!info.ok() || *info == nullptr || ((*info)->pod.empty() && (*info)->container_id.empty())) return nullptr;
      return *info;
    }
  }
  return nullptr;
}

std::shared_ptr<const ContainerInfo> PeerResolver::ByPodIp(std::string_view ip) {
  auto it = by_ip_.find(AV(ip));
  if (it != by_ip_.end()) return it->second;
  if (clock_->Now() - ip_map_built_ < options_.ip_rescan_interval) return nullptr;
  RebuildIpMap();
  it = by_ip_.find(AV(ip));
  return it != by_ip_.end() ? it->second : nullptr;
}

void PeerResolver::RebuildIpMap() {
  ip_map_built_ = clock_->Now();
  by_ip_.clear();
  FileSystem* fs = RealFileSystem();
  absl::StatusOr<std::vector<std::string>> pids = fs->ListDir(options_.procfs);
  if (!pids.ok()) return;
  const std::string own_ns = ReadLink(absl::StrCat(options_.procfs, "/self/ns/net"));
  absl::flat_hash_set<std::string> seen_ns;
  for (const std::string& pid : *pids) {
    if (!IsPid(pid)) continue;
    const std::string ns = ReadLink(absl::StrCat(options_.procfs, "/", pid, "/ns/net"));
    if (ns.empty() || ns == own_ns || !seen_ns.insert(ns).second) continue;
    absl::StatusOr<std::string> fib = fs->ReadFile(absl::StrCat(options_.procfs, "/", pid, "/net/fib_trie"));
    if (!fib.ok()) continue;
    int pid_number = 0;
    if (!absl::SimpleAtoi(pid, &pid_number)) continue;
    absl::StatusOr<std::shared_ptr<const ContainerInfo>> info = discovery_->LookupPid(pid_number);
    if (!info.ok() || *info == nullptr || (*info)->pod.empty()) continue;
    for (std::string& addr : LocalAddressesFromFibTrie(*fib)) by_ip_.emplace(std::move(addr), *info);
  }
}

}  // namespace vigil::agent::discovery
