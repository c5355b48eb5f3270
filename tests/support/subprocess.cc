#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/fs/file_system.h"
#include "base/http/client.h"

namespace vigil::testing {

absl::StatusOr<Subprocess> Subprocess::Start(std::vector<std::string> argv, std::string log_path) {
  if (argv.empty()) return absl::InvalidArgumentError("no program");
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("open ", log_path, ": ", std::strerror(errno)));
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::setpgid(0, 0);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  ::close(log_fd);
  return Subprocess(pid, std::move(log_path));
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), log_path_(std::move(other.log_path_)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) (void)Stop(SIGKILL, absl::Seconds(10));
    pid_ = std::exchange(other.pid_, -1);
    log_path_ = std::move(other.log_path_);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (pid_ > 0) (void)Stop(SIGKILL, absl::Seconds(10));
}

bool Subprocess::Running() {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

absl::StatusOr<int> Subprocess::Stop(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("process not running");
  ::kill(pid_, signal);
  absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (absl::Now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return absl::DeadlineExceededError(absl::StrCat("process did not exit within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  pid_ = -1;
  return status;
}

std::string Subprocess::Output(size_t max_bytes) const {
  absl::StatusOr<std::string> text = RealFileSystem()->ReadFile(log_path_);
  if (!text.ok()) return std::string(text.status().message());
  if (text->size() > max_bytes) return text->substr(text->size() - max_bytes);
  return *text;
}

absl::Status WaitForHttp(const std::string& url, int want_status, absl::Duration timeout) {
  http::HttplibClient client;
  absl::Time deadline = absl::Now() + timeout;
  std::string last = "no attempt";
  while (absl::Now() < deadline) {
    absl::StatusOr<http::ClientResponse> resp = client.Get(url, {}, absl::Seconds(2));
    if (resp.ok() && resp->status == want_status) return absl::OkStatus();
    last = resp.ok() ? absl::StrCat("status ", resp->status) : std::string(resp.status().message());
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(url, " did not answer ", want_status, ": ", last));
}

absl::StatusOr<int> FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::InternalError(absl::StrCat("bind: ", std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string TestTmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

}  // namespace vigil::testing
