#include "base/http/connection_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/strings/absl_view.h"

namespace vigil::http::internal {
namespace {

// Socket read buffer size.
constexpr size_t kReadBufferSize = 16 << 10;
constexpr size_t kWriteGatherBytes = 32 << 10;
// Most bytes DrainBeforeClose reads.
constexpr size_t kMaxDrainBytes = size_t{256} << 10;

// poll(2) timeout in milliseconds, rounded up so a short positive timeout never becomes "don't wait".
int PollMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return -1;
  if (d <= absl::ZeroDuration()) return 0;
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, std::numeric_limits<int>::max()));
}

// "ip:port" of a socket address; IPv4-mapped IPv6 addresses are shown as IPv4.
void AddressParts(const sockaddr_storage& addr, std::string* ip, int* port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    *port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, sizeof(buf));
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    }
    *port = ntohs(in6->sin6_port);
  } else {
    *port = 0;
  }
  *ip = buf;
}

}  // namespace

bool WaitFor(int fd, short events, absl::Duration timeout) {
  pollfd p{};
  p.fd = fd;
  p.events = events;
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int rc = ::poll(&p, 1, PollMillis(timeout));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
    timeout = deadline - absl::Now();
  }
}

std::string JoinHostPort(std::string_view host, int port) {
  if (host.find(':') != std::string_view::npos) return absl::StrCat("[", AV(host), "]:", port);
  return absl::StrCat(AV(host), ":", port);
}

bool SocketAddress(int fd, bool local, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int rc = local ? getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                 : getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) {
    ip->clear();
    *port = 0;
    return false;
  }
  AddressParts(addr, ip, port);
  return true;
}

ConnectionStream::ConnectionStream(int fd, absl::Duration read_timeout, absl::Duration write_timeout)
    : fd_(fd), read_timeout_(read_timeout), write_timeout_(write_timeout), buffer_(kReadBufferSize) {}

void ConnectionStream::StartRequest(size_t limit) {
  read_for_request_ = 0;
  read_limit_ = limit;
  limit_hit_ = false;
}

bool ConnectionStream::is_readable() const {
  if (HasBuffered()) return true;
  // The peer may be waiting for what was written before it sends more.
  if (!out_.empty() && !const_cast<ConnectionStream*>(this)->Flush()) return false;
  return WaitFor(fd_, POLLIN, read_timeout_);
}

bool ConnectionStream::ReadableNow() const { return HasBuffered() || WaitFor(fd_, POLLIN, absl::ZeroDuration()); }

bool ConnectionStream::is_writable() const { return WaitFor(fd_, POLLOUT, write_timeout_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (!HasBuffered()) {
    // The peer may be waiting for what was written (a "100 Continue") before it sends more.
    if (!out_.empty() && !Flush()) return -1;
    if (read_for_request_ >= read_limit_) {
      limit_hit_ = true;
      return -1;
    }
    if (!WaitFor(fd_, POLLIN, read_timeout_)) return -1;
    // Large reads (streamed request bodies) skip the copy through the buffer.
    const bool direct = size >= buffer_.size();
    char* into = direct ? ptr : buffer_.data();
    size_t want = std::min(direct ? size : buffer_.size(), read_limit_ - read_for_request_);
    ssize_t n;
    do {
      n = ::recv(fd_, into, want, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    read_for_request_ += static_cast<size_t>(n);
    if (direct) return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
  }
  size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (out_.size() + size <= kWriteGatherBytes) {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  const bool sent = SendAll(out_.data(), out_.size(), ptr, size);
  out_.clear();
  return sent ? static_cast<ssize_t>(size) : -1;
}

bool ConnectionStream::Flush() {
  if (out_.empty()) return true;
  const bool sent = SendAll(out_.data(), out_.size(), nullptr, 0);
  out_.clear();
  return sent;
}

bool ConnectionStream::SendAll(const char* a, size_t a_size, const char* b, size_t b_size) {
  while (a_size + b_size > 0) {
    iovec iov[2];
    size_t count = 0;
    if (a_size > 0) iov[count++] = iovec{const_cast<char*>(a), a_size};
    if (b_size > 0) iov[count++] = iovec{const_cast<char*>(b), b_size};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    // Sent without waiting when the socket buffer has room (the usual case: one system call per response);
    // only a send that would block waits, up to the write timeout.
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitFor(fd_, POLLOUT, write_timeout_)) continue;
      return false;
    }
    size_t sent = static_cast<size_t>(n);
    const size_t from_a = std::min(sent, a_size);
    a += from_a;
    a_size -= from_a;
    sent -= from_a;
    b += sent;
    b_size -= sent;
  }
  return true;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  SocketAddress(fd_, false, &ip, &port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const { SocketAddress(fd_, true, &ip, &port); }

void DrainBeforeClose(int fd, absl::Duration wait) {
  ::shutdown(fd, SHUT_WR);
  char buf[16 << 10];
  size_t drained = 0;
  absl::Time deadline = absl::Now() + wait;
  while (drained < kMaxDrainBytes) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration() || !WaitFor(fd, POLLIN, left)) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

}  // namespace vigil::http::internal
