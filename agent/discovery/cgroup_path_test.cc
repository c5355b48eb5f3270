#include "agent/discovery/cgroup_path.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil::agent::discovery {
namespace {

const std::string kId = std::string(64, 'a');

TEST(CgroupPathTest, Root) { EXPECT_EQ(ParseCgroupPath("/").kind, CgroupKind::kRoot); }

TEST(CgroupPathTest, SystemdDriverContainerd) {
  ParsedCgroupPath p = ParseCgroupPath(
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f0e2d3c_4b5a_6978_8695_a4b3c2d1e0f9.slice/"
      "cri-containerd-" +
      kId + ".scope");
  EXPECT_EQ(p.kind, CgroupKind::kContainer);
  EXPECT_EQ(p.runtime, Runtime::kContainerd);
  EXPECT_EQ(p.container_id, kId);
  EXPECT_EQ(p.pod_uid, "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9");
  EXPECT_EQ(p.qos, "burstable");
}

TEST(CgroupPathTest, SystemdDriverGuaranteedPodAndCrio) {
  ParsedCgroupPath pod = ParseCgroupPath("/kubepods.slice/kubepods-pod0a1b_2c3d.slice");
  EXPECT_EQ(pod.kind, CgroupKind::kPod);
  EXPECT_EQ(pod.pod_uid, "0a1b-2c3d");
  EXPECT_EQ(pod.qos, "");
  ParsedCgroupPath c = ParseCgroupPath("/kubepods.slice/kubepods-pod0a1b_2c3d.slice/crio-" + kId + ".scope");
  EXPECT_EQ(c.kind, CgroupKind::kContainer);
  EXPECT_EQ(c.runtime, Runtime::kCrio);
  ParsedCgroupPath conmon =
      ParseCgroupPath("/kubepods.slice/kubepods-pod0a1b_2c3d.slice/crio-conmon-" + kId + ".scope");
  EXPECT_EQ(conmon.kind, CgroupKind::kConmon);
  EXPECT_EQ(conmon.container_id, kId);
  ParsedCgroupPath d = ParseCgroupPath(
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx_y.slice/docker-" + kId + ".scope");
  EXPECT_EQ(d.runtime, Runtime::kDocker);
  EXPECT_EQ(d.qos, "besteffort");
}

TEST(CgroupPathTest, CgroupfsDriver) {
  ParsedCgroupPath c = ParseCgroupPath("/kubepods/burstable/pod5e6f7a8b-9c0d-1e2f/" + kId);
  EXPECT_EQ(c.kind, CgroupKind::kContainer);
  EXPECT_EQ(c.runtime, Runtime::kUnknown);  // no prefix: the runtime is found from its state files
  EXPECT_EQ(c.pod_uid, "5e6f7a8b-9c0d-1e2f");
  EXPECT_EQ(c.qos, "burstable");
  ParsedCgroupPath g = ParseCgroupPath("/kubepods/pod5e6f7a8b-9c0d-1e2f");
  EXPECT_EQ(g.kind, CgroupKind::kPod);
  EXPECT_EQ(g.qos, "");
  EXPECT_EQ(ParseCgroupPath("/kubepods/burstable/pod5e6f/crio-" + kId).runtime, Runtime::kCrio);
  EXPECT_EQ(ParseCgroupPath("/kubepods").kind, CgroupKind::kAggregate);
  EXPECT_EQ(ParseCgroupPath("/kubepods/burstable").kind, CgroupKind::kAggregate);
}

TEST(CgroupPathTest, NestedBelowContainerIsAggregate) {
  ParsedCgroupPath p = ParseCgroupPath("/kubepods/burstable/pod5e6f/" + kId + "/init.scope");
  EXPECT_EQ(p.kind, CgroupKind::kAggregate);
  EXPECT_EQ(p.pod_uid, "");
}

TEST(CgroupPathTest, StandaloneDockerAndSystemdUnits) {
  ParsedCgroupPath a = ParseCgroupPath("/system.slice/docker-" + kId + ".scope");
  EXPECT_EQ(a.kind, CgroupKind::kContainer);
  EXPECT_EQ(a.runtime, Runtime::kDocker);
  EXPECT_EQ(a.pod_uid, "");
  ParsedCgroupPath b = ParseCgroupPath("/docker/" + kId);
  EXPECT_EQ(b.kind, CgroupKind::kContainer);
  EXPECT_EQ(b.runtime, Runtime::kDocker);
  ParsedCgroupPath s = ParseCgroupPath("/system.slice/ssh.service");
  EXPECT_EQ(s.kind, CgroupKind::kService);
  EXPECT_EQ(s.unit, "ssh.service");
  EXPECT_EQ(ParseCgroupPath("/user.slice/user-1000.slice/session-3.scope").kind, CgroupKind::kService);
  EXPECT_EQ(ParseCgroupPath("/system.slice").kind, CgroupKind::kAggregate);
  // A short hex name outside /docker is not a container.
  EXPECT_EQ(ParseCgroupPath("/process_api/f8a989f1b1b7c697").kind, CgroupKind::kAggregate);
}

}  // namespace
}  // namespace vigil::agent::discovery
