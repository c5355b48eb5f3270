// Real npm clients for end-to-end tests: installs the packages locked in tests/npm/package-lock.json once per
// machine into a cache folder keyed by the lockfile's hash, and runs node scripts against them.
//
//   absl::StatusOr<std::string> modules = EnsureNpmModules();   // ".../<hash>/node_modules"
//   absl::StatusOr<CommandResult> r = RunNode("tests/traces/send_traces.js", {"proto", url}, *modules);
//
// The cache folder is $VIGIL_NPM_CACHE, else $HOME/.cache/vigil/npm, else /root/.cache/vigil/npm when HOME is
// unset (Bazel's sandbox). `npm ci` runs only when <cache>/<hash>/node_modules is missing, so after the first
// run the tests are offline and idempotent.
#ifndef VIGIL_TESTS_SUPPORT_NPM_H_
#define VIGIL_TESTS_SUPPORT_NPM_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::testing {

// What a finished command did: its exit code (or 128+signal) and its stdout and stderr together.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `argv` (argv[0] a path) to completion with the test's environment plus `extra_env` ("NAME=value"),
// in `cwd` (empty: the current directory), its output collected in `log_path`.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& extra_env, const std::string& cwd,
                                         const std::string& log_path);

// The first of `name` found in $PATH, /usr/bin or /usr/local/bin; NotFound otherwise.
absl::StatusOr<std::string> FindProgram(const std::string& name);

// The node_modules folder holding the packages of tests/npm/package-lock.json (a data dependency of the test,
// `lock_dir` relative to the runfiles root), installing them with `npm ci` first when the cache lacks them.
absl::StatusOr<std::string> EnsureNpmModules(const std::string& lock_dir = "tests/npm");

// Runs `node <script> <args...>` with NODE_PATH at `node_modules`; the output goes to $TEST_TMPDIR too.
absl::StatusOr<CommandResult> RunNode(const std::string& script, const std::vector<std::string>& args,
                                      const std::string& node_modules);

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SUPPORT_NPM_H_
