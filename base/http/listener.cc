#include "base/http/listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::http::internal {
namespace {

// strerror text starting in lower case, as Go prints system errors.
std::string ErrnoText(int err) {
  char buf[256];
  std::string text = strerror_r(err, buf, sizeof(buf));
  if (!text.empty()) text[0] = absl::ascii_tolower(static_cast<unsigned char>(text[0]));
  return text;
}

absl::Status ListenError(std::string_view address, std::string_view step, int err) {
  std::string message = absl::StrCat("listen tcp ", AV(address), ": ", AV(step), ErrnoText(err));
  switch (err) {
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EADDRNOTAVAIL:
      return absl::InvalidArgumentError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid listen address \"", AV(address), "\": ", AV(why)));
  };
  if (address.empty()) return bad("empty (expected host:port or :port)");
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("missing port (expected host:port or :port)");
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (port.empty()) return bad("missing port (expected host:port or :port)");
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad(absl::StrCat("port \"", AV(port), "\" is not a number from 0 to 65535"));
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(AV(port), &port_number) || port_number > 65535) {
    return bad(absl::StrCat("port ", AV(port), " is out of range (0 to 65535)"));
  }
  ListenAddress out;
  out.port = std::string(port);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unterminated IPv6 literal");
    std::string literal(host.substr(1, host.size() - 2));
    in6_addr unused;
    if (inet_pton(AF_INET6, literal.c_str(), &unused) != 1) {
      return bad(absl::StrCat("\"", literal, "\" is not an IPv6 address"));
    }
    out.host = std::move(literal);
    return out;
  }
  if (host.find(':') != std::string_view::npos) return bad("IPv6 addresses need brackets, as in [::1]:9090");
  for (unsigned char c : host) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != '_') {
      return bad(absl::StrCat("host \"", AV(host), "\" has an invalid character"));
    }
  }
  out.host = std::string(host);
  return out;
}

absl::StatusOr<int> OpenListener(std::string_view address, const ListenAddress& addr) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* results = nullptr;
  int rc = getaddrinfo(addr.host.empty() ? nullptr : addr.host.c_str(), addr.port.c_str(), &hints, &results);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat("listen tcp ", AV(address), ": lookup ", addr.host, ": ",
                                               rc == EAI_SYSTEM ? ErrnoText(errno) : gai_strerror(rc)));
  }
  std::vector<const addrinfo*> candidates;
  for (const addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) candidates.push_back(ai);
  // For every interface, prefer the IPv6 wildcard: with IPV6_V6ONLY off it accepts IPv4 too.
  if (addr.host.empty()) {
    std::stable_sort(candidates.begin(), candidates.end(), [](const addrinfo* a, const addrinfo* b) {
      return a->ai_family == AF_INET6 && b->ai_family != AF_INET6;
    });
  }
  absl::Status error = absl::UnavailableError(absl::StrCat("listen tcp ", AV(address), ": no usable address"));
  int fd = -1;
  for (const addrinfo* ai : candidates) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = ListenError(address, "socket: ", errno);
      continue;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (ai->ai_family == AF_INET6 && addr.host.empty()) {
      int off = 0;
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      error = ListenError(address, "", errno);
    } else if (::listen(fd, SOMAXCONN) != 0) {
      error = ListenError(address, "listen: ", errno);
    } else {
      // HTTP clients speak first: the kernel hands a connection to accept(2) once its request has arrived, so
      // the worker that accepts it reads at once instead of waking a second time for the request.
      int defer_seconds = 5;
      setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_seconds, sizeof(defer_seconds));
      break;
    }
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(results);
  if (fd < 0) return error;
  return fd;
}

}  // namespace vigil::http::internal
