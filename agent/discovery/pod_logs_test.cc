#include "agent/discovery/pod_logs.h"

#include <string>

#include "base/fs/in_memory_file_system.h"
#include "gtest/gtest.h"

namespace vigil::agent::discovery {
namespace {

TEST(PodLogsTest, ParsesNames) {
  PodLogRef pod;
  std::string uid;
  ASSERT_TRUE(ParsePodLogDirName("shop_web-0_1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", &pod, &uid));
  EXPECT_EQ(pod.namespace_name, "shop");
  EXPECT_EQ(pod.pod, "web-0");
  EXPECT_EQ(uid, "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9");
  EXPECT_FALSE(ParsePodLogDirName("shop_web-0", &pod, &uid));
  EXPECT_FALSE(ParsePodLogDirName("a_b_c_d", &pod, &uid));
  EXPECT_FALSE(ParsePodLogDirName("_b_c", &pod, &uid));

  ContainerLogRef c;
  std::string id;
  ASSERT_TRUE(ParseContainerLogName("web-0_shop_app-0123abcd0123abcd.log", &c, &id));
  EXPECT_EQ(c.pod, "web-0");
  EXPECT_EQ(c.namespace_name, "shop");
  EXPECT_EQ(c.container, "app");
  EXPECT_EQ(id, "0123abcd0123abcd");
  // Container names may hold dashes: the ID is after the last one.
  ASSERT_TRUE(ParseContainerLogName("web-0_shop_log-shipper-ffff.log", &c, &id));
  EXPECT_EQ(c.container, "log-shipper");
  EXPECT_EQ(id, "ffff");
  EXPECT_FALSE(ParseContainerLogName("web-0_shop_app-ffff.txt", &c, &id));
  EXPECT_FALSE(ParseContainerLogName("web-0_app-ffff.log", &c, &id));
}

TEST(PodLogsTest, IndexesDirectories) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/logs/pods/shop_web-0_uid-1/app").ok());
  ASSERT_TRUE(fs.CreateDirs("/logs/pods/not-a-pod").ok());
  ASSERT_TRUE(fs.CreateDirs("/logs/containers").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/logs/containers/web-0_shop_app-abc123.log", "", false).ok());
  PodLogIndex index(&fs, "/logs/pods", "/logs/containers");
  EXPECT_EQ(index.FindPod("uid-1"), nullptr);  // before the first scan
  index.Rescan();
  ASSERT_NE(index.FindPod("uid-1"), nullptr);
  EXPECT_EQ(index.FindPod("uid-1")->pod, "web-0");
  ASSERT_NE(index.FindContainer("abc123"), nullptr);
  EXPECT_EQ(index.FindContainer("abc123")->container, "app");
  EXPECT_TRUE(index.has_container_logs());

  PodLogIndex missing(&fs, "/nope", "/nope2");
  missing.Rescan();
  EXPECT_FALSE(missing.has_container_logs());
  EXPECT_EQ(missing.FindPod("uid-1"), nullptr);
}

}  // namespace
}  // namespace vigil::agent::discovery
