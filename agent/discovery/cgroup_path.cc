#include "agent/discovery/cgroup_path.h"

#include <vector>

namespace vigil::agent::discovery {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Runtimes write 64 hex digits; Docker's short form has 12. Anything shorter is not taken for an ID.
bool IsHexId(std::string_view s) {
  if (s.size() < 12) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

struct ContainerComponent {
  CgroupKind kind = CgroupKind::kAggregate;
  Runtime runtime = Runtime::kUnknown;
  std::string_view id;
  bool prefixed = false;
};

// Recognises the last component of a container cgroup: "<runtime prefix><id>[.scope]" or a bare hex ID.
ContainerComponent ParseContainerComponent(std::string_view c) {
  ContainerComponent out;
  if (EndsWith(c, ".scope")) c.remove_suffix(6);
  struct Prefix {
    std::string_view text;
    Runtime runtime;
    CgroupKind kind;
  };
  static constexpr Prefix kPrefixes[] = {
      {"cri-containerd-", Runtime::kContainerd, CgroupKind::kContainer},
      {"crio-conmon-", Runtime::kCrio, CgroupKind::kConmon},
      {"crio-", Runtime::kCrio, CgroupKind::kContainer},
      {"docker-", Runtime::kDocker, CgroupKind::kContainer},
  };
  for (const Prefix& p : kPrefixes) {
    if (StartsWith(c, p.text) && c.size() > p.text.size()) {
      out.kind = p.kind;
      out.runtime = p.runtime;
      out.id = c.substr(p.text.size());
      out.prefixed = true;
      return out;
    }
  }
  if (IsHexId(c)) {
    out.kind = CgroupKind::kContainer;
    out.id = c;
  }
  return out;
}

std::string UidFromSystemd(std::string_view s) {
  std::string uid(s);
  for (char& c : uid) {
    if (c == '_') c = '-';
  }
  return uid;
}

}  // namespace

std::string_view RuntimeName(Runtime runtime) {
  switch (runtime) {
    case Runtime::kContainerd:
      return "containerd";
    case Runtime::kCrio:
      return "crio";
    case Runtime::kDocker:
      return "docker";
    case Runtime::kUnknown:
      break;
  }
  return "";
}

std::string_view CgroupKindName(CgroupKind kind) {
  switch (kind) {
    case CgroupKind::kRoot:
      return "root";
    case CgroupKind::kAggregate:
      return "aggregate";
    case CgroupKind::kPod:
      return "pod";
    case CgroupKind::kContainer:
      return "container";
    case CgroupKind::kConmon:
      return "conmon";
    case CgroupKind::kService:
      return "service";
  }
  return "";
}

ParsedCgroupPath ParseCgroupPath(std::string_view path) {
  ParsedCgroupPath out;
  std::vector<std::string_view> comps;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) comps.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (comps.empty()) {
    out.kind = CgroupKind::kRoot;
    return out;
  }

  // Find the pod level: systemd "kubepods[-<qos>]-pod<uid_>.slice" or cgroupfs ".../kubepods/[<qos>/]pod<uid>".
  int pod_index = -1;
  bool seen_kubepods = false;
  for (size_t i = 0; i < comps.size(); ++i) {
    std::string_view c = comps[i];
    if (StartsWith(c, "kubepods") && EndsWith(c, ".slice")) {
      std::string_view stem = c.substr(0, c.size() - 6);
      size_t pos = stem.rfind("-pod");
      if (pos != std::string_view::npos && pos + 4 < stem.size()) {
        out.pod_uid = UidFromSystemd(stem.substr(pos + 4));
        if (pos > 9) out.qos = std::string(stem.substr(9, pos - 9));  // between "kubepods-" and "-pod"
        pod_index = static_cast<int>(i);
        break;
      }
      continue;
    }
    if (c == "kubepods") {
      seen_kubepods = true;
      continue;
    }
    if (seen_kubepods && StartsWith(c, "pod") && c.size() > 3) {
      out.pod_uid = std::string(c.substr(3));
      if (i > 0 && (comps[i - 1] == "burstable" || comps[i - 1] == "besteffort")) out.qos = std::string(comps[i - 1]);
      pod_index = static_cast<int>(i);
      break;
    }
  }

  const size_t last = comps.size() - 1;
  if (pod_index >= 0) {
    if (static_cast<size_t>(pod_index) == last) {
      out.kind = CgroupKind::kPod;
      return out;
    }
    if (static_cast<size_t>(pod_index) + 1 == last) {
      ContainerComponent cc = ParseContainerComponent(comps[last]);
      if (cc.kind != CgroupKind::kAggregate) {
        out.kind = cc.kind;
        out.runtime = cc.runtime;
        out.container_id = std::string(cc.id);
        return out;
      }
    }
    // Deeper cgroups (a container's own sub-cgroups) carry no metadata of their own.
    out.pod_uid.clear();
    out.qos.clear();
    return out;
  }

  std::string_view c = comps[last];
  ContainerComponent cc = ParseContainerComponent(c);
  if (cc.kind != CgroupKind::kAggregate && (cc.prefixed || (last > 0 && comps[last - 1] == "docker"))) {
    out.kind = cc.kind;
    out.runtime = cc.prefixed ? cc.runtime : Runtime::kDocker;
    out.container_id = std::string(cc.id);
    return out;
  }
  if (EndsWith(c, ".service") || EndsWith(c, ".scope")) {
    out.kind = CgroupKind::kService;
    out.unit = std::string(c);
  }
  return out;
}

}  // namespace vigil::agent::discovery
