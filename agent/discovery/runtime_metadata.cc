#include "agent/discovery/runtime_metadata.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace vigil::agent::discovery {
namespace {

absl::Status ParseJson(std::string_view what, std::string_view text, rapidjson::Document* doc) {
  doc->Parse(text.data(), text.size());
  if (doc->HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": invalid JSON at byte ", doc->GetErrorOffset(),
                                                   ": ", rapidjson::GetParseError_En(doc->GetParseError())));
  }
  if (!doc->IsObject()) return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": not a JSON object"));
  return absl::OkStatus();
}

std::string StringMember(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

const rapidjson::Value* ObjectMember(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsObject()) return nullptr;
  return &it->value;
}

}  // namespace

absl::StatusOr<RuntimeMetadata> ParseDockerConfig(std::string_view config_v2_json, std::string_view hostconfig_json) {
  rapidjson::Document doc;
  if (absl::Status s = ParseJson("config.v2.json", config_v2_json, &doc); !s.ok()) return s;
  RuntimeMetadata md;
  md.name = StringMember(doc, "Name");
  if (!md.name.empty() && md.name[0] == '/') md.name.erase(0, 1);
  if (const rapidjson::Value* config = ObjectMember(doc, "Config")) {
    md.image = StringMember(*config, "Image");
    if (const rapidjson::Value* labels = ObjectMember(*config, "Labels")) {
      for (auto it = labels->MemberBegin(); it != labels->MemberEnd(); ++it) {
        if (!it->value.IsString()) continue;
        md.labels.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()),
                               std::string(it->value.GetString(), it->value.GetStringLength()));
      }
      std::sort(md.labels.begin(), md.labels.end());
      md.container = StringMember(*labels, "io.kubernetes.container.name");
      md.pod = StringMember(*labels, "io.kubernetes.pod.name");
      md.namespace_name = StringMember(*labels, "io.kubernetes.pod.namespace");
      md.pod_uid = StringMember(*labels, "io.kubernetes.pod.uid");
      md.sandbox = StringMember(*labels, "io.kubernetes.docker.type") == "podsandbox";
    }
  }
  // dockershim and cri-dockerd name the sandbox's container "POD"; the kubelet row for it has container="".
  if (md.sandbox) md.container.clear();
  if (!hostconfig_json.empty()) {
    rapidjson::Document host;
    if (absl::Status s = ParseJson("hostconfig.json", hostconfig_json, &host); !s.ok()) return s;
    std::string mode = StringMember(host, "NetworkMode");
    md.shares_network = mode == "host" || mode.rfind("container:", 0) == 0;
  }
  return md;
}

absl::StatusOr<RuntimeMetadata> ParseOciSpec(std::string_view config_json) {
  rapidjson::Document doc;
  if (absl::Status s = ParseJson("OCI config.json", config_json, &doc); !s.ok()) return s;
  RuntimeMetadata md;
  const rapidjson::Value* ann = ObjectMember(doc, "annotations");
  if (ann == nullptr) return md;
  // containerd's CRI plugin.
  std::string type = StringMember(*ann, "io.kubernetes.cri.container-type");
  if (!type.empty()) {
    md.sandbox = type == "sandbox";
    md.container = StringMember(*ann, "io.kubernetes.cri.container-name");
    md.pod = StringMember(*ann, "io.kubernetes.cri.sandbox-name");
    md.namespace_name = StringMember(*ann, "io.kubernetes.cri.sandbox-namespace");
    md.pod_uid = StringMember(*ann, "io.kubernetes.cri.sandbox-uid");
    md.image = StringMember(*ann, "io.kubernetes.cri.image-name");
  } else {
    // CRI-O.
    type = StringMember(*ann, "io.kubernetes.cri-o.ContainerType");
    md.sandbox = type == "sandbox";
    md.container = StringMember(*ann, "io.kubernetes.container.name");
    md.pod = StringMember(*ann, "io.kubernetes.pod.name");
    md.namespace_name = StringMember(*ann, "io.kubernetes.pod.namespace");
    md.pod_uid = StringMember(*ann, "io.kubernetes.pod.uid");
    md.image = StringMember(*ann, "io.kubernetes.cri-o.ImageName");
  }
  if (md.sandbox) md.container.clear();
  return md;
}

}  // namespace vigil::agent::discovery
