// Vigil's HTTP server: routes, request/response types of our own, and the behaviour every Vigil endpoint shares.
//
// Handlers see vigil::http::Request and Response, never cpp-httplib, so they are plain functions that unit tests
// call directly (or through Server::Handle) without sockets. The server adds, for every route:
//   - a request size limit: larger bodies are answered 413 "request body too large: limit is N bytes",
//     counted after Content-Encoding decoding and for chunked bodies too;
//   - gzip of responses the client accepts (Accept-Encoding with q-values), with Vary: Accept-Encoding;
//   - 404 for unknown paths, 405 with an Allow header for a known path and the wrong method;
//   - an access log line per request through vigil::log;
//   - a 500 (and an error log line) when a handler throws, instead of a crash;
//   - graceful shutdown that lets in-flight requests finish.
//
// Streaming routes (PostStream) read the request body piece by piece through a BodyReader instead, so a body
// of any size (a multi-gigabyte import) is taken in with bounded memory.
//
//   vigil::http::Server server({.listen_address = ":9090"});
//   server.Get(R"(/api/v1/label/([^/]+)/values)", [&](const Request& req, Response* resp) {
//     resp->content_type = "application/json";
//     resp->body = LabelValuesJson(req.path_matches[1], req.Params("match[]"));
//   });
//   VIGIL_RETURN_IF_ERROR(server.Start());
//   ...
//   server.Shutdown(absl::Seconds(10));
#ifndef VIGIL_BASE_HTTP_SERVER_H_
#define VIGIL_BASE_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/http/body_reader.h"

namespace vigil::http {

// Orders header names case-insensitively (HTTP field names are case-insensitive, RFC 9110 section 5.1), so a
// Headers map finds "content-type" under "Content-Type". Transparent: lookups take std::string_view.
struct HeaderNameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// Request or response header fields; a name may repeat.
using Headers = std::multimap<std::string, std::string, HeaderNameLess>;

// An HTTP request as a handler sees it.
struct Request {
  // "GET", "POST", "PUT", "DELETE", ... A HEAD request is served by the GET route and keeps "HEAD" here.
  std::string method;
  // The percent-decoded path, without the query string ("/api/v1/query").
  std::string path;
  // Query-string parameters and, for a POST/PUT/PATCH with Content-Type application/x-www-form-urlencoded, the
  // form fields: Prometheus' HTTP API accepts both. Form fields come first, so Param() prefers the body, as
  // Go's Request.FormValue does. Names and values are decoded ('+' is a space).
  std::multimap<std::string, std::string> params;
  // The request's header fields, as sent. A body the server decoded (Content-Encoding gzip, deflate or br)
  // arrives here decoded and without its Content-Encoding field; any other encoding (e.g. Prometheus
  // remote_write's "snappy") is left for the handler, field and bytes untouched.
  Headers headers;
  // The request body (decoded as above); at most ServerOptions::max_request_bytes. Empty for a streaming route,
  // whose handler reads the body from its BodyReader.
  std::string body;
  // The route's regular-expression match, numbered as std::smatch and cpp-httplib number it: [0] is the whole
  // path, [1] the first capture group, and so on (an unmatched optional group is ""). For the route
  // R"(/api/v1/label/([^/]+)/values)", path_matches[1] is the label name.
  std::vector<std::string> path_matches;
  // The peer's address, "ip:port" ("[ip]:port" for IPv6).
  std::string remote_addr;

  // The first value of parameter `name`, or "" if absent.
  std::string Param(std::string_view name) const;
  // All values of parameter `name` in order, e.g. every "match[]" of a series query.
  std::vector<std::string> Params(std::string_view name) const;
  // Whether parameter `name` is present (possibly with an empty value).
  bool HasParam(std::string_view name) const;
  // The first value of header `name` (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const;
};

// What a handler answers.
struct Response {
  // The status code; must be 200..599 (anything else is logged and sent as 500).
  int status = 200;
  // The Content-Type; "text/plain; charset=utf-8" if empty and the body is not.
  std::string content_type;
  std::string body;
  // A body produced piece by piece instead (when set, `body` is ignored): sent with chunked transfer encoding,
  // gzipped on the fly when the client accepts it (unless the handler set Content-Encoding), so a large response
  // never sits whole in memory. Each call replaces *piece with the next piece (which may be empty) and returns
  // whether more follow; it runs on the connection's thread after the handler returned, so it must own (or share
  // ownership of) everything it reads. Not called for HEAD.
  std::function<bool(std::string* piece)> body_stream;
  // Extra header fields. Content-Length, Transfer-Encoding, Connection and Keep-Alive are the server's and are
  // ignored here. A handler that sets Content-Encoding itself (e.g. "snappy" for remote read) has its body sent
  // as is, never gzipped. Fields whose name or value holds CR, LF or NUL are dropped (and logged).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Serves one request. Runs on one of the server's worker threads; handlers for different requests run
// concurrently. A handler should not throw; if it does, the server logs the exception and answers 500.
using Handler = std::function<void(const Request&, Response*)>;

// Serves one request of a streaming route (Server::PostStream): `req` has everything but the body (req.body is
// empty), which the handler reads from `body`. `body` is valid only until the handler returns and must be read
// on the handler's thread (or with the handler waiting for whoever reads it). See PostStream for what a handler
// must do when the body fails.
using StreamHandler = std::function<void(const Request& req, BodyReader* body, Response* resp)>;

// How a Server listens and what it allows.
struct ServerOptions {
  // "host:port" to listen on; ":port" means every interface (IPv6 and IPv4 where the host has both);
  // "[::1]:port" for an IPv6 literal; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:9090";
  // Largest request body accepted, after Content-Encoding decoding; larger ones get 413. Not for streaming
  // routes: see max_stream_bytes.
  size_t max_request_bytes = size_t{32} << 20;
  // Largest body of a streaming route (PostStream without its own limit), after Content-Encoding decoding;
  // 0 means no limit. Memory use does not depend on it: it only bounds how much a client may send.
  uint64_t max_stream_bytes = 0;
  // Longest wait for the next bytes of a request (headers or body) before the connection is dropped.
  absl::Duration read_timeout = absl::Seconds(30);
  // Longest wait for the client to accept more response bytes before the connection is dropped.
  absl::Duration write_timeout = absl::Seconds(30);
  // How long an idle keep-alive connection is kept open waiting for its next request. Each open connection
  // holds a worker thread, so this stays short.
  absl::Duration idle_timeout = absl::Seconds(5);
  // Whether to log a line per request (level debug for 1xx-3xx, info for 4xx, warn for 5xx).
  bool access_log = true;
  // Responses with smaller bodies are sent uncompressed even if the client accepts gzip: gzip's ~20 bytes of
  // framing and the CPU are not worth it.
  size_t min_gzip_bytes = 1024;
  // Worker threads, one per open connection (each waits in accept(2) and serves what it accepts; further
  // connections wait in the listen backlog); 0 means max(8, CPU count - 1).
  size_t worker_threads = 0;
};

// An HTTP/1.1 server over cpp-httplib. Register routes, Start(), and Shutdown() (or destroy) when done.
// All methods are thread-safe.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  // Shuts down with no grace period (in-flight requests are cut off; see Shutdown) if still running.
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Register `handler` for requests with this method whose whole path matches the regular expression
  // `pattern`. The syntax is RE2's, which reads route patterns as cpp-httplib's std::regex routes do
  // (R"(/api/v1/label/([^/]+)/values)", R"(/things/(\d+))") but has no backreferences or lookaround, and
  // matches in linear time, so a long hostile path cannot exhaust the stack or the CPU. The path is
  // percent-decoded and matched as bytes. Routes are tried in registration order; the first match wins. Get
  // routes also serve HEAD. Routes may be added before or after Start(). An invalid pattern is reported by
  // Start() (and logged) and the route is not added.
  void Get(std::string_view pattern, Handler handler);
  void Post(std::string_view pattern, Handler handler);
  void Put(std::string_view pattern, Handler handler);
  void Delete(std::string_view pattern, Handler handler);

  // Registers a streaming POST route (routed like Post): its handler reads the body piece by piece from a
  // BodyReader, so memory use does not grow with the body. The body may come with a Content-Length or chunked
  // (curl sends chunked for `-T -`); a client sending "Expect: 100-continue" (curl does for large bodies) gets
  // "100 Continue" and then streams. A Content-Encoding of gzip, x-gzip or deflate is decoded as the handler
  // reads (the field is then removed from req.headers; Content-Length, if any, still gives the encoded length);
  // any other coding reaches the handler as sent. req.params holds the query string only (the body is never
  // parsed as a form).
  //
  // The decoded body may be at most `max_stream_bytes` bytes (0: no limit; the overload without it uses
  // ServerOptions::max_stream_bytes). A Content-Length that already says more, on a body that is not encoded, is
  // refused with 413 before the handler runs (and before a 100-continue client sends it). Otherwise the handler
  // receives exactly the limit's worth of bytes and the next Read fails with ResourceExhausted. With a limit,
  // the bytes on the wire are capped too, at 8 times it plus 1 MiB, which only degenerate chunking or
  // compression comes near.
  //
  // What a handler must do: read until Read returns false, then check status(). If it is an error, stop using
  // the body and return soon; whatever it consumed so far is its own business (an import may keep or drop
  // what it appended). The response is sent after the handler returns, so the server decides it then:
  //   - over the limit: 413 "request body too large: limit is N bytes", whatever the handler set, unless the
  //     handler set status 413 itself (so it can say more, e.g. how much it imported);
  //   - any other body error (bad chunked framing or gzip: InvalidArgument; a broken connection or timeout:
  //     Unavailable): the handler's response if it set a status of 400 or more, else 400 "could not read the
  //     request body: <error>";
  // and in both cases the connection is closed after the response. A handler that answers without reading the
  // whole body (say, a 415 for the wrong Content-Type) may do so: the unread rest is not drained; the response
  // says "Connection: close" and the connection is closed after it (the server reads and drops what the
  // client still sends for at most a second, so the client sees the response rather than a reset).
  void PostStream(std::string_view pattern, StreamHandler handler);
  void PostStream(std::string_view pattern, StreamHandler handler, uint64_t max_stream_bytes);

  // Routes `request` as a network request would be routed (path_matches are filled from the matching route;
  // 404 and 405 as described above; a throwing handler becomes 500) and returns the handler's response,
  // without sockets, compression or the access log. For tests of code that registers routes. A streaming
  // route reads request.body through a BodyReader (in pieces of at most kMaxBodyPiece), with the route's limit
  // and the error responses described at PostStream; request.body is not decoded.
  Response Handle(Request request) const;

  // Validates the options, binds the listen address and starts serving on background threads. Errors:
  // InvalidArgument for a malformed listen address ("localhost", "1.2.3.4:99999", "host:abc") or an invalid
  // route pattern; for a bind failure an error like "listen tcp 127.0.0.1:9090: address already in use";
  // FailedPrecondition if already started or shut down.
  absl::Status Start();

  // The bound TCP port once Start() succeeded (the chosen one for port 0); 0 before.
  int port() const;

  // Stops accepting connections, closes idle keep-alive connections, and waits up to `grace` for requests in
  // progress to finish sending their responses. Requests still in progress after `grace` have their
  // connections shut (their clients see an error); since a running handler cannot be stopped from outside,
  // Shutdown then still waits for those handlers to return before it returns. Idempotent; a concurrent call
  // waits for the first to finish. A server that was never started is just marked shut down.
  void Shutdown(absl::Duration grace);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_SERVER_H_
