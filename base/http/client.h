// The seam for outgoing HTTP: code that calls other servers (the agent shipping to the store, exporters,
// service discovery) takes a vigil::http::Client*, so its unit tests use FakeClient (fake_client.h) and only
// integration tests open sockets.
//
// Errors: a request that got no HTTP response (connection refused, timeout, reset) is an UnavailableError
// naming the method, URL and reason. A response with an error status (4xx, 5xx) is not a Status error: it is
// returned with its status, so callers can tell retryable answers (5xx, 429; see IsRetryableStatus) from ones
// that will never succeed (other 4xx).
//
//   HttplibClient client;
//   absl::StatusOr<ClientResponse> r = client.Post("http://store:9090/api/v1/write",
//       {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "snappy"}}, std::move(payload),
//       absl::Seconds(30));
//   if (!r.ok()) { /* no answer: retry later */ }
//   else if (IsRetryableStatus(r->status)) { /* retry later */ }
//   else if (r->status / 100 != 2) { /* drop the batch, log r->body */ }
#ifndef VIGIL_BASE_HTTP_CLIENT_H_
#define VIGIL_BASE_HTTP_CLIENT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vigil::http {

// Header fields of an outgoing request or a received response, in order; names may repeat.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An HTTP response as received.
struct ClientResponse {
  int status = 0;
  // The body as sent: a Content-Encoding (e.g. gzip) is not undone; see GzipDecompress.
  std::string body;
  HeaderList headers;

  // The first value of header `name` (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const;
};

// Whether a response status is worth retrying later: 5xx (the server failed or is overloaded) and 429 (too
// many requests), as Prometheus' remote_write treats them. Other statuses will not change on retry.
bool IsRetryableStatus(int status);

// Produces the body of a streamed request piece by piece (see Client::PostStream): returns true with the next
// piece in *chunk (cleared before each call, its memory kept; an empty piece is skipped), or false once the
// body is complete (*chunk is then ignored). Returning an error instead (a file that could not be read) aborts
// the request: the body is cut off without its end, so the server sees a broken body, never a short complete
// one, and PostStream returns that error. A plain `bool(std::string*)` function converts to this type. Called
// on the thread that called PostStream.
using ChunkSource = std::function<absl::StatusOr<bool>(std::string* chunk)>;

// Sends HTTP requests. Implementations are thread-safe.
class Client {
 public:
  virtual ~Client() = default;

  // POSTs `body` to `url` ("http://host[:port]/path?query") with `headers` (set Content-Type; without one a
  // non-empty body goes as application/octet-stream). `timeout` bounds connecting, each wait for the peer, and
  // the arrival of the whole response body. InvalidArgument for a malformed or unsupported URL or header;
  // Unavailable when no response arrived.
  virtual absl::StatusOr<ClientResponse> Post(const std::string& url, const HeaderList& headers, std::string body,
                                              absl::Duration timeout) = 0;

  // POSTs a body produced piece by piece by `next_chunk`, sent with chunked transfer coding as it is produced,
  // so a body of any size (`vigilctl import` of a multi-gigabyte file) goes out in bounded memory. Headers as
  // for Post, except that Content-Length and Transfer-Encoding are the client's own (InvalidArgument if given).
  // `timeout` bounds connecting and each wait for the peer (so a long upload that keeps moving is never cut
  // off), and the arrival of the response once the body is sent. Never retried: the source cannot be
  // rewound. A server that refuses the body before it is all sent (e.g. 413) closes the connection under the
  // upload, which usually shows as Unavailable ("could not send the request") rather than as that response.
  virtual absl::StatusOr<ClientResponse> PostStream(const std::string& url, const HeaderList& headers,
                                                    ChunkSource next_chunk, absl::Duration timeout) = 0;

  // GETs `url`; otherwise as Post.
  virtual absl::StatusOr<ClientResponse> Get(const std::string& url, const HeaderList& headers,
                                             absl::Duration timeout) = 0;
};

// The parts of an http:// URL a client needs.
struct Url {
  std::string scheme;  // Lower case; "http".
  std::string host;    // Without brackets for IPv6 literals.
  int port = 0;        // 80 if the URL has none.
  std::string target;  // Path and query as sent in the request line ("/api/v1/write?x=1"); "/" at least.
};

// Parses an absolute http:// URL. InvalidArgument, quoting the URL and saying what is wrong, for a missing or
// non-http scheme (https is not supported), a missing host, credentials ("user:pass@"), a bad port, or
// whitespace or control characters. A fragment ("#...") is dropped, as browsers do.
absl::StatusOr<Url> ParseUrl(std::string_view url);

// Options of HttplibClient.
struct HttplibClientOptions {
  // Largest response body accepted; a larger one fails the request with ResourceExhausted.
  size_t max_response_bytes = size_t{64} << 20;
  // Open keep-alive connections kept per host:port for reuse.
  size_t max_idle_connections_per_host = 4;
  // Sent as User-Agent unless a request sets its own.
  std::string user_agent = "vigil";
};

// A Client over cpp-httplib, for http:// URLs. Keeps connections alive and reuses them per host and port;
// concurrent requests to one host use separate connections. A GET that fails on a reused connection (which
// the server may have closed while idle) is retried once on a new connection; a POST is not, since the server
// may have acted on it.
class HttplibClient final : public Client {
 public:
  explicit HttplibClient(HttplibClientOptions options = {});
  ~HttplibClient() override;

  HttplibClient(const HttplibClient&) = delete;
  HttplibClient& operator=(const HttplibClient&) = delete;

  absl::StatusOr<ClientResponse> Post(const std::string& url, const HeaderList& headers, std::string body,
                                      absl::Duration timeout) override;
  absl::StatusOr<ClientResponse> PostStream(const std::string& url, const HeaderList& headers, ChunkSource next_chunk,
                                            absl::Duration timeout) override;
  absl::StatusOr<ClientResponse> Get(const std::string& url, const HeaderList& headers,
                                     absl::Duration timeout) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_CLIENT_H_
