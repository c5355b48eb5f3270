// Child processes for integration tests: start a real binary (vigil-store, Debian's prometheus), wait until it
// answers HTTP, kill it (SIGTERM or SIGKILL), and collect its output for failure messages.
#ifndef VIGIL_TESTS_SUPPORT_SUBPROCESS_H_
#define VIGIL_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vigil::testing {

class Subprocess {
 public:
  // Starts `argv[0]` (a path) with `argv`; stdout and stderr go to `log_path`.
  static absl::StatusOr<Subprocess> Start(std::vector<std::string> argv, std::string log_path);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  // Kills the process (SIGKILL) if still running.
  ~Subprocess();

  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for the process to exit (up to `timeout`, then SIGKILL). Returns its exit status
  // as waitpid reports it.
  absl::StatusOr<int> Stop(int signal, absl::Duration timeout);
  bool Running();
  // The last `max_bytes` of the process's output, for test failure messages.
  std::string Output(size_t max_bytes = 4000) const;

 private:
  Subprocess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_ = -1;
  std::string log_path_;
};

// Polls `url` with GET until it answers `want_status` or `timeout` passes (the one place tests wait on real
// time: a real process starting up).
absl::Status WaitForHttp(const std::string& url, int want_status, absl::Duration timeout);

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests that start servers right away).
absl::StatusOr<int> FreePort();

// $TEST_TMPDIR, or /tmp outside Bazel.
std::string TestTmpDir();

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SUPPORT_SUBPROCESS_H_
