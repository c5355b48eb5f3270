// The Kubernetes manifests parse, have the fields Kubernetes requires, and say what the agent needs: host
// access, security context, tolerations, priority, probes, the node name. The agent's arguments and its
// ConfigMap are checked by the agent's own flag and config parsers, so a renamed flag or key breaks this test
// rather than a rollout.
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/collectors/node/node_collectors.h"
#include "agent/config/agent_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace vigil {
namespace {

using ::testing::Contains;
using ::testing::UnorderedElementsAreArray;

constexpr const char* kDir = "deploy/kubernetes/";
const std::vector<std::string> kManifests = {"namespace.yaml",       "agent-rbac.yaml",    "agent-configmap.yaml",
                                             "agent-daemonset.yaml", "agent-service.yaml", "store-statefulset.yaml",
                                             "store-service.yaml"};

// Every document of every manifest, keyed by "Kind/name".
std::map<std::string, YAML::Node> LoadAll() {
  std::map<std::string, YAML::Node> out;
  for (const std::string& file : kManifests) {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAllFromFile(kDir + file);
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << file << ": " << e.what();
      continue;
    }
    EXPECT_FALSE(docs.empty()) << file;
    for (const YAML::Node& doc : docs) {
      if (!doc.IsMap() || !doc["kind"] || !doc["apiVersion"] || !doc["metadata"] || !doc["metadata"]["name"]) {
        ADD_FAILURE() << file << ": a document lacks apiVersion, kind or metadata.name";
        continue;
      }
      const std::string kind = doc["kind"].as<std::string>();
      const std::string key = kind + "/" + doc["metadata"]["name"].as<std::string>();
      EXPECT_EQ(out.count(key), 0u) << key << " defined twice";
      if (kind != "Namespace" && kind != "ClusterRole" && kind != "ClusterRoleBinding") {
        EXPECT_TRUE(doc["metadata"]["namespace"] && doc["metadata"]["namespace"].as<std::string>() == "vigil")
            << key << " must be in namespace vigil";
      }
      out[key] = doc;
    }
  }
  return out;
}

// The container's volume mounts by mount path, and the pod's volumes by name.
std::map<std::string, YAML::Node> Mounts(const YAML::Node& container) {
  std::map<std::string, YAML::Node> out;
  for (const YAML::Node& m : container["volumeMounts"]) out[m["mountPath"].as<std::string>()] = m;
  return out;
}

bool ReadOnly(const YAML::Node& mount) { return mount["readOnly"] && mount["readOnly"].as<bool>(); }

TEST(ManifestsTest, KustomizationListsEveryManifest) {
  YAML::Node k = YAML::LoadFile(absl::StrCat(kDir, "kustomization.yaml"));
  std::vector<std::string> resources;
  for (const YAML::Node& r : k["resources"]) resources.push_back(r.as<std::string>());
  EXPECT_THAT(resources, UnorderedElementsAreArray(kManifests));
}

TEST(ManifestsTest, AgentDaemonSetHasHostAccessSecurityAndProbes) {
  std::map<std::string, YAML::Node> all = LoadAll();
  ASSERT_EQ(all.count("DaemonSet/vigil-agent"), 1u);
  const YAML::Node spec = all["DaemonSet/vigil-agent"]["spec"]["template"]["spec"];
  EXPECT_TRUE(spec["hostPID"].as<bool>());
  EXPECT_EQ(spec["priorityClassName"].as<std::string>(), "system-node-critical");
  bool tolerates_all = false;
  for (const YAML::Node& t : spec["tolerations"]) {
    tolerates_all |= t["operator"].as<std::string>() == "Exists" && !t["key"] && !t["effect"];
  }
  EXPECT_TRUE(tolerates_all) << "the agent must run on every node, tainted or not";
  EXPECT_EQ(all.count("ServiceAccount/" + spec["serviceAccountName"].as<std::string>()), 1u);

  ASSERT_EQ(spec["containers"].size(), 1u);
  const YAML::Node c = spec["containers"][0];
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/-/healthy");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/-/ready");
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 9102);
  for (const char* kind : {"requests", "limits"}) {
    EXPECT_TRUE(c["resources"][kind]["cpu"] && c["resources"][kind]["memory"]) << kind;
  }
  const YAML::Node sc = c["securityContext"];
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
  EXPECT_EQ(sc["capabilities"]["drop"][0].as<std::string>(), "ALL");

  bool node_name = false;
  for (const YAML::Node& e : c["env"]) {
    node_name |= e["name"].as<std::string>() == "NODE_NAME" &&
                 e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "spec.nodeName";
  }
  EXPECT_TRUE(node_name) << "NODE_NAME must come from spec.nodeName";

  // Host paths: what is mounted where, read-only except the queue.
  std::map<std::string, std::string> host_path_of;  // volume name -> host path
  for (const YAML::Node& v : spec["volumes"]) {
    if (v["hostPath"]) host_path_of[v["name"].as<std::string>()] = v["hostPath"]["path"].as<std::string>();
  }
  std::map<std::string, YAML::Node> mounts = Mounts(c);
  const std::map<std::string, std::string> want_ro = {{"/host/root", "/"},
                                                      {"/host/proc", "/proc"},
                                                      {"/host/sys", "/sys"},
                                                      {"/var/log/pods", "/var/log/pods"},
                                                      {"/var/lib/docker/containers", "/var/lib/docker/containers"}};
  for (const auto& [mount_path, host_path] : want_ro) {
    ASSERT_EQ(mounts.count(mount_path), 1u) << mount_path;
    EXPECT_TRUE(ReadOnly(mounts[mount_path])) << mount_path;
    EXPECT_EQ(host_path_of[mounts[mount_path]["name"].as<std::string>()], host_path) << mount_path;
  }
  ASSERT_EQ(mounts.count("/var/lib/vigil-agent"), 1u);
  EXPECT_FALSE(ReadOnly(mounts["/var/lib/vigil-agent"]));
  EXPECT_EQ(host_path_of[mounts["/var/lib/vigil-agent"]["name"].as<std::string>()], "/var/lib/vigil-agent");
}

TEST(ManifestsTest, AgentArgumentsAndConfigMapPassTheAgentsOwnParsers) {
  std::map<std::string, YAML::Node> all = LoadAll();
  const YAML::Node c = all["DaemonSet/vigil-agent"]["spec"]["template"]["spec"]["containers"][0];
  const std::string config_text = all["ConfigMap/vigil-agent"]["data"]["agent.yaml"].as<std::string>();
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string config_path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/agent.yaml");
  std::ofstream(config_path) << config_text;

  std::vector<std::string> args = {"vigil-agent"};
  bool config_flag = false;
  for (const YAML::Node& a : c["args"]) {
    std::string arg = a.as<std::string>();
    if (arg.rfind("--config.file=", 0) == 0) {
      EXPECT_EQ(arg, "--config.file=/etc/vigil-agent/agent.yaml");
      arg = "--config.file=" + config_path;
      config_flag = true;
    }
    args.push_back(arg);
  }
  EXPECT_TRUE(config_flag);
  EXPECT_THAT(args, Contains("--external-label=node=$(NODE_NAME)"));

  std::vector<std::string_view> collectors = {"cgroup"};
  for (std::string_view n : agent::node::NodeCollectorNames()) collectors.push_back(n);
  agent::AgentConfig cfg;
  FlagSet flags("vigil-agent", "test");
  agent::RegisterAgentFlags(&flags, &cfg, collectors);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  ASSERT_TRUE(flags.Parse(static_cast<int>(argv.size()), argv.data()).ok());
  absl::Status s = agent::FinishAgentConfig(flags, &cfg);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(cfg.procfs, "/host/proc");
  EXPECT_EQ(cfg.external_labels["node"], "$(NODE_NAME)");
  EXPECT_EQ(cfg.external_labels["cluster"], "my-cluster");
  EXPECT_EQ(cfg.queue_dir.rfind("/var/lib/vigil-agent/", 0), 0u) << "the queue must be on the hostPath";

  // The agent ships to the store's Service.
  ASSERT_EQ(cfg.remote_write.size(), 1u);
  const YAML::Node svc = all["Service/vigil-store"]["spec"];
  EXPECT_EQ(cfg.remote_write[0].url,
            absl::StrCat("http://vigil-store.vigil.svc:", svc["ports"][0]["port"].as<int>(), "/api/v1/write"));
}

TEST(ManifestsTest, StoreServesOnItsServicePort) {
  std::map<std::string, YAML::Node> all = LoadAll();
  ASSERT_EQ(all.count("StatefulSet/vigil-store"), 1u);
  const YAML::Node sts = all["StatefulSet/vigil-store"]["spec"];
  const YAML::Node c = sts["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/-/ready");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/-/healthy");
  EXPECT_THAT(c["args"].as<std::vector<std::string>>(), Contains("--web.listen-address=0.0.0.0:9201"));
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 9201);
  EXPECT_EQ(all["Service/vigil-store"]["spec"]["ports"][0]["targetPort"].as<std::string>(),
            c["ports"][0]["name"].as<std::string>());
  EXPECT_EQ(sts["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>(),
            c["volumeMounts"][0]["name"].as<std::string>());
  // Selectors select the pod templates.
  for (const char* key : {"StatefulSet/vigil-store", "DaemonSet/vigil-agent"}) {
    const YAML::Node spec = all[key]["spec"];
    for (const auto& kv : spec["selector"]["matchLabels"]) {
      EXPECT_EQ(spec["template"]["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(),
                kv.second.as<std::string>())
          << key;
    }
  }
}

}  // namespace
}  // namespace vigil
