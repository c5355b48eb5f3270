#include "tests/support/peers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vigil::testing {

std::string LocalUrl(int port, std::string_view path) {
  return absl::StrCat("http://127.0.0.1:", port, std::string(path));
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

absl::StatusOr<Subprocess> StartReady(std::vector<std::string> argv, const std::string& log_path, int port,
                                      absl::Duration timeout) {
  const std::string program = argv.empty() ? "" : argv[0];
  absl::StatusOr<Subprocess> p = Subprocess::Start(std::move(argv), log_path);
  if (!p.ok()) return p.status();
  absl::Status ready = WaitForHttp(LocalUrl(port, "/-/ready"), 200, timeout);
  if (!ready.ok()) {
    return absl::DeadlineExceededError(
        absl::StrCat(program, " not ready on port ", port, ": ", ready.message(), "\n", p->Output()));
  }
  return p;
}

absl::StatusOr<Subprocess> StartPrometheus(const std::string& config_file, const std::string& data_dir, int port,
                                           const std::string& log_path, std::vector<std::string> extra_flags) {
  std::vector<std::string> argv = {"/usr/bin/prometheus", "--config.file=" + config_file,
                                   "--storage.tsdb.path=" + data_dir,
                                   absl::StrCat("--web.listen-address=127.0.0.1:", port)};
  for (std::string& f : extra_flags) argv.push_back(std::move(f));
  return StartReady(std::move(argv), log_path, port);
}

absl::StatusOr<Subprocess> StartVigilStore(const std::string& data_dir, int port, const std::string& log_path,
                                           std::vector<std::string> extra_flags) {
  std::vector<std::string> argv = {"server/vigil-store", "--storage.tsdb.path=" + data_dir,
                                   absl::StrCat("--web.listen-address=127.0.0.1:", port)};
  for (std::string& f : extra_flags) argv.push_back(std::move(f));
  return StartReady(std::move(argv), log_path, port);
}

}  // namespace vigil::testing
