#include "agent/discovery/pod_logs.h"

#include <utility>

#include "base/strings/absl_view.h"

namespace vigil::agent::discovery {

bool ParsePodLogDirName(std::string_view name, PodLogRef* ref, std::string* uid) {
  size_t a = name.find('_');
  if (a == std::string_view::npos || a == 0) return false;
  size_t b = name.find('_', a + 1);
  if (b == std::string_view::npos || b == a + 1 || b + 1 >= name.size()) return false;
  if (name.find('_', b + 1) != std::string_view::npos) return false;
  ref->namespace_name = std::string(name.substr(0, a));
  ref->pod = std::string(name.substr(a + 1, b - a - 1));
  *uid = std::string(name.substr(b + 1));
  return true;
}

bool ParseContainerLogName(std::string_view name, ContainerLogRef* ref, std::string* container_id) {
  constexpr std::string_view kSuffix = ".log";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) return false;
  name.remove_suffix(kSuffix.size());
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= name.size()) return false;
  std::string_view id = name.substr(dash + 1);
  std::string_view head = name.substr(0, dash);
  size_t a = head.find('_');
  if (a == std::string_view::npos || a == 0) return false;
  size_t b = head.find('_', a + 1);
  if (b == std::string_view::npos || b == a + 1 || b + 1 >= head.size()) return false;
  if (head.find('_', b + 1) != std::string_view::npos) return false;
  ref->pod = std::string(head.substr(0, a));
  ref->namespace_name = std::string(head.substr(a + 1, b - a - 1));
  ref->container = std::string(head.substr(b + 1));
  *container_id = std::string(id);
  return true;
}

PodLogIndex::PodLogIndex(FileSystem* fs, std::string pods_dir, std::string containers_dir)
    : fs_(fs), pods_dir_(std::move(pods_dir)), containers_dir_(std::move(containers_dir)) {}

void PodLogIndex::Rescan() {
  pods_.clear();
  containers_.clear();
  has_container_logs_ = false;
  if (!pods_dir_.empty()) {
    auto names = fs_->ListDir(pods_dir_);
    if (names.ok()) {
      for (const std::string& n : *names) {
        PodLogRef ref;
        std::string uid;
        if (ParsePodLogDirName(n, &ref, &uid)) pods_[uid] = std::move(ref);
      }
    }
  }
  if (!containers_dir_.empty()) {
    auto names = fs_->ListDir(containers_dir_);
    if (names.ok()) {
      has_container_logs_ = true;
      for (const std::string& n : *names) {
        ContainerLogRef ref;
        std::string id;
        if (ParseContainerLogName(n, &ref, &id)) containers_[id] = std::move(ref);
      }
    }
  }
}

const PodLogRef* PodLogIndex::FindPod(std::string_view uid) const {
  auto it = pods_.find(AV(uid));
  return it == pods_.end() ? nullptr : &it->second;
}

const ContainerLogRef* PodLogIndex::FindContainer(std::string_view container_id) const {
  auto it = containers_.find(AV(container_id));
  return it == containers_.end() ? nullptr : &it->second;
}

}  // namespace vigil::agent::discovery
