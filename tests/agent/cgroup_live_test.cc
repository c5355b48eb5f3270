// Live test of the cgroup collector on this host's real cgroup filesystem: creates a cgroup, runs a child in it
// that touches a known amount of memory and burns CPU, collects twice and checks the figures. Needs root (it
// creates a cgroup); skips otherwise. The cgroup is created below the test process's own cgroup in every
// hierarchy, so the child stays inside whatever limits the test runs under, and removed at the end.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/collector/testing/recording_sink.h"
#include "agent/collectors/cgroup/cgroup_collector.h"
#include "gtest/gtest.h"

namespace vigil::agent::cgroup {
namespace {

namespace fs = std::filesystem;

constexpr size_t kTouchBytes = 64 << 20;
constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

// This process's cgroup path per hierarchy key ("" for v2, else the controller list such as "memory").
std::map<std::string, std::string> OwnCgroups() {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// The child: waits for 'g', touches kTouchBytes, answers 'r'; on 'b' burns 200 ms of CPU and answers 'd'; exits
// on 'q' or when the parent goes away.
[[noreturn]] void ChildMain(int in, int out) {
  char c = 0;
  if (::read(in, &c, 1) != 1 || c != 'g') ::_exit(1);
  volatile char* mem = static_cast<volatile char*>(::malloc(kTouchBytes));
  if (mem == nullptr) ::_exit(2);
  for (size_t i = 0; i < kTouchBytes; i += 4096) mem[i] = static_cast<char>(i);
  if (::write(out, "r", 1) != 1) ::_exit(3);
  while (::read(in, &c, 1) == 1) {
    if (c == 'q') break;
    if (c == 'b') {
      timespec start{}, now{};
      ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
      volatile uint64_t x = 0;
      do {
        for (int i = 0; i < 100000; ++i) x = x + static_cast<uint64_t>(i);
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
      } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 200000000L);
      if (::write(out, "d", 1) != 1) ::_exit(4);
    }
  }
  ::_exit(0);
}

class CgroupLiveTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      int status = 0;
      ::waitpid(child_, &status, 0);
    }
    // Remove the cgroups (only empty now); deepest first does not matter, each is a leaf.
    for (const std::string& dir : created_) {
      if (::rmdir(dir.c_str()) != 0) ADD_FAILURE() << "rmdir " << dir << ": " << strerror(errno);
    }
    if (!link_root_.empty()) fs::remove_all(link_root_);
  }

  // Creates `dir` as a cgroup and remembers it for cleanup.
  bool MakeCgroup(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0) {
      ADD_FAILURE() << "mkdir " << dir << ": " << strerror(errno);
      return false;
    }
    created_.push_back(dir);
    return true;
  }

  pid_t child_ = -1;
  std::vector<std::string> created_;
  std::string link_root_;
};

TEST_F(CgroupLiveTest, MemoryAndCpuOfARealCgroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root: creating a cgroup needs root, live cgroup test skipped";
  auto layout = DetectCgroupLayout(kCgroupRoot);
  if (!layout.ok()) GTEST_SKIP() << "no cgroup filesystem at " << kCgroupRoot << ": " << layout.status();
  const std::string name = absl::StrCat("vigil_cgroup_live_", ::getpid());
  const std::map<std::string, std::string> own = OwnCgroups();

  // The collector sees one cgroup path in every hierarchy. Our own cgroup differs per v1 hierarchy, so the test
  // gives the collector a root of symlinks to our own cgroup in each: the new cgroup is then "/<name>" in all.
  std::string collector_root;
  std::vector<std::string> procs_files;
  if (layout->mode == CgroupMode::kV2) {
    const std::string parent = absl::StrCat(kCgroupRoot, own.count("") ? own.at("") : "/");
    if (!MakeCgroup(absl::StrCat(parent, "/", name))) return;
    if (!fs::exists(absl::StrCat(parent, "/", name, "/memory.current"))) {
      GTEST_SKIP() << "the memory controller is not enabled for children of " << parent;
    }
    WriteFile(absl::StrCat(parent, "/", name, "/memory.max"), "268435456");
    link_root_ = absl::StrCat(::testing::TempDir(), "/", name);
    fs::create_directories(link_root_);
    fs::create_directory_symlink(absl::StrCat(parent, "/"), absl::StrCat(link_root_, "/tree"));
    // A v2 root is recognised by cgroup.controllers, which the parent has.
    collector_root = absl::StrCat(link_root_, "/tree");
    procs_files.push_back(absl::StrCat(parent, "/", name, "/cgroup.procs"));
  } else {
    link_root_ = absl::StrCat(::testing::TempDir(), "/", name);
    fs::create_directories(link_root_);
    struct Hierarchy {
      const std::string* dir;
      const char* link;
    };
    for (Hierarchy h : {Hierarchy{&layout->memory, "memory"}, Hierarchy{&layout->cpu, "cpu"},
                        Hierarchy{&layout->cpuacct, "cpuacct"}}) {
      if (h.dir->empty()) continue;
      const std::string mount = fs::path(*h.dir).filename().string();  // "memory", "cpu,cpuacct", ...
      std::string own_path = "/";
      for (const auto& [key, path] : own) {
        if (key == mount || key == h.link) own_path = path;
      }
      const std::string parent = absl::StrCat(*h.dir, own_path == "/" ? "" : own_path);
      const std::string dir = absl::StrCat(parent, "/", name);
      if (!fs::exists(dir) && !MakeCgroup(dir)) return;
      if (!fs::exists(absl::StrCat(link_root_, "/", h.link))) {
        fs::create_directory_symlink(parent, absl::StrCat(link_root_, "/", h.link));
      }
      if (std::find(procs_files.begin(), procs_files.end(), dir + "/cgroup.procs") == procs_files.end()) {
        procs_files.push_back(dir + "/cgroup.procs");
      }
    }
    if (layout->memory.empty() || layout->cpuacct.empty()) GTEST_SKIP() << "v1 memory or cpuacct not mounted";
    WriteFile(absl::StrCat(link_root_, "/memory/", name, "/memory.limit_in_bytes"), "268435456");
    collector_root = link_root_;
  }

  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  child_ = ::fork();
  ASSERT_GE(child_, 0);
  if (child_ == 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    ChildMain(to_child[0], from_child[1]);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  for (const std::string& f : procs_files) {
    ASSERT_TRUE(WriteFile(f, std::to_string(child_))) << "moving the child into " << f << ": " << strerror(errno);
  }
  char c = 0;
  ASSERT_EQ(::write(to_child[1], "g", 1), 1);
  ASSERT_EQ(::read(from_child[0], &c, 1), 1);
  ASSERT_EQ(c, 'r');

  CgroupCollectorOptions options;
  options.cgroup_root = collector_root;
  options.include = {absl::StrCat("/", name)};
  auto collector = CgroupCollector::Create(options);
  ASSERT_TRUE(collector.ok()) << collector.status();
  const std::map<std::string, std::string> id = {{"id", absl::StrCat("/", name)}};

  RecordingSink first;
  ASSERT_TRUE((*collector)->Collect(&first).ok());
  ASSERT_EQ(::write(to_child[1], "b", 1), 1);
  ASSERT_EQ(::read(from_child[0], &c, 1), 1);
  ASSERT_EQ(c, 'd');
  RecordingSink second;
  ASSERT_TRUE((*collector)->Collect(&second).ok());

  const double touched = static_cast<double>(kTouchBytes);
  std::optional<double> rss = first.Find("container_memory_rss", id);
  std::optional<double> ws = first.Find("container_memory_working_set_bytes", id);
  ASSERT_TRUE(rss.has_value()) << "no container_memory_rss for " << id.at("id") << " (mode "
                               << CgroupModeName(layout->mode) << ")";
  ASSERT_TRUE(ws.has_value());
  EXPECT_NEAR(*rss, touched, touched * 0.10) << "rss " << *rss;
  EXPECT_NEAR(*ws, touched, touched * 0.10) << "working set " << *ws;
  EXPECT_DOUBLE_EQ(first.Find("container_processes", id).value_or(-1), 1);

  std::optional<double> cpu1 = first.Find("container_cpu_usage_seconds_total", id);
  std::optional<double> cpu2 = second.Find("container_cpu_usage_seconds_total", id);
  ASSERT_TRUE(cpu1.has_value() && cpu2.has_value());
  EXPECT_GT(*cpu2, *cpu1);
  EXPECT_GE(*cpu2 - *cpu1, 0.15) << "the child burnt 200 ms of CPU between the collections";
  EXPECT_GE(second.Find("container_cpu_user_seconds_total", id).value_or(0),
            first.Find("container_cpu_user_seconds_total", id).value_or(0));

  std::printf("mode=%s rss=%.0f working_set=%.0f cpu=%.3f->%.3f s\n", std::string(CgroupModeName(layout->mode)).c_str(),
              *rss, *ws, *cpu1, *cpu2);
  ASSERT_EQ(::write(to_child[1], "q", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child_, &status, 0), child_);
  child_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(to_child[1]);
  ::close(from_child[0]);
}

// The whole host, as the agent would read it: no error, and the machine row is there. Needs no root.
TEST(CgroupLiveHostTest, CollectsTheWholeHost) {
  auto layout = DetectCgroupLayout(kCgroupRoot);
  if (!layout.ok()) GTEST_SKIP() << "no cgroup filesystem at " << kCgroupRoot << ": " << layout.status();
  CgroupCollectorOptions options;
  options.cgroup_root = kCgroupRoot;
  auto collector = CgroupCollector::Create(options);
  ASSERT_TRUE(collector.ok()) << collector.status();
  RecordingSink sink;
  ASSERT_TRUE((*collector)->Collect(&sink).ok());
  EXPECT_EQ(sink.Count("container_cpu_usage_seconds_total", {{"id", "/"}}), 1);
  EXPECT_GT(sink.Find("container_memory_usage_bytes", {{"id", "/"}}).value_or(0), 0);
}

}  // namespace
}  // namespace vigil::agent::cgroup
