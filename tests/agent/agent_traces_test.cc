// Traces through vigil-agent: a process placed in a real cgroup named as a Kubernetes pod's container (containerd,
// systemd driver) sends OTLP/HTTP JSON to the agent with curl; the agent labels the spans with that pod (found
// through the process owning the connection's socket and the runtime's state file) and ships them with OTLP to a
// real vigil-store, where the trace comes back by id with k8s.* resource attributes. A Zipkin request from
// outside any container gets only k8s.node.name.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/peers.h"
#include "tests/support/subprocess.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

// agent/discovery/testdata/containerd_config.json describes container "app" of pod shop/web-0 with this id and uid.
const std::string kContainerId = "aaaaaaaaaaaa0123456789abcdef0123456789abcdef0123456789abcdef0123";
const std::string kPodSlice = "kubepods-burstable-pod1f0e2d3c_4b5a_6978_8695_a4b3c2d1e0f9.slice";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  return out.good();
}

// A cgroup hierarchy this process may create children in at its root: the v2 tree (hybrid hosts mount it at
// unified/), else the v1 pids hierarchy. Discovery reads either from /proc/<pid>/cgroup.
std::string CgroupRoot() {
  for (const char* dir : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"}) {
    if (std::filesystem::exists(absl::StrCat(dir, "/cgroup.procs"))) return dir;
  }
  return "";
}

class AgentTracesTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      int status = 0;
      ::waitpid(child_, &status, 0);
    }
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
  }

  bool MakeCgroups(const std::string& leaf) {
    std::string dir = root_;
    for (const std::string& part : std::vector<std::string>{"kubepods.slice", "kubepods-burstable.slice", kPodSlice,
                                                            absl::StrCat("cri-containerd-", kContainerId, ".scope")}) {
      dir = absl::StrCat(dir, "/", part);
      if (::mkdir(dir.c_str(), 0755) == 0) {
        created_.push_back(dir);
      } else if (errno != EEXIST) {
        ADD_FAILURE() << "mkdir " << dir << ": " << strerror(errno);
        return false;
      }
    }
    return dir == leaf;
  }

  // Runs curl posting `body` to `url` from inside cgroup `cgroup_dir` (empty: where this test runs); its exit
  // status.
  int CurlFrom(const std::string& cgroup_dir, const std::string& url, const std::string& content_type,
               const std::string& body) {
    int go[2];
    if (::pipe(go) != 0) return -1;
    child_ = ::fork();
    if (child_ == 0) {
      ::close(go[1]);
      char b = 0;
      if (::read(go[0], &b, 1) != 1) ::_exit(90);
      ::execlp("curl", "curl", "-sf", "-o", "/dev/null", "-H", ("Content-Type: " + content_type).c_str(),
               "--data-binary", body.c_str(), url.c_str(), static_cast<char*>(nullptr));
      ::_exit(91);
    }
    ::close(go[0]);
    if (!cgroup_dir.empty()) {
      EXPECT_TRUE(WriteFile(cgroup_dir + "/cgroup.procs", std::to_string(child_))) << strerror(errno);
    }
    const char b = 1;
    EXPECT_EQ(::write(go[1], &b, 1), 1);
    ::close(go[1]);
    int status = 0;
    ::waitpid(child_, &status, 0);
    child_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string root_ = CgroupRoot();
  pid_t child_ = -1;
  std::vector<std::string> created_;
};

// Polls the store until the trace is there (the agent's sender delivers asynchronously).
std::string WaitForTrace(http::Client* client, int store_port, const std::string& trace_id) {
  for (int i = 0; i < 100; ++i) {
    auto r = client->Get(testing::LocalUrl(store_port, "/api/v2/traces/" + trace_id), {{"Accept", "application/json"}},
                         absl::Seconds(5));
    if (r.ok() && r->status == 200) return r->body;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return "";
}

TEST_F(AgentTracesTest, SpansFromAPodsProcessArriveWithItsKubernetesAttributes) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root: creating a cgroup needs root";
  if (root_.empty()) GTEST_SKIP() << "no cgroup hierarchy found";
  const std::string leaf = absl::StrCat(root_, "/kubepods.slice/kubepods-burstable.slice/", kPodSlice,
                                        "/cri-containerd-", kContainerId, ".scope");
  ASSERT_TRUE(MakeCgroups(leaf));

  const std::string tmp = testing::TestTmpDir();
  // The runtime's state under --path.rootfs, as containerd keeps it on a node.
  const std::string task_dir =
      absl::StrCat(tmp, "/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/", kContainerId);
  std::filesystem::create_directories(task_dir);
  ASSERT_TRUE(WriteFile(task_dir + "/config.json", ReadAll("agent/discovery/testdata/containerd_config.json")));

  const int store_port = *testing::FreePort(), agent_port = *testing::FreePort();
  auto store = testing::StartVigilStore(tmp + "/store", store_port, tmp + "/store.log", {"--log.level=warn"});
  ASSERT_TRUE(store.ok()) << store.status();
  auto agent =
      testing::StartReady({"agent/vigil-agent", absl::StrCat("--web.listen-address=127.0.0.1:", agent_port),
                           "--collection.interval=1s", "--no-collector.cgroup", "--path.rootfs=" + tmp + "/root",
                           absl::StrCat("--traces.url=", testing::LocalUrl(store_port, "/v1/traces")),
                           "--queue.dir=" + tmp + "/queue", "--node.name=test-node", "--log.level=warn"},
                          tmp + "/agent.log", agent_port, absl::Seconds(30));
  ASSERT_TRUE(agent.ok()) << agent.status();

  const std::string otlp_trace = "5b8efff798038103d269b633813fc60c";
  const std::string otlp = absl::StrCat(
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},)",
      R"("scopeSpans":[{"spans":[{"traceId":")", otlp_trace,
      R"(","spanId":"eee19b7ec3c1b174","name":"GET /cart","kind":2,)",
      R"("startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}]}]}]})");
  ASSERT_EQ(CurlFrom(leaf, testing::LocalUrl(agent_port, "/v1/traces"), "application/json", otlp), 0)
      << agent->Output();

  http::HttplibClient client;
  const std::string trace = WaitForTrace(&client, store_port, otlp_trace);
  ASSERT_FALSE(trace.empty()) << "trace never reached the store\n" << agent->Output();
  EXPECT_THAT(trace, HasSubstr(R"("key":"k8s.pod.name","value":{"stringValue":"web-0"})"));
  EXPECT_THAT(trace, HasSubstr(R"("key":"k8s.namespace.name","value":{"stringValue":"shop"})"));
  EXPECT_THAT(trace, HasSubstr(R"("key":"k8s.container.name","value":{"stringValue":"app"})"));
  EXPECT_THAT(trace,
              HasSubstr(R"("key":"k8s.pod.uid","value":{"stringValue":"1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"})"));
  EXPECT_THAT(trace, HasSubstr(R"("key":"k8s.node.name","value":{"stringValue":"test-node"})"));
  EXPECT_THAT(trace, HasSubstr(R"("key":"service.name","value":{"stringValue":"web"})"));

  // Zipkin v2 from a process outside any pod: only the node.
  const std::string zipkin_trace = "00000000000000000000000000abc123";
  const std::string zipkin =
      absl::StrCat(R"([{"traceId":")", zipkin_trace, R"(","id":"00000000000000aa","name":"get /","kind":"SERVER",)",
                   R"("timestamp":1700000000000000,"duration":2000,)", R"("localEndpoint":{"serviceName":"edge"}}])");
  ASSERT_EQ(CurlFrom("", testing::LocalUrl(agent_port, "/api/v2/spans"), "application/json", zipkin), 0);
  const std::string ztrace = WaitForTrace(&client, store_port, zipkin_trace);
  ASSERT_FALSE(ztrace.empty()) << agent->Output();
  EXPECT_THAT(ztrace, HasSubstr(R"("key":"k8s.node.name","value":{"stringValue":"test-node"})"));
  EXPECT_THAT(ztrace, ::testing::Not(HasSubstr("k8s.pod.name")));
}

}  // namespace
}  // namespace vigil
