// The socket side of Vigil's HTTP server (internal to base/http): poll(2) waits with timeouts, socket
// addresses as text, and the httplib::Stream through which cpp-httplib parses requests and writes responses on
// a connection the server itself accepted and tracks (so Shutdown can close idle connections at once).
#ifndef VIGIL_BASE_HTTP_CONNECTION_STREAM_H_
#define VIGIL_BASE_HTTP_CONNECTION_STREAM_H_

#include <sys/types.h>

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "httplib.h"

namespace vigil::http::internal {

// Waits until `fd` is ready for `events` (POLLIN, POLLOUT), has an error or hang-up pending (so the next call
// reports it at once), or `timeout` passes (false). Retries on EINTR.
bool WaitFor(int fd, short events, absl::Duration timeout);

// "host:port", with brackets around an IPv6 host ("[::1]:9090"), as Go's net.JoinHostPort.
std::string JoinHostPort(std::string_view host, int port);

// The peer's (or with `local`, the socket's own) numeric address and port; IPv4-mapped IPv6 addresses are
// given as IPv4. False (and "", 0) if the socket has none.
bool SocketAddress(int fd, bool local, std::string* ip, int* port);

// An accepted TCP connection as cpp-httplib's request parser and response writer see it. Reads are buffered
// (cpp-httplib reads request lines a byte at a time; a read of at least the buffer's size with nothing buffered
// goes straight to the caller's memory) and each waits up to the read timeout. Writes are gathered (up to
// 32 KiB) and sent when the gathered bytes would overflow, before the next read (so a "100 Continue" reaches
// the client before the server waits for the body) and at Flush: cpp-httplib writes a response's headers and
// body separately, and as two TCP segments they would wake the client twice. A send that would block waits up
// to the write timeout. The bytes read for one request are capped, so no request, whatever its framing
// (chunked, compressed, headers without end), makes the server buffer without bound.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, absl::Duration read_timeout, absl::Duration write_timeout);

  // Starts counting bytes for a new request: at most `limit` more bytes are read from the socket for it.
  void StartRequest(size_t limit);
  // Changes the current request's limit (still counted from StartRequest), e.g. once routing shows the request
  // goes to a streaming route whose body may be far larger than a buffered one.
  void set_read_limit(size_t limit) { read_limit_ = limit; }
  // Whether the current request tried to read past its limit.
  bool limit_hit() const { return limit_hit_; }
  // Whether bytes of a next (pipelined) request are already buffered.
  bool HasBuffered() const { return begin_ < end_; }
  // Whether a read would return without waiting: bytes are buffered, or the socket has data, an end of
  // stream or an error pending. Lets a body reader hand over what it has instead of blocking for more.
  bool ReadableNow() const;

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  // Sends the gathered bytes. False if the connection failed (or timed out); then the response is lost.
  bool Flush();
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

 private:
  const int fd_;
  const absl::Duration read_timeout_;
  const absl::Duration write_timeout_;
  // Sends `a` then `b` in as few system calls as the socket allows.
  bool SendAll(const char* a, size_t a_size, const char* b, size_t b_size);

  std::vector<char> buffer_;
  std::string out_;  // Written, not yet sent.
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t read_for_request_ = 0;
  size_t read_limit_ = std::numeric_limits<size_t>::max();
  bool limit_hit_ = false;
};

// Before closing a connection that still has unread request bytes (a refused or unread body): stops sending,
// then reads and drops what the client still sends, up to 256 KiB or `wait`, so the client can read the
// response instead of having the connection reset under it.
void DrainBeforeClose(int fd, absl::Duration wait);

}  // namespace vigil::http::internal

#endif  // VIGIL_BASE_HTTP_CONNECTION_STREAM_H_
