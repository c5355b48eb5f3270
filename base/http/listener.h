// Listen addresses for Vigil's HTTP server (internal to base/http): parsing "host:port" strictly, and opening
// the listening socket with errors worded as Go's net.Listen words them ("listen tcp 127.0.0.1:9090: address
// already in use"), which is what operators of Prometheus-style servers expect to read.
#ifndef VIGIL_BASE_HTTP_LISTENER_H_
#define VIGIL_BASE_HTTP_LISTENER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil::http::internal {

// A parsed listen address.
struct ListenAddress {
  std::string host;  // Empty: every interface. IPv6 literals without brackets.
  std::string port;  // Decimal digits, 0 to 65535.
};

// Parses "host:port", ":port" or "[ipv6]:port". InvalidArgument quoting `address` and saying what is wrong
// ("localhost": missing port; "1.2.3.4:99999": out of range; "host:abc": not a number).
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view address);

// Creates a socket listening on `addr` and returns its descriptor (close-on-exec). SO_REUSEADDR is set so a
// restart is not blocked by old connections in TIME_WAIT, but not SO_REUSEPORT (cpp-httplib's default),
// which would let a second server silently share the port instead of failing. `address` is the text used
// in errors: Unavailable "listen tcp <address>: address already in use", PermissionDenied for a privileged
// port, InvalidArgument for an address that is not local.
absl::StatusOr<int> OpenListener(std::string_view address, const ListenAddress& addr);

}  // namespace vigil::http::internal

#endif  // VIGIL_BASE_HTTP_LISTENER_H_
