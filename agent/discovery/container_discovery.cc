#include "agent/discovery/container_discovery.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/discovery/runtime_metadata.h"
#include "base/log/log.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::discovery {

ContainerDiscovery::ContainerDiscovery(Options options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock()),
      fs_(options_.fs != nullptr ? options_.fs : RealFileSystem()),
      logs_(fs_, options_.pod_logs_dir, options_.container_logs_dir) {}

std::shared_ptr<const ContainerInfo> ContainerDiscovery::Lookup(std::string_view cgroup_path) {
  if (cgroup_path.empty()) cgroup_path = "/";
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  auto it = cache_.find(AV(cgroup_path));
  if (it != cache_.end()) {
    const Entry& e = it->second;
    if (e.info->complete || now - e.resolved_at < options_.retry_interval) return e.info;
  }
  std::shared_ptr<const ContainerInfo> info = Resolve(cgroup_path);
  cache_[AV(cgroup_path)] = Entry{info, now};
  return info;
}

void ContainerDiscovery::Forget(std::string_view cgroup_path) {
  absl::MutexLock lock(&mu_);
  cache_.erase(AV(cgroup_path.empty() ? std::string_view("/") : cgroup_path));
}

size_t ContainerDiscovery::size() const {
  absl::MutexLock lock(&mu_);
  return cache_.size();
}

absl::StatusOr<std::shared_ptr<const ContainerInfo>> ContainerDiscovery::LookupPid(int pid) {
  std::string path = absl::StrCat(options_.procfs, "/", pid, "/cgroup");
  absl::StatusOr<std::string> text = fs_->ReadFile(path);
  if (!text.ok()) return absl::NotFoundError(absl::StrCat("process ", pid, ": ", text.status().message()));
  // Lines are "<hierarchy-id>:<controllers>:<path>"; v2 is "0::<path>". In hybrid and v1 layouts the v2 line
  // may say "/" while the controller lines name the container, so a line naming a container or pod wins.
  std::string_view best;
  int best_rank = -1;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    std::string_view cg = line.substr(b + 1);
    if (cg.empty()) continue;
    ParsedCgroupPath p = ParseCgroupPath(cg);
    int rank = 0;
    if (p.kind == CgroupKind::kContainer) {
      rank = 3;
    } else if (p.kind == CgroupKind::kPod) {
      rank = 2;
    } else if (line.substr(0, b + 1) == "0::") {
      rank = 1;
    }
    if (rank > best_rank) {
      best_rank = rank;
      best = cg;
    }
  }
  if (best_rank < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no cgroup line in \"", text->substr(0, 200), "\""));
  }
  return Lookup(best);
}

void ContainerDiscovery::MaybeRescanLogs() {
  const absl::Time now = clock_->Now();
  if (logs_scanned_ && now - last_rescan_ < options_.min_rescan_interval) return;
  logs_.Rescan();
  logs_scanned_ = true;
  last_rescan_ = now;
}

bool ContainerDiscovery::ReadRuntimeMetadata(ContainerInfo* info) {
  const std::string& id = info->container_id;
  auto apply = [&](absl::StatusOr<RuntimeMetadata> md, std::string_view file) {
    if (!md.ok()) {
      log::Debug("container metadata unreadable", {{"file", file}, {"err", md.status().ToString()}});
      return false;
    }
    if (!md->name.empty()) info->name = md->name;
    info->image = md->image;
    info->container = md->container;
    if (!md->pod.empty()) info->pod = md->pod;
    if (!md->namespace_name.empty()) info->namespace_name = md->namespace_name;
    if (info->pod_uid.empty()) info->pod_uid = md->pod_uid;
    info->sandbox = md->sandbox;
    info->own_network = info->pod_uid.empty() ? !md->shares_network : md->sandbox;
    info->runtime_labels = std::move(md->labels);
    return true;
  };
  const Runtime rt = info->runtime;
  if ((rt == Runtime::kDocker || rt == Runtime::kUnknown) && !options_.docker_containers_dir.empty()) {
    std::string dir = JoinPath(options_.docker_containers_dir, id);
    std::string config_path = JoinPath(dir, "config.v2.json");
    absl::StatusOr<std::string> config = fs_->ReadFile(config_path);
    if (config.ok()) {
      absl::StatusOr<std::string> host = fs_->ReadFile(JoinPath(dir, "hostconfig.json"));
      if (apply(ParseDockerConfig(*config, host.ok() ? std::string_view(*host) : std::string_view()), config_path)) {
        info->runtime = Runtime::kDocker;
        return true;
      }
    }
  }
  if (rt == Runtime::kContainerd || rt == Runtime::kUnknown) {
    for (const std::string& d : options_.containerd_task_dirs) {
      std::string p = JoinPath(JoinPath(d, id), "config.json");
      absl::StatusOr<std::string> spec = fs_->ReadFile(p);
      if (spec.ok() && apply(ParseOciSpec(*spec), p)) {
        info->runtime = Runtime::kContainerd;
        return true;
      }
    }
  }
  if (rt == Runtime::kCrio || rt == Runtime::kUnknown) {
    for (const std::string& d : options_.crio_container_dirs) {
      std::string p = JoinPath(JoinPath(JoinPath(d, id), "userdata"), "config.json");
      absl::StatusOr<std::string> spec = fs_->ReadFile(p);
      if (spec.ok() && apply(ParseOciSpec(*spec), p)) {
        info->runtime = Runtime::kCrio;
        return true;
      }
    }
  }
  return false;
}

std::shared_ptr<const ContainerInfo> ContainerDiscovery::Resolve(std::string_view cgroup_path) {
  auto info = std::make_shared<ContainerInfo>();
  info->id = std::string(cgroup_path);
  ParsedCgroupPath p = ParseCgroupPath(cgroup_path);
  info->kind = p.kind;
  info->runtime = p.runtime;
  info->pod_uid = p.pod_uid;
  info->container_id = p.container_id;

  auto find_pod = [&]() -> const PodLogRef* {
    if (!logs_scanned_) MaybeRescanLogs();
    const PodLogRef* ref = logs_.FindPod(info->pod_uid);
    if (ref == nullptr) {
      MaybeRescanLogs();
      ref = logs_.FindPod(info->pod_uid);
    }
    return ref;
  };

  switch (p.kind) {
    case CgroupKind::kRoot:
      info->own_network = true;
      break;
    case CgroupKind::kAggregate:
    case CgroupKind::kConmon:
      break;
    case CgroupKind::kService:
      info->name = p.unit;
      break;
    case CgroupKind::kPod: {
      // As the kubelet does for pod cgroups: pod and namespace, no container, no image.
      if (const PodLogRef* ref = find_pod()) {
        info->pod = ref->pod;
        info->namespace_name = ref->namespace_name;
      } else {
        info->complete = false;
      }
      break;
    }
    case CgroupKind::kContainer: {
      // The first alias cAdvisor reports for CRI containers is the container ID; Docker's metadata replaces it.
      info->name = info->container_id;
      const bool has_metadata = ReadRuntimeMetadata(info.get());
      if (info->pod_uid.empty()) {
        if (!has_metadata) {
          info->own_network = true;
          info->complete = false;
        }
        break;
      }
      if (info->pod.empty() || info->namespace_name.empty()) {
        if (const PodLogRef* ref = find_pod()) {
          info->pod = ref->pod;
          info->namespace_name = ref->namespace_name;
        }
      }
      if (has_metadata) break;
      // No runtime state files readable: the container log symlink names app containers; the sandbox has none.
      if (!logs_scanned_) MaybeRescanLogs();
      const ContainerLogRef* cref = logs_.FindContainer(info->container_id);
      if (cref == nullptr) {
        MaybeRescanLogs();
        cref = logs_.FindContainer(info->container_id);
      }
      if (cref != nullptr) {
        info->container = cref->container;
        if (info->pod.empty()) info->pod = cref->pod;
        if (info->namespace_name.empty()) info->namespace_name = cref->namespace_name;
      } else if (logs_.has_container_logs() && !info->pod.empty()) {
        // Probably the sandbox; re-checked after the retry interval in case the log link was not there yet.
        info->sandbox = true;
        info->own_network = true;
        info->complete = false;
      } else {
        info->complete = false;
      }
      if (info->pod.empty()) info->complete = false;
      break;
    }
  }
  return info;
}

}  // namespace vigil::agent::discovery
