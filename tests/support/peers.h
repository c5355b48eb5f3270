// The peers integration tests run (Debian's Prometheus, vigil-store, vigil-agent) and the URLs they talk to
// them with: one place for the flags every test passes and the wait until a peer is ready.
//
//   absl::StatusOr<Subprocess> prom = StartPrometheus(tmp + "/prometheus.yml", tmp + "/prom", port, tmp + "/p.log");
//   ASSERT_TRUE(prom.ok()) << prom.status();
//   client.Get(LocalUrl(port, "/api/v1/query?query=") + PercentEncode("up"), ...);
#ifndef VIGIL_TESTS_SUPPORT_PEERS_H_
#define VIGIL_TESTS_SUPPORT_PEERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/subprocess.h"

namespace vigil::testing {

// "http://127.0.0.1:<port><path>".
std::string LocalUrl(int port, std::string_view path);

// Percent-encodes every byte outside RFC 3986's unreserved set (letters, digits, - _ . ~), for query strings
// and form bodies.
std::string PercentEncode(std::string_view s);

// Starts `argv` with its output in `log_path` and waits (up to `timeout`) until GET /-/ready on 127.0.0.1:`port`
// answers 200. On failure the process is killed and the error carries the end of its output.
absl::StatusOr<Subprocess> StartReady(std::vector<std::string> argv, const std::string& log_path, int port,
                                      absl::Duration timeout = absl::Seconds(60));

// Debian's /usr/bin/prometheus with `config_file`, its TSDB in `data_dir`, listening on 127.0.0.1:`port`, plus
// `extra_flags` ("--log.level=warn", "--storage.tsdb.retention.time=100y"); ready when this returns.
absl::StatusOr<Subprocess> StartPrometheus(const std::string& config_file, const std::string& data_dir, int port,
                                           const std::string& log_path, std::vector<std::string> extra_flags = {});

// vigil-store (the test's data dependency //server:vigil-store) with its data in `data_dir`, listening on
// 127.0.0.1:`port`, plus `extra_flags`; ready when this returns.
absl::StatusOr<Subprocess> StartVigilStore(const std::string& data_dir, int port, const std::string& log_path,
                                           std::vector<std::string> extra_flags = {});

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SUPPORT_PEERS_H_
