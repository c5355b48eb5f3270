#include "tests/support/npm.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tests/support/subprocess.h"

extern char** environ;

namespace vigil::testing {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

absl::Status MakeDirs(const std::string& path) {
  std::string cur;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty()) {
      if (cur.empty()) cur = "/";
      continue;
    }
    if (!cur.empty() && cur.back() != '/') cur += "/";
    cur += std::string(part);
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("mkdir ", cur, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status CopyFile(const std::string& from, const std::string& to) {
  absl::StatusOr<std::string> data = ReadWholeFile(from);
  if (!data.ok()) return data.status();
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << *data;
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", to));
  return absl::OkStatus();
}

std::string CacheRoot() {
  if (const char* c = std::getenv("VIGIL_NPM_CACHE"); c != nullptr && *c != '\0') return c;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') return absl::StrCat(h, "/.cache/vigil/npm");
  return "/root/.cache/vigil/npm";
}

}  // namespace

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& extra_env, const std::string& cwd,
                                         const std::string& log_path) {
  if (argv.empty()) return absl::InvalidArgumentError("RunCommand: empty argv");
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const std::string& e : extra_env) env.push_back(e);
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const std::string& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  // posix_spawn has no portable chdir action: run through /bin/sh when a directory is asked for.
  std::vector<std::string> shell;
  if (!cwd.empty()) {
    shell = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd};
    for (const std::string& a : argv) shell.push_back(a);
    cargv.clear();
    for (const std::string& a : shell) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::InternalError(absl::StrCat("waitpid: ", std::strerror(errno)));
  }
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  absl::StatusOr<std::string> out = ReadWholeFile(log_path);
  if (out.ok()) result.output = std::move(*out);
  return result;
}

absl::StatusOr<std::string> FindProgram(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* p = std::getenv("PATH"); p != nullptr) {
    for (absl::string_view d : absl::StrSplit(p, ':', absl::SkipEmpty())) dirs.emplace_back(d);
  }
  dirs.push_back("/usr/bin");
  dirs.push_back("/usr/local/bin");
  for (const std::string& d : dirs) {
    const std::string path = absl::StrCat(d, "/", name);
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return absl::NotFoundError(absl::StrCat(name, " is not installed (looked in $PATH, /usr/bin, /usr/local/bin)"));
}

absl::StatusOr<std::string> EnsureNpmModules(const std::string& lock_dir) {
  const std::string lock_path = absl::StrCat(lock_dir, "/package-lock.json");
  absl::StatusOr<std::string> lock = ReadWholeFile(lock_path);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<std::string> package = ReadWholeFile(absl::StrCat(lock_dir, "/package.json"));
  if (!package.ok()) return package.status();
  // A content hash that is stable across runs and builds (absl::Hash is seeded per process).
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : *lock + *package) h = (h ^ c) * 1099511628211ULL;
  std::string root = CacheRoot();
  // A sandbox that cannot write the cache (Bazel's linux-sandbox without "no-sandbox") installs per run instead.
  if (!MakeDirs(root).ok()) root = TestTmpDir() + "/npm-cache";
  const std::string dir = absl::StrFormat("%s/%016x", root, h);
  const std::string modules = dir + "/node_modules";
  if (Exists(modules + "/.vigil-complete")) return modules;

  // Install into a private scratch folder, then rename it into place: a crash or a concurrent test never leaves
  // a half-installed cache entry behind.
  static std::atomic<int> counter{0};
  const std::string scratch = absl::StrFormat("%s.tmp-%d-%d", dir, getpid(), counter.fetch_add(1));
  if (absl::Status s = MakeDirs(scratch); !s.ok()) return s;
  if (absl::Status s = CopyFile(lock_path, scratch + "/package-lock.json"); !s.ok()) return s;
  if (absl::Status s = CopyFile(absl::StrCat(lock_dir, "/package.json"), scratch + "/package.json"); !s.ok()) return s;
  absl::StatusOr<std::string> npm = FindProgram("npm");
  if (!npm.ok()) return npm.status();
  // HOME may be unset in the sandbox: npm's own download cache goes beside ours.
  absl::StatusOr<CommandResult> r =
      RunCommand({*npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", root + "/_npm"},
                 {"HOME=" + root, "npm_config_update_notifier=false"}, scratch, TestTmpDir() + "/npm-ci.log");
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat("npm ci failed (exit ", r->exit_code, "):\n", r->output));
  }
  std::ofstream(scratch + "/node_modules/.vigil-complete") << "ok\n";
  if (rename(scratch.c_str(), dir.c_str()) != 0) {
    // Another process won the race (the target exists and is complete); ours is redundant.
    if (!Exists(modules + "/.vigil-complete")) {
      return absl::InternalError(absl::StrCat("rename ", scratch, " -> ", dir, ": ", std::strerror(errno)));
    }
    (void)RunCommand({"/bin/rm", "-rf", scratch}, {}, "", TestTmpDir() + "/rm.log");
  }
  return modules;
}

absl::StatusOr<CommandResult> RunNode(const std::string& script, const std::vector<std::string>& args,
                                      const std::string& node_modules) {
  absl::StatusOr<std::string> node = FindProgram("node");
  if (!node.ok()) return node.status();
  std::vector<std::string> argv = {*node, script};
  for (const std::string& a : args) argv.push_back(a);
  static std::atomic<int> counter{0};
  return RunCommand(argv, {"NODE_PATH=" + node_modules}, "",
                    absl::StrFormat("%s/node-%d.log", TestTmpDir(), counter.fetch_add(1)));
}

}  // namespace vigil::testing
