#include "agent/discovery/runtime_metadata.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace vigil::agent::discovery {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in("agent/discovery/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RuntimeMetadataTest, Docker) {
  auto md = ParseDockerConfig(Read("docker_config.v2.json"), Read("docker_hostconfig.json"));
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->name, "k8s_api_api-7d9c_payments_5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b_0");
  EXPECT_EQ(md->image, "registry.example/payments/api:2.0");
  EXPECT_EQ(md->container, "api");
  EXPECT_EQ(md->pod, "api-7d9c");
  EXPECT_EQ(md->namespace_name, "payments");
  EXPECT_EQ(md->pod_uid, "5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b");
  EXPECT_FALSE(md->sandbox);
  EXPECT_TRUE(md->shares_network);
  ASSERT_FALSE(md->labels.empty());
  EXPECT_EQ(md->labels.back(), (std::pair<std::string, std::string>{"team", "payments-core"}));
}

TEST(RuntimeMetadataTest, ContainerdAppAndSandbox) {
  auto app = ParseOciSpec(Read("containerd_config.json"));
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->container, "app");
  EXPECT_EQ(app->pod, "web-0");
  EXPECT_EQ(app->namespace_name, "shop");
  EXPECT_EQ(app->image, "registry.example/shop/web:1.4.2");
  EXPECT_FALSE(app->sandbox);
  auto sandbox = ParseOciSpec(Read("containerd_sandbox_config.json"));
  ASSERT_TRUE(sandbox.ok()) << sandbox.status();
  EXPECT_TRUE(sandbox->sandbox);
  EXPECT_EQ(sandbox->container, "");
  EXPECT_EQ(sandbox->pod, "web-0");
}

TEST(RuntimeMetadataTest, Crio) {
  auto md = ParseOciSpec(Read("crio_config.json"));
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->container, "worker");
  EXPECT_EQ(md->pod, "batch-x1");
  EXPECT_EQ(md->namespace_name, "jobs");
  EXPECT_EQ(md->image, "quay.io/example/worker:7");
  EXPECT_EQ(md->pod_uid, "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d");
}

TEST(RuntimeMetadataTest, MalformedJsonSaysWhereAndWhy) {
  auto md = ParseDockerConfig("{\"Name\": ", "");
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("config.v2.json: invalid JSON at byte 9"), std::string_view::npos)
      << md.status();
  md = ParseOciSpec("[1]");
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("not a JSON object"), std::string_view::npos);
  md = ParseDockerConfig("{}", "{bad");
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("hostconfig.json"), std::string_view::npos);
}

}  // namespace
}  // namespace vigil::agent::discovery
